//! `verify:` and `verify_pending:` after a successful migration: each check, then the tool's
//! status, runs as its own one-off task of the migration's registered task definition (only the
//! container command differs), started, waited for and judged like the migration. The
//! migration's lock is held until they end, so the next migration cannot change the schema
//! under a check. A failed check turns the result `failed`: `migrated, but verification <name>
//! failed: …`.

use anyhow::Result;

use crate::aws::Clients;
use crate::ci::CiContext;
use crate::config::{Check, Settings};
use crate::failure::usage;
use crate::logs::{self, LogTail};
use crate::outcome::{Outcome, Status};
use crate::progress::Progress;
use crate::task::launch::{RunTaskRequest, Tag};
use crate::task::{
    KeptLog, Signals, Started, WaitOptions, client_token, start_task, wait_for_stop,
};
use crate::tools;

use super::job::Job;
use super::prepare::Prepared;
use super::turn::TOKEN_TAG;
use super::verdict::judge;

/// The name `verify_pending`'s failure is reported under.
pub const PENDING_CHECK: &str = "pending";

/// Refuses `verify_pending` without a status command before anything starts (exit 2).
pub fn preflight(settings: &Settings) -> Result<()> {
    if settings.verify.pending {
        settings
            .tool
            .status_command()
            .map_err(|error| usage(format!("verify_pending needs a status command: {error}")))?;
    }
    Ok(())
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
    pub ci: &'a CiContext,
}

impl Verifier<'_> {
    /// Runs the checks in order, then the status; stops at the first failure, recorded in
    /// `outcome`. An error is a failure to run one at all (AWS), not a failed check.
    pub async fn verify(&self, outcome: &mut Outcome, signals: &mut Signals) -> Result<()> {
        for check in &self.settings.verify.checks {
            let run = self.run_task(&check.name, &check.command, signals).await?;
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
            let command = self.settings.tool.status_command().map_err(usage)?;
            let run = self.run_task(PENDING_CHECK, &command, signals).await?;
            if run.status != Status::Succeeded {
                let why = not_succeeded(&run);
                failed(outcome, PENDING_CHECK, run.status, &why);
                return Ok(());
            }
            let report = tools::tool(self.settings.tool.id).parse_status(&lines(&run.log));
            outcome.pending = Some(report.pending.clone());
            if let Err(why) = judge_pending(&report.pending) {
                failed(outcome, PENDING_CHECK, run.status, &why);
                return Ok(());
            }
            self.progress
                .step("verification pending passed: nothing pending");
        }
        Ok(())
    }

    async fn run_task(
        &self,
        name: &str,
        command: &[String],
        signals: &mut Signals,
    ) -> Result<CheckRun> {
        let container = &self.prepared.derived.container;
        let mut request = self.request.clone();
        request.overrides = Some(Job::overrides(container, command));
        let token = client_token(
            &format!("{}#verify-{name}", request.task_definition),
            self.settings.environment_name.as_deref(),
            self.ci,
        );
        request.tags.retain(|tag| tag.key != TOKEN_TAG);
        request.tags.push(Tag {
            key: TOKEN_TAG.to_owned(),
            value: token.clone(),
        });
        self.progress.step(format!(
            "verifying {name}: starting `{}`",
            shell_words::join(command)
        ));
        let task_arn = match start_task(&self.clients.ecs, &request, &token, self.progress).await? {
            Started::Task { arn } => arn,
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
        self.progress
            .group(format!("logs of verification {name} ({task_id})"));
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
