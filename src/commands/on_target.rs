//! `plan --status`: what the tool's status task on the target says, folded into the plan's
//! result. Run with the image the plan would run (a pull request's own build), its pending list
//! is what merging would apply: the pull request's migrations plus any merged ones not applied
//! yet. A status task that fails, or a half-migrated database, fails the plan: the run after
//! the merge would meet the same database.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::outcome::{Outcome, Status};

/// Folds the status task's result into the plan's.
pub fn fold(plan: &mut Outcome, status_task: &Outcome) {
    plan.task_arn.clone_from(&status_task.task_arn);
    plan.task_url.clone_from(&status_task.task_url);
    plan.log_url.clone_from(&status_task.log_url);
    plan.task_definition_arn
        .clone_from(&status_task.task_definition_arn);
    plan.pending.clone_from(&status_task.pending);
    plan.version.clone_from(&status_task.version);
    plan.half_migrated.clone_from(&status_task.half_migrated);
    let said = if status_task.status == Status::Succeeded && status_task.half_migrated.is_none() {
        match status_task.pending_text() {
            Some(pending) => format!("status on the target: pending {pending}"),
            None => "status on the target: the tool's output names no pending list".to_owned(),
        }
    } else {
        if plan.status == Status::Planned {
            plan.status = Status::Failed;
        }
        plan.exit_code = status_task.exit_code;
        plan.hint.clone_from(&status_task.hint);
        plan.log_tail.clone_from(&status_task.log_tail);
        format!(
            "the status task {}: {}",
            status_task.status.as_str(),
            status_task.reason.as_deref().unwrap_or("no reason given")
        )
    };
    plan.reason = Some(match plan.reason.take() {
        Some(review) => format!("{review}; {said}"),
        None => said,
    });
}

/// `plan --output json`'s view of it: `pending` and `version` as `status` names them, and the
/// status task.
pub fn add_to_json(document: &mut Value, plan: &Outcome) {
    document["pending"] = json!(plan.pending);
    document["version"] = json!(plan.version);
    document["status-task"] = json!({
        "task-arn": plan.task_arn,
        "log-url": plan.log_url,
        "reason": plan.reason,
    });
}

/// The text lines after the plan.
pub fn text(plan: &Outcome) -> String {
    let mut text = String::from("\nStatus on the target (what merging would apply):\n");
    let rows = [
        ("task:", plan.task_arn.clone()),
        ("version:", plan.version_text("->")),
        ("pending:", plan.pending_text()),
        ("result:", plan.reason.clone()),
        ("fix:", plan.hint.clone()),
    ];
    for (label, value) in rows {
        if let Some(value) = value {
            let _ = writeln!(text, "  {label:<9} {value}");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Version;

    fn status_task(status: Status) -> Outcome {
        let mut outcome = Outcome::new("app", status);
        outcome.task_arn = Some("arn:aws:ecs:us-east-1:1:task/c/abc".into());
        outcome.pending = Some(vec!["0002_add".into(), "0003_index".into()]);
        outcome.version = Some(Version::Current("0001_init".into()));
        outcome
    }

    #[test]
    fn a_read_status_adds_pending_and_version_and_keeps_the_plan_planned() {
        let mut plan = Outcome::new("app", Status::Planned);
        fold(&mut plan, &status_task(Status::Succeeded));
        assert_eq!(plan.status, Status::Planned);
        assert_eq!(
            plan.pending,
            Some(vec!["0002_add".into(), "0003_index".into()])
        );
        assert_eq!(plan.version, Some(Version::Current("0001_init".into())));
        assert_eq!(
            plan.reason.as_deref(),
            Some("status on the target: pending 0002_add, 0003_index")
        );
    }

    #[test]
    fn a_failed_status_task_fails_the_plan_and_keeps_the_review_reason() {
        let mut plan = Outcome::new("app", Status::Planned);
        plan.reason = Some("review of pull request #12: 0 error(s), 1 warning(s)".into());
        let mut failed = status_task(Status::Failed);
        failed.pending = None;
        failed.exit_code = Some(1);
        failed.reason = Some("the container exited with code 1".into());
        fold(&mut plan, &failed);
        assert_eq!(plan.status, Status::Failed);
        assert_eq!(plan.exit_code, Some(1));
        assert_eq!(
            plan.reason.as_deref(),
            Some(
                "review of pull request #12: 0 error(s), 1 warning(s); the status task failed: \
                 the container exited with code 1"
            )
        );
    }

    #[test]
    fn a_rejected_plan_stays_rejected_when_the_status_task_fails() {
        let mut plan = Outcome::new("app", Status::Rejected);
        fold(&mut plan, &status_task(Status::TimedOut));
        assert_eq!(plan.status, Status::Rejected);
    }
}
