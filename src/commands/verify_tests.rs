use super::*;

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
