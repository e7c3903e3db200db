//! What runs after a successful migration: the tool's status (what is pending now, and the
//! version where the migration's own output does not say it), then the `verify:` checks, then
//! `verify_pending:` judged on that status. Each runs as its own one-off task of the migration's
//! registered task definition (only the container command differs), started, waited for and
//! judged like the migration. The migration's lock is held until they end, so the next
//! migration cannot change the schema under a check. A failed check turns the result `failed`:
//! `migrated, but verification <name> failed: …`; a status that cannot be read is only a
//! warning unless `verify_pending` depends on it.

use anyhow::Result;

use crate::aws::Clients;
use crate::config::{Check, Settings};
use crate::failure::usage;
use crate::logs::{self, LogTail};
use crate::outcome::{Outcome, Status, Version};
use crate::progress::Progress;
use crate::task::launch::{RunTaskRequest, Tag};
use crate::task::token::{TOKEN_TAG, derived_token};
use crate::task::{
    KeptLog, Signals, Started, WaitOptions, start_task, token_conflict, wait_for_stop,
};
use crate::tools;

use super::job::Job;
use super::prepare::Prepared;
use super::verdict::judge;

/// The name `verify_pending`'s failure is reported under.
pub const PENDING_CHECK: &str = "pending";
/// The status task's name in its RunTask token.
const STATUS_TASK: &str = "status";

/// Refuses `verify_pending` without a status command before anything starts (exit 2).
pub fn preflight(settings: &Settings) -> Result<()> {
    if settings.verify.pending {
        settings
            .tool
            .status_command()
            .map_err(|error| usage(format!("verify_pending needs a status command: {error}")))?;
        if !tools::tool(settings.tool.id).status_lists().pending {
            return Err(usage(format!(
                "verify_pending needs a status that lists the pending migrations, and {}'s does \
                 not: remove verify_pending (or set commands.status to one that does, with a \
                 tool that reads it)",
                settings.tool.id
            )));
        }
    }
    Ok(())
}

/// Whether anything runs after a successful migration: checks, or a status task (asked for by
/// `verify_pending`, or by default for a tool with a status command).
pub fn anything_after(settings: &Settings) -> bool {
    !settings.verify.checks.is_empty() || reads_status(settings)
}

fn reads_status(settings: &Settings) -> bool {
    let tool_has_status = settings.tool.id != tools::ToolId::Custom
        && settings.verify.status_after
        && settings.tool.status_command().is_ok();
    settings.verify.pending || tool_has_status
}

/// The status task after the migration: what the tool said, or why it could not be read.
enum StatusAfter {
    Read(tools::StatusReport),
    Unread { status: Status, why: String },
}

/// How one check's task ended.
pub struct CheckRun {
    pub status: Status,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    pub log: Vec<String>,
}

/// What runs the checks: the migration's request, waited for with the migration's options.
pub struct Verifier<'a> {
    pub clients: &'a Clients,
    pub settings: &'a Settings,
    pub prepared: &'a Prepared,
    /// The migration's RunTask request, naming the registered revision.
    pub request: &'a RunTaskRequest,
    pub options: &'a WaitOptions,
    pub progress: &'a Progress,
    /// The migration task's RunTask token: each check's is derived from it, so a retry of the
    /// step attaches to the checks the migration had, and a later run of the step has its own.
    pub migration_token: &'a str,
}

