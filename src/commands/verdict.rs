//! Turns how the wait ended into the outcome users see: status, exit code, reason, duration.

use std::path::Path;

use aws_sdk_ecs::types::Task;

use crate::config::ReportSettings;
use crate::hints;
use crate::migration_errors::{MigrationError, Recognizer, locate};
use crate::outcome::{Outcome, Status};
use crate::task::evaluate::{ContainerResult, StoppedTask, evaluate};
use crate::task::{Interruption, WaitEnd};

use super::prepare::Prepared;

/// Fills the outcome from how the wait ended.
/// `log` is the task's log as kept (more than the reports' tail), read for the failed migration.
pub fn judge(
    outcome: &mut Outcome,
    prepared: &Prepared,
    end: WaitEnd,
    report: &ReportSettings,
    log: &[String],
) {
    let status_for = |interruption: Interruption| match interruption {
        Interruption::TimedOut => Status::TimedOut,
        Interruption::Cancelled => Status::Cancelled,
    };
    match end {
        WaitEnd::LeftRunning { task, interruption } => {
            outcome.status = status_for(interruption);
            outcome.reason = Some(match interruption {
                Interruption::TimedOut => "timed out; the task was left running".to_owned(),
                Interruption::Cancelled => "cancelled; the task was left running".to_owned(),
            });
            if let Some(task) = task {
                record_task_times(outcome, &task);
            }
        }
        WaitEnd::Ended { task, interrupted } => {
            outcome.stop_code = task.stop_code().map(|code| code.as_str().to_owned());
            outcome.stopped_reason = task.stopped_reason().map(str::to_owned);
            record_task_times(outcome, &task);
            let verdict = evaluate(&stopped_task(&task, prepared), &prepared.derived.container);
            outcome.exit_code = verdict.exit_code;
            match interrupted {
                Some(interruption) => {
                    outcome.status = status_for(interruption);
                    outcome.reason = Some(match interruption {
                        Interruption::TimedOut => "timed out; the task was stopped".to_owned(),
                        Interruption::Cancelled => "cancelled; the task was stopped".to_owned(),
                    });
                }
                None => {
                    outcome.status = if verdict.succeeded {
                        Status::Succeeded
                    } else {
                        Status::Failed
                    };
                    outcome.hint = verdict.reason.as_deref().and_then(|reason| {
                        hints::for_stopped_task(outcome.stop_code.as_deref(), reason)
                    });
                    outcome.migration_errors = failed_migrations(log, report);
                    outcome.reason = verdict
                        .reason
                        .map(|reason| name_failed_migration(reason, &outcome.migration_errors));
                }
            }
        }
    }
}

/// The failed migrations the log names. Files the log names only in part are looked for from the
/// working directory (the checkout, in CI).
pub(super) fn failed_migrations(log: &[String], report: &ReportSettings) -> Vec<MigrationError> {
    let Ok(recognizer) = Recognizer::new(report.error_pattern.as_deref(), &report.path_map) else {
        return Vec::new();
    };
    let mut errors = recognizer.scan(log);
    locate::resolve_in(Path::new("."), &mut errors);
    errors
}

/// Adds which migration failed, where, and why, when the log shows it.
pub(super) fn name_failed_migration(reason: String, errors: &[MigrationError]) -> String {
    let Some(error) = errors.first() else {
        return reason;
    };
    format!(
        "{reason}; {} migration {} failed: {}",
        error.tool,
        error.location(),
        error.message
    )
}

/// The task's own run time, from ECS's timestamps, when it has them: until its execution
/// stopped (the migration exited), or until STOPPED.
fn record_task_times(outcome: &mut Outcome, task: &Task) {
    let ended = task.execution_stopped_at().or(task.stopped_at());
    if let (Some(created), Some(stopped)) = (task.created_at(), ended) {
        let seconds = stopped.secs() - created.secs();
        if let Ok(seconds) = u64::try_from(seconds) {
            outcome.duration_seconds = Some(seconds);
        }
    }
}

fn stopped_task(task: &Task, prepared: &Prepared) -> StoppedTask {
    let definitions = prepared.derived.task_definition["containerDefinitions"].as_array();
    let essential = |name: &str| {
        definitions
            .into_iter()
            .flatten()
            .find(|definition| definition["name"] == name)
            .is_none_or(|definition| definition["essential"] != false)
    };
    let task_stopped = task.last_status() == Some("STOPPED");
    StoppedTask {
        stop_code: task.stop_code().map(|code| code.as_str().to_owned()),
        stopped_reason: task.stopped_reason().map(str::to_owned),
        containers: task
            .containers()
            .iter()
            .map(|container| {
                let name = container.name().unwrap_or_default().to_owned();
                ContainerResult {
                    essential: essential(&name),
                    running: !task_stopped
                        && container.exit_code().is_none()
                        && container.last_status() != Some("STOPPED"),
                    exit_code: container.exit_code(),
                    reason: container.reason().map(str::to_owned),
                    name,
                }
            })
            .collect(),
    }
}
