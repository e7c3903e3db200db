use super::*;

fn container(name: &str, exit_code: Option<i32>, reason: Option<&str>) -> ContainerResult {
    ContainerResult {
        name: name.to_owned(),
        exit_code,
        reason: reason.map(str::to_owned),
        essential: true,
        running: false,
    }
}

fn stopped(stop_code: &str, containers: Vec<ContainerResult>) -> StoppedTask {
    StoppedTask {
        stop_code: Some(stop_code.to_owned()),
        stopped_reason: Some("Essential container in task exited".to_owned()),
        containers,
    }
}

#[test]
fn exit_zero_of_the_migration_container_succeeds() {
    let task = stopped(
        "EssentialContainerExited",
        vec![container("app", Some(0), None)],
    );
    let verdict = evaluate(&task, "app");
    assert!(verdict.succeeded);
    assert_eq!(verdict.exit_code, Some(0));
}

#[test]
fn a_non_zero_exit_fails_and_keeps_the_code() {
    let task = stopped(
        "EssentialContainerExited",
        vec![container("app", Some(3), None)],
    );
    let verdict = evaluate(&task, "app");
    assert!(!verdict.succeeded);
    assert_eq!(verdict.exit_code, Some(3));
    assert_eq!(
        verdict.reason.as_deref(),
        Some("container \"app\" exited with code 3")
    );
}

#[test]
fn an_oom_kill_names_the_reason() {
    let oom = "OutOfMemoryError: Container killed due to memory usage";
    let task = stopped(
        "EssentialContainerExited",
        vec![container("app", Some(137), Some(oom))],
    );
    let verdict = evaluate(&task, "app");
    assert!(!verdict.succeeded);
    assert!(verdict.reason.unwrap().ends_with(oom));
}

#[test]
fn failed_to_start_wins_over_everything() {
    let mut task = stopped(
        "TaskFailedToStart",
        vec![container("app", None, Some("CannotPullContainerError: x"))],
    );
    task.stopped_reason = Some("CannotPullContainerError: pull failed".to_owned());
    let verdict = evaluate(&task, "app");
    assert!(!verdict.succeeded);
    assert_eq!(verdict.exit_code, None);
    assert_eq!(
        verdict.reason.as_deref(),
        Some("the task failed to start: CannotPullContainerError: pull failed")
    );
}

#[test]
fn a_missing_exit_code_is_a_failure() {
    let task = stopped(
        "EssentialContainerExited",
        vec![container("app", None, None)],
    );
    assert!(!evaluate(&task, "app").succeeded);
}

#[test]
fn a_missing_migration_container_is_a_failure() {
    let task = stopped(
        "EssentialContainerExited",
        vec![container("web", Some(0), None)],
    );
    let verdict = evaluate(&task, "app");
    assert!(!verdict.succeeded);
    assert!(
        verdict
            .reason
            .unwrap()
            .contains("\"app\" is not in the stopped task")
    );
}

#[test]
fn an_interrupted_task_fails_even_if_the_container_exited_zero() {
    let task = stopped("SpotInterruption", vec![container("app", Some(0), None)]);
    let verdict = evaluate(&task, "app");
    assert!(!verdict.succeeded);
    assert!(verdict.reason.unwrap().contains("SpotInterruption"));
}

#[test]
fn sidecars_stopped_by_ecs_after_the_migration_do_not_fail_it() {
    let task = stopped(
        "EssentialContainerExited",
        vec![
            container("app", Some(0), None),
            container("agent", Some(143), None),
        ],
    );
    assert!(evaluate(&task, "app").succeeded);
}

#[test]
fn a_crashed_essential_sidecar_fails_the_migration() {
    let task = stopped(
        "EssentialContainerExited",
        vec![
            container("app", Some(0), None),
            container("agent", Some(1), None),
        ],
    );
    let verdict = evaluate(&task, "app");
    assert!(!verdict.succeeded);
    assert_eq!(
        verdict.reason.as_deref(),
        Some("essential container \"agent\" failed: exited with code 1")
    );
}

#[test]
fn non_essential_sidecars_are_ignored() {
    let mut sidecar = container("agent", Some(1), None);
    sidecar.essential = false;
    let task = stopped(
        "EssentialContainerExited",
        vec![container("app", Some(0), None), sidecar],
    );
    assert!(evaluate(&task, "app").succeeded);
}

#[test]
fn an_essential_sidecar_still_running_in_the_teardown_is_no_failure() {
    let mut proxy = container("proxy", None, None);
    proxy.running = true;
    let task = StoppedTask {
        stop_code: None,
        stopped_reason: None,
        containers: vec![container("app", Some(0), None), proxy],
    };
    let verdict = evaluate(&task, "app");
    assert!(verdict.succeeded, "{verdict:?}");
}

#[test]
fn a_sidecar_that_failed_before_the_migration_exited_still_fails_the_run() {
    let mut proxy = container("proxy", Some(1), None);
    proxy.running = false;
    let mut waiting = container("metrics", None, None);
    waiting.running = true;
    let task = StoppedTask {
        stop_code: Some("EssentialContainerExited".to_owned()),
        stopped_reason: None,
        containers: vec![container("app", Some(0), None), waiting, proxy],
    };
    let verdict = evaluate(&task, "app");
    assert!(!verdict.succeeded);
    assert_eq!(
        verdict.reason.as_deref(),
        Some("essential container \"proxy\" failed: exited with code 1")
    );
}