impl Verifier<'_> {
    /// Reads the status, runs the checks in order, then judges `verify_pending`; stops at the
    /// first failure, recorded in `outcome`. An error is a failure to run one at all (AWS), not
    /// a failed check.
    pub async fn verify(&self, outcome: &mut Outcome, signals: &mut Signals) -> Result<()> {
        let status = match reads_status(self.settings) {
            true => Some(self.status_after(outcome, signals).await?),
            false => None,
        };
        for check in &self.settings.verify.checks {
            let what = format!("verification {}", check.name);
            let run = self
                .run_task(&check.name, &what, &check.command, signals)
                .await?;
            match judge_check(check, &run) {
                Ok(()) => self
                    .progress
                    .step(format!("verification {} passed", check.name)),
                Err(why) => {
                    failed(outcome, &check.name, run.status, &why);
                    return Ok(());
                }
            }
        }
        if self.settings.verify.pending {
            let judged = match &status {
                Some(StatusAfter::Read(report)) => {
                    judge_pending(&report.pending).map_err(|why| (Status::Failed, why))
                }
                Some(StatusAfter::Unread { status, why }) => Err((*status, why.clone())),
                None => Err((Status::Failed, "no status was read".to_owned())),
            };
            if let Err((status, why)) = judged {
                failed(outcome, PENDING_CHECK, status, &why);
                return Ok(());
            }
            self.progress
                .step("verification pending passed: nothing pending");
        } else if let Some(StatusAfter::Unread { why, .. }) = &status {
            self.progress.warn(format!(
                "could not read the tool's status after the migration ({why}): pending and \
                 the version are as the migration's own output says"
            ));
        }
        Ok(())
    }

    /// Runs the tool's status command and reads it into `outcome` (pending, the version).
    async fn status_after(
        &self,
        outcome: &mut Outcome,
        signals: &mut Signals,
    ) -> Result<StatusAfter> {
        let command = self.settings.tool.status_command().map_err(usage)?;
        let run = self
            .run_task(
                STATUS_TASK,
                "the status after the migration",
                &command,
                signals,
            )
            .await?;
        if run.status != Status::Succeeded {
            return Ok(StatusAfter::Unread {
                status: run.status,
                why: not_succeeded(&run),
            });
        }
        let tool = tools::tool(self.settings.tool.id);
        let report = tool.parse_status(&lines(&run.log));
        read_status_after(outcome, &report, tool.status_lists());
        Ok(StatusAfter::Read(report))
    }

    /// Runs `command` as a one-off task; `name` keeps its RunTask token apart from the other
    /// tasks of this run, `what` names it in messages.
    async fn run_task(
        &self,
        name: &str,
        what: &str,
        command: &[String],
        signals: &mut Signals,
    ) -> Result<CheckRun> {
        let container = &self.prepared.derived.container;
        let mut request = self.request.clone();
        request.overrides = Some(Job::overrides(container, command));
        let token = derived_token(self.migration_token, &format!("verify-{name}"));
        request.tags.retain(|tag| tag.key != TOKEN_TAG);
        request.tags.push(Tag {
            key: TOKEN_TAG.to_owned(),
            value: token.clone(),
        });
        self.progress
            .step(format!("{what}: starting `{}`", shell_words::join(command)));
        let task_arn = match start_task(&self.clients.ecs, &request, &token, self.progress).await? {
            Started::Task { arn } => arn,
            Started::Conflict { earlier } => return Err(token_conflict(&token, &earlier)),
            Started::Refused(failures) => {
                return Ok(CheckRun {
                    status: Status::Failed,
                    exit_code: None,
                    reason: Some(format!(
                        "ECS could not start the task: {}",
                        failures.join("; ")
                    )),
                    log: Vec::new(),
                });
            }
        };
        self.progress.step(format!("started {task_arn}"));
        let task_id = crate::links::task_id(&task_arn).to_owned();
        let (sources, _) = logs::sources(&self.prepared.derived.task_definition, &task_id);
        let mut tails: Vec<LogTail> = sources
            .into_iter()
            .map(|source| LogTail::new(self.clients, source))
            .collect();
        let mut kept = KeptLog::default();
        self.progress.group(format!("logs of {what} ({task_id})"));
        let end = wait_for_stop(
            &self.clients.ecs,
            &task_arn,
            &mut tails,
            self.progress,
            &mut kept,
            signals,
            self.options,
        )
        .await;
        self.progress.end_group();
        let log = kept.into_lines();
        let mut judged = Outcome::new(&self.settings.name, Status::Failed);
        judge(
            &mut judged,
            self.prepared,
            end?,
            &self.settings.report,
            &log,
        );
        Ok(CheckRun {
            status: judged.status,
            exit_code: judged.exit_code,
            reason: judged.reason,
            log,
        })
    }
}

