//! What a one-off task of the migration task definition is for: the migration itself (`run`),
//! the tool's read-only status (`status`) or its down command (`down`). All three start, wait
//! and judge the task the same way (run.rs); this module holds what differs: the command given
//! to the migration container, whether the migration lock is taken, and how the tool's output is
//! read into the result.

use anyhow::Result;

use crate::ci::CiContext;
use crate::config::Settings;
use crate::failure::usage;
use crate::outcome::{Outcome, Status, Version};
use crate::task::token::shared_by_tries;
use crate::tools::{self, DownTarget};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// The migration: the task definition's own command (`command`, or the tool's up command).
    Up,
    /// The tool's status command. Read-only, so it takes no lock: a status while a migration
    /// runs is useful, and must not wait for it.
    Status,
    /// The tool's down command. Takes the lock like `run`.
    Down(DownTarget),
}

impl Job {
    /// The word used in messages and the RunTask client token.
    pub fn name(&self) -> &'static str {
        match self {
            Job::Up => "migration",
            Job::Status => "status",
            Job::Down(_) => "down",
        }
    }

    /// Whether a later run may attach to this job's task by its RunTask token: a migration or a
    /// down in CI, whose tries share the step's token. A status has a token of its own each time,
    /// as has every run outside CI.
    pub fn attaches_across_runs(&self, ci: &CiContext) -> bool {
        *self != Job::Status && shared_by_tries(ci)
    }

    pub fn takes_lock(&self) -> bool {
        !matches!(self, Job::Status)
    }

    /// The command that replaces the migration container's (None: the task definition's own).
    /// An error is a usage error (exit 2): nothing was started.
    pub fn command(&self, settings: &Settings) -> Result<Option<Vec<String>>> {
        let tool = &settings.tool;
        match self {
            Job::Up => Ok(None),
            Job::Status => tool.status_command().map(Some).map_err(usage),
            Job::Down(target) => tool.down_command(target).map(Some).map_err(usage),
        }
    }

    /// RunTask `overrides` giving the migration container `command`.
    pub fn overrides(container: &str, command: &[String]) -> serde_json::Value {
        serde_json::json!({
            "containerOverrides": [{ "name": container, "command": command }]
        })
    }

    /// Reads what the tool's output says into the result: applied, pending, version, and a
    /// half-migrated database (named in the reason, with the tool's fix as the hint).
    pub fn read_output(&self, settings: &Settings, outcome: &mut Outcome, log: &[String]) {
        let tool = tools::tool(settings.tool.id);
        if settings.tool.id == tools::ToolId::Custom && *self == Job::Up {
            return;
        }
        let lines: Vec<&str> = log.iter().map(String::as_str).collect();
        let half = tool.half_migrated(&lines);
        match self {
            Job::Up => {
                let applied = tool.applied_by_up(&lines);
                let before = tool.before_by_up(&lines);
                // Nothing applied: the version stays where the output says it was.
                let after = applied.last().cloned().or_else(|| before.clone());
                outcome.version = Some(Version::Change { before, after });
                outcome.applied = Some(applied);
                outcome.half_migrated = half;
            }
            Job::Status => {
                let report = match outcome.status {
                    Status::Succeeded => Some(tool.parse_status(&lines)),
                    Status::Failed if outcome.exit_code.is_some() => {
                        status_of_failure(tool, &lines, &settings.tool.migrations_dir, outcome)
                    }
                    _ => None,
                };
                let listed = tool.status_lists();
                match report {
                    Some(report) => {
                        outcome.applied = listed.applied.then_some(report.applied);
                        outcome.pending = listed.pending.then_some(report.pending);
                        outcome.version = report.version.map(Version::Current);
                        outcome.half_migrated = report.half_migrated.or(half);
                    }
                    None => outcome.half_migrated = half,
                }
            }
            Job::Down(_) => {
                if outcome.status == Status::Succeeded
                    && let Some(why) = tool.down_did_nothing(&lines)
                {
                    outcome.status = Status::Failed;
                    outcome.reason = Some(format!("nothing was migrated down: {why}"));
                }
                outcome.half_migrated = half;
            }
        }
        if let Some(half) = &outcome.half_migrated {
            let which = half
                .migration
                .as_deref()
                .map_or_else(String::new, |name| format!(" at {name}"));
            let named = format!(
                "the database is half-migrated ({} {}{which})",
                settings.tool.id, half.state
            );
            outcome.reason = Some(match outcome.reason.take() {
                Some(reason) => format!("{reason}; {named}"),
                None => named,
            });
            outcome.hint = Some(format!(
                "look at the database, then run `{}` to mark it fixed",
                half.fix
            ));
        }
    }
}

/// A failed status task whose output the tool reads as a valid status after all: the status
/// succeeds (its exit code stays in the result), with what the tool says.
fn status_of_failure(
    tool: &dyn tools::MigrationTool,
    lines: &[&str],
    migrations_dir: &str,
    outcome: &mut Outcome,
) -> Option<tools::StatusReport> {
    let report = tool.status_of_failure(lines, &tools::Checkout::new("."), migrations_dir)?;
    outcome.status = Status::Succeeded;
    outcome.reason = None;
    outcome.hint = None;
    outcome.migration_errors.clear();
    Some(report)
}
