//! Turns how the wait ended into the outcome users see: status, exit code, reason, duration.

use aws_sdk_ecs::types::Task;

use crate::hints;
use crate::outcome::{Outcome, Status};
use crate::task::evaluate::{ContainerResult, StoppedTask, evaluate};
use crate::task::{Interruption, WaitEnd};

use super::prepare::Prepared;

/// Fills the outcome from how the wait ended.
pub fn judge(outcome: &mut Outcome, prepared: &Prepared, end: WaitEnd) {
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
        WaitEnd::Stopped { task, interrupted } => {
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
                    outcome.reason = verdict.reason;
                }
            }
        }
    }
}

/// The task's own run time, from ECS's timestamps, when it has them.
fn record_task_times(outcome: &mut Outcome, task: &Task) {
    if let (Some(created), Some(stopped)) = (task.created_at(), task.stopped_at()) {
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
                    exit_code: container.exit_code(),
                    reason: container.reason().map(str::to_owned),
                    name,
                }
            })
            .collect(),
    }
}
