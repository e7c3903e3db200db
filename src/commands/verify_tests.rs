use super::*;
use crate::tools::Listed;

fn check(expect: Option<&str>) -> Check {
    Check {
        name: "users".into(),
        command: vec!["sh".into(), "-c".into(), "true".into()],
        expect: expect.map(str::to_owned),
    }
}

fn run(status: Status, exit_code: Option<i32>, log: &[&str]) -> CheckRun {
    CheckRun {
        status,
        exit_code,
        reason: None,
        log: log.iter().map(|line| (*line).to_owned()).collect(),
    }
}

#[test]
fn a_check_passes_on_exit_0_and_a_matching_line() {
    let ok = run(
        Status::Succeeded,
        Some(0),
        &["connecting", "users: 3", "done"],
    );
    assert_eq!(judge_check(&check(None), &ok), Ok(()));
    assert_eq!(judge_check(&check(Some(r"^users: [1-9]")), &ok), Ok(()));
    assert_eq!(judge_check(&check(Some(r"users: \d+\ndone$")), &ok), Ok(()));
}

#[test]
fn a_failed_check_says_what_was_expected_and_what_was_seen() {
    let seen = run(Status::Succeeded, Some(0), &["a", "", "b", "c", "users: 0"]);
    assert_eq!(
        judge_check(&check(Some(r"^users: [1-9]")), &seen),
        Err(r#"expected output matching "^users: [1-9]", saw "b" / "c" / "users: 0""#.to_owned())
    );
    let crashed = run(
        Status::Failed,
        Some(2),
        &["relation \"users\" does not exist"],
    );
    assert_eq!(
        judge_check(&check(Some("users")), &crashed),
        Err(r#"exited with code 2; last lines: "relation \"users\" does not exist""#.to_owned())
    );
    let silent = run(Status::Succeeded, Some(0), &[]);
    assert_eq!(
        judge_check(&check(Some("x")), &silent),
        Err(r#"expected output matching "x", saw no output"#.to_owned())
    );
}

#[test]
fn pending_migrations_fail_verify_pending() {
    assert_eq!(judge_pending(&[]), Ok(()));
    assert_eq!(
        judge_pending(&["0003_c".into(), "0004_d".into()]),
        Err("the status after the migration lists 2 pending: 0003_c, 0004_d".to_owned())
    );
}

#[test]
fn a_failed_check_fails_the_run_with_both_facts_in_the_reason() {
    let mut outcome = Outcome::new("db", Status::Succeeded);
    outcome.hint = Some("unrelated".into());
    failed(&mut outcome, "users", Status::Failed, "expected x");
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        outcome.reason.as_deref(),
        Some("migrated, but verification users failed: expected x")
    );
    assert_eq!(outcome.hint, None);
    assert_eq!(outcome.status.exit_code(), 1);
}

fn status(applied: &[&str], pending: &[&str]) -> tools::StatusReport {
    tools::StatusReport {
        applied: applied.iter().map(|name| (*name).to_owned()).collect(),
        pending: pending.iter().map(|name| (*name).to_owned()).collect(),
        version: applied.last().map(|name| (*name).to_owned()),
        ..tools::StatusReport::default()
    }
}

fn migrated(applied: &[&str], version: Option<Version>) -> Outcome {
    let mut outcome = Outcome::new("db", Status::Succeeded);
    outcome.applied = Some(applied.iter().map(|name| (*name).to_owned()).collect());
    outcome.version = version;
    outcome
}

fn change(before: Option<&str>, after: Option<&str>) -> Option<Version> {
    Some(Version::Change {
        before: before.map(str::to_owned),
        after: after.map(str::to_owned),
    })
}

#[test]
fn the_status_after_gives_pending_and_the_version_before_the_first_applied() {
    // Rails prints only what it applied: the status names the one applied before them.
    let mut outcome = migrated(&["3", "4"], change(None, Some("4")));
    read_status_after(
        &mut outcome,
        &status(&["1", "2", "3", "4"], &["5"]),
        Listed::BOTH,
    );
    assert_eq!(outcome.pending, Some(vec!["5".to_owned()]));
    assert_eq!(outcome.version, change(Some("2"), Some("4")));
    // From an empty schema there was no version before.
    let mut outcome = migrated(&["1"], change(None, Some("1")));
    read_status_after(&mut outcome, &status(&["1"], &[]), Listed::BOTH);
    assert_eq!(outcome.version, change(None, Some("1")));
}

#[test]
fn a_run_that_applied_nothing_stays_at_the_status_version() {
    let mut outcome = migrated(&[], change(None, None));
    read_status_after(&mut outcome, &status(&["1", "2"], &[]), Listed::BOTH);
    assert_eq!(outcome.version, change(Some("2"), Some("2")));
    assert_eq!(outcome.pending, Some(Vec::new()));
}

#[test]
fn the_version_before_from_the_output_is_kept() {
    // Alembic says where it started; the status confirms where it ended.
    let mut outcome = migrated(&["b2"], change(Some("a1"), Some("b2")));
    read_status_after(
        &mut outcome,
        &status(&["x0", "a1", "b2"], &[]),
        Listed::BOTH,
    );
    assert_eq!(outcome.version, change(Some("a1"), Some("b2")));
}

#[test]
fn a_status_without_a_version_changes_only_pending() {
    let mut outcome = migrated(&["3"], change(None, Some("3")));
    let only_pending = tools::StatusReport {
        pending: vec!["4".into()],
        ..tools::StatusReport::default()
    };
    read_status_after(&mut outcome, &only_pending, Listed::BOTH);
    assert_eq!(outcome.pending, Some(vec!["4".to_owned()]));
    assert_eq!(outcome.version, change(None, Some("3")));
}

#[test]
fn a_status_that_does_not_list_pending_leaves_it_unknown_not_empty() {
    // golang-migrate's status is its version alone: nothing is known to be pending, or not.
    let mut outcome = migrated(&["3"], change(None, Some("3")));
    let version_only = tools::StatusReport {
        version: Some("3".into()),
        ..tools::StatusReport::default()
    };
    read_status_after(&mut outcome, &version_only, Listed::NEITHER);
    assert_eq!(outcome.pending, None);
    assert_eq!(outcome.version, change(None, Some("3")));
}