fn lines(log: &[String]) -> Vec<&str> {
    log.iter().map(String::as_str).collect()
}

/// A check passes when its task succeeded (exit 0) and its output matches `expect` (`^`/`$`
/// match at line ends). The error says what was expected against what was seen.
pub fn judge_check(check: &Check, run: &CheckRun) -> Result<(), String> {
    if run.status != Status::Succeeded {
        return Err(not_succeeded(run));
    }
    let Some(expect) = &check.expect else {
        return Ok(());
    };
    let regex = regex::RegexBuilder::new(expect)
        .multi_line(true)
        .build()
        .map_err(|error| format!("`expect` does not compile: {error}"))?;
    if regex.is_match(&run.log.join("\n")) {
        return Ok(());
    }
    Err(format!(
        "expected output matching {expect:?}, saw {}",
        last_lines(&run.log)
    ))
}

/// What the status after the migration adds to its result: what is pending, and the version
/// before and after where the migration's output did not say them: before is the migration
/// applied just before the first one this run applied (none: the schema was empty), or, when
/// this run applied nothing, the version as it is.
pub fn read_status_after(
    outcome: &mut Outcome,
    report: &tools::StatusReport,
    listed: tools::Listed,
) {
    outcome.pending = listed.pending.then(|| report.pending.clone());
    if outcome.half_migrated.is_none() {
        outcome.half_migrated = report.half_migrated.clone();
    }
    let Some(now) = report.version.clone() else {
        return;
    };
    let (before, after) = match outcome.version.take() {
        Some(Version::Change { before, after }) => (before, after),
        _ => (None, None),
    };
    let applied = outcome.applied.as_deref().unwrap_or_default();
    let before = before.or_else(|| match applied.first() {
        None => Some(now.clone()),
        Some(first) => {
            let at = report.applied.iter().position(|name| name == first)?;
            at.checked_sub(1)
                .map(|previous| report.applied[previous].clone())
        }
    });
    // The output's own name for the version after wins (dbmate's status gives the version
    // number alone, its output the file name that `applied` uses too).
    outcome.version = Some(Version::Change {
        before,
        after: after.or(Some(now)),
    });
}

/// `verify_pending`: nothing may be pending after the migration.
pub fn judge_pending(pending: &[String]) -> Result<(), String> {
    if pending.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the status after the migration lists {} pending: {}",
        pending.len(),
        pending.join(", ")
    ))
}

fn not_succeeded(run: &CheckRun) -> String {
    let why = match (&run.reason, run.exit_code) {
        (Some(reason), _) => reason.clone(),
        (None, Some(code)) => format!("exited with code {code}"),
        (None, None) => "did not succeed".to_owned(),
    };
    format!("{why}; last lines: {}", last_lines(&run.log))
}

/// The last three non-blank lines, quoted, or `no output`.
fn last_lines(log: &[String]) -> String {
    let lines: Vec<&str> = log
        .iter()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty())
        .collect();
    if lines.is_empty() {
        return "no output".to_owned();
    }
    let tail = &lines[lines.len().saturating_sub(3)..];
    tail.iter()
        .map(|line| format!("{line:?}"))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Records a failed check: the migration itself succeeded, so the reason says both.
pub fn failed(outcome: &mut Outcome, name: &str, status: Status, why: &str) {
    outcome.status = match status {
        Status::Cancelled => Status::Cancelled,
        _ => Status::Failed,
    };
    outcome.reason = Some(format!("migrated, but verification {name} failed: {why}"));
    outcome.hint = None;
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
