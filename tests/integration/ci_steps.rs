//! Which runs of ecs-migrate in one CI attempt share a task. A retry of a step whose runner died
//! attaches to the task it started (never a second one); another step, or a later run in the same
//! step after the first was reported, starts its own (never reports an earlier task as its own).

use serde_json::json;

use crate::support::aws::World;
use crate::support::binary::{Run, against_with_env, collect, run_args, signal, spawn};
use crate::support::stack::{Stack, require_stack};

/// The Actions variables of step `action` of job `migrate` in run `run_id`, attempt 1.
fn step(run_id: &'static str, action: &'static str) -> [(&'static str, &'static str); 8] {
    [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
        ("GITHUB_SERVER_URL", "https://github.example"),
        ("GITHUB_REPOSITORY", "acme/app"),
        ("GITHUB_RUN_ID", run_id),
        ("GITHUB_RUN_ATTEMPT", "1"),
        ("GITHUB_JOB", "migrate"),
        ("GITHUB_ACTION", action),
    ]
}

fn migrate_in(stack: &Stack, world: &World, args: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let run = against_with_env(stack, &world.access_key, dir.path(), args, env);
    assert_eq!(run.code, 0, "{}", run.transcript());
    run
}

/// A try whose runner dies (SIGKILL: no chance to stop the task or report) once its task runs.
fn runner_dies_while_running(stack: &Stack, world: &World, args: &[&str], env: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let lost = spawn(stack, &world.access_key, dir.path(), args, env);
    stack.task_in(&world.access_key, "RUNNING");
    signal(&lost, "KILL");
    let _ = collect(lost);
}

#[test]
fn a_retried_step_attaches_to_the_task_it_already_started() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "retried-step", 64);
    let github = step("4242", "__run");
    let args = run_args(&world, "sh -c 'sleep 3; echo applied once'");
    runner_dies_while_running(&stack, &world, &args, &github);
    let retried = migrate_in(&stack, &world, &args, &github);
    assert_eq!(
        stack.tasks(&world.access_key).len(),
        1,
        "a second task was started"
    );
    assert!(
        retried.stderr.contains("applied once\n"),
        "{}",
        retried.transcript()
    );
}

/// `first` then `second` (each run to success): the second starts and reports a task of its own,
/// and each tags its task as reported once it has told its result.
fn second_runs_its_own_task(
    stack: &Stack,
    world: &World,
    (first_args, first_env): (&[&str], &[(&str, &str)]),
    (second_args, second_env): (&[&str], &[(&str, &str)]),
) {
    let first = migrate_in(stack, world, first_args, first_env);
    let second = migrate_in(stack, world, second_args, second_env);
    let transcripts = format!("{}\n{}", first.transcript(), second.transcript());
    assert_eq!(stack.tasks(&world.access_key).len(), 2, "{transcripts}");
    assert_ne!(
        first.json()["task-arn"],
        second.json()["task-arn"],
        "the second run reported the first's task\n{transcripts}"
    );
    assert!(second.stderr.contains("migrated\n"), "{transcripts}");
    let tagged = stack
        .requests(&world.access_key)
        .into_iter()
        .filter(|request| request["action"] == "TagResource" && request["status"] == 200)
        .count();
    assert_eq!(
        tagged, 2,
        "each run tags its task as reported\n{transcripts}"
    );
}

/// `run`, `down`, `run` as three steps of one job: the third step is a migration of its own,
/// not the first step's task again (which would report a migration that did not happen).
#[test]
fn another_step_of_the_same_attempt_starts_its_own_task() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "later-step", 64);
    let args = run_args(&world, "echo migrated");
    second_runs_its_own_task(
        &stack,
        &world,
        (&args, &step("4243", "__run")),
        (&args, &step("4243", "__run_3")),
    );
}

/// Two runs in one shell step (or one CodeBuild build) share the step's token: once the first
/// has reported its result and tagged its task so, the second starts a task of its own.
#[test]
fn a_second_run_in_one_step_starts_its_own_task_once_the_first_was_reported() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "same-step", 64);
    let args = run_args(&world, "echo migrated");
    let github = step("4244", "__run");
    second_runs_its_own_task(&stack, &world, (&args, &github), (&args, &github));
}

/// The runner dies during the second run of a step; the retry attaches to that second task, not
/// the first (reported) one, and starts none.
#[test]
fn a_retry_of_the_second_run_in_a_step_attaches_to_the_second_task() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "same-step-retry", 64);
    let github = step("4245", "__run");
    let args = run_args(&world, "sh -c 'sleep 3; echo applied by the second'");
    let first = migrate_in(&stack, &world, &args, &github);
    runner_dies_while_running(&stack, &world, &args, &github);
    let retried = migrate_in(&stack, &world, &args, &github);
    let tasks = stack.tasks(&world.access_key);
    assert_eq!(tasks.len(), 2, "a third task was started: {tasks:?}");
    assert_ne!(first.json()["task-arn"], retried.json()["task-arn"]);
    assert!(
        retried.stderr.contains("applied by the second\n"),
        "{}",
        retried.transcript()
    );
}

/// The runner died during the first try; the retry comes with a changed RunTask setting (same
/// token, other parameters): ECS refuses it, and it exits 2 naming the task, starting nothing.
#[test]
fn a_retry_with_other_parameters_exits_2_and_starts_nothing() {
    let stack = require_stack!();
    let world = World::with_service(&stack, "token-conflict", 512, json!({"teardown_ms": 0}));
    let dir = tempfile::tempdir().unwrap();
    let github = step("777", "__run");
    let args = run_args(&world, "sh -c 'sleep 3; echo applied'");
    runner_dies_while_running(&stack, &world, &args, &github);
    let mut changed = args.clone();
    changed.extend(["--platform-version", "1.4.0"]);
    let retried = against_with_env(&stack, &world.access_key, dir.path(), &changed, &github);
    assert_eq!(retried.code, 2, "{}", retried.transcript());
    for words in [
        "RunTask refused clientToken",
        "other parameters within the last 24 hours",
        "Nothing was started",
        "Re-run the whole workflow",
    ] {
        assert!(retried.stderr.contains(words), "{}", retried.transcript());
    }
    let tasks = stack.tasks(&world.access_key);
    assert_eq!(tasks.len(), 1, "a second task was started: {tasks:?}");
    assert!(
        retried
            .stderr
            .contains(tasks[0]["task_arn"].as_str().unwrap()),
        "the conflict should name the task the token started: {}",
        retried.transcript()
    );
}

/// A later run in the same step with other flags meets the first run's token used with other
/// parameters; that task was reported, so it is an earlier run, not a retry: its own task.
#[test]
fn a_later_run_in_one_step_with_other_flags_starts_its_own_task() {
    let stack = require_stack!();
    let world = World::with_service(&stack, "later-flags", 512, json!({"teardown_ms": 0}));
    let github = step("778", "__run");
    let args = run_args(&world, "echo migrated");
    let mut changed = args.clone();
    changed.extend(["--platform-version", "1.4.0"]);
    second_runs_its_own_task(&stack, &world, (&args, &github), (&changed, &github));
}
