//! The lock's staleness rules: a holder's task that DescribeTasks calls MISSING right after
//! RunTask is still starting, not over.

use super::*;

fn holder(started: Option<u64>) -> Holder {
    Holder {
        token: "t".into(),
        run: None,
        task: Some("arn:aws:ecs:us-east-1:1:task/c/abc".into()),
        started,
        expires: u64::MAX,
    }
}

#[test]
fn a_missing_task_recorded_moments_ago_is_not_over() {
    let recorded = 1_000_000;
    assert!(!holder(Some(recorded)).task_over(HolderTask::Missing, recorded + 2));
    assert!(
        !holder(Some(recorded))
            .task_over(HolderTask::Missing, recorded + MISSING_GRACE.as_secs() - 1)
    );
}

#[test]
fn a_task_missing_beyond_the_grace_period_is_gone() {
    let recorded = 1_000_000;
    assert!(
        holder(Some(recorded)).task_over(HolderTask::Missing, recorded + MISSING_GRACE.as_secs())
    );
}

#[test]
fn a_stopped_task_is_over_at_once_and_a_running_one_never() {
    assert!(holder(Some(5)).task_over(HolderTask::Stopped, 5));
    assert!(!holder(Some(5)).task_over(HolderTask::Alive, u64::MAX));
}

#[test]
fn a_holder_that_never_said_when_its_task_started_waits_for_its_expiry_when_missing() {
    // Written by an older ecs-migrate: only `expires` ends a MISSING holder.
    assert!(!holder(None).task_over(HolderTask::Missing, u64::MAX));
    let old: Holder =
        serde_json::from_str(r#"{"token":"t","run":null,"task":"x","expires":1}"#).unwrap();
    assert_eq!(old.started, None);
    assert!(old.expired());
}
