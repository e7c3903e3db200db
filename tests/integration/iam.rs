//! IAM denials, as AWS words them: an optional step (reading logs, the migration lock) is
//! skipped with a warning naming the action and the resource and the result stays the same; a
//! required step (RunTask) exits 3 with the action to grant.

use serde_json::json;

use crate::support::aws::World;
use crate::support::binary::{Run, against, run_args};
use crate::support::stack::{Stack, require_stack};

/// Runs `command` as the test's key with `deny` denied.
fn run_denied(stack: &Stack, world: &World, deny: &[&str], command: &str) -> Run {
    world.app_service(stack, 512);
    deny_and_run(stack, world, deny, command)
}

/// Runs `command` as the test's key, with `deny` denied from now on.
fn deny_and_run(stack: &Stack, world: &World, deny: &[&str], command: &str) -> Run {
    stack.set_behaviour(
        &world.access_key,
        json!({"deny_actions": deny, "teardown_ms": 0}),
    );
    let dir = tempfile::tempdir().unwrap();
    against(
        stack,
        &world.access_key,
        dir.path(),
        &[
            "run",
            "--output",
            "json",
            "--cluster",
            &world.cluster,
            "--service",
            &world.service,
            "--poll-interval",
            "250ms",
            "--command",
            command,
        ],
    )
}

fn warnings(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|line| line.starts_with("warning:") || line.starts_with("::warning"))
        .collect()
}

#[test]
fn logs_denied_skips_the_log_with_one_named_warning_and_keeps_the_result() {
    let stack = require_stack!();
    let world = World::new(&stack, "iam-logs");
    let run = run_denied(
        &stack,
        &world,
        &["logs:GetLogEvents"],
        "sh -c 'echo unreadable line; exit 5'",
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(run.json()["exit-code"], 5, "{}", run.transcript());
    let denied: Vec<&str> = warnings(&run)
        .into_iter()
        .filter(|line| line.contains("logs:GetLogEvents"))
        .collect();
    assert_eq!(denied.len(), 1, "{}", run.transcript());
    let group_arn = format!(
        "arn:aws:logs:us-east-1:123456789012:log-group:{}",
        world.log_group
    );
    assert!(denied[0].contains(&group_arn), "{}", denied[0]);
    assert!(
        run.stderr
            .contains(&format!("fix: grant logs:GetLogEvents on {group_arn}")),
        "{}",
        run.transcript()
    );
    assert!(
        !run.stderr.contains("unreadable line"),
        "{}",
        run.transcript()
    );
}

#[test]
fn lock_denied_runs_without_it_with_a_named_warning() {
    let stack = require_stack!();
    let world = World::new(&stack, "iam-lock");
    let run = run_denied(&stack, &world, &["ssm:PutParameter"], "echo applied");
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.json()["status"], "succeeded");
    assert!(run.stderr.contains("applied\n"), "{}", run.transcript());
    let lock = warnings(&run)
        .into_iter()
        .find(|line| line.contains("cannot take the migration lock"))
        .unwrap_or_else(|| panic!("{}", run.transcript()));
    assert!(
        lock.contains(
            "is not authorized to perform: ssm:PutParameter on resource: \
                       arn:aws:ssm:us-east-1:123456789012:parameter/ecs-migrate/locks/"
        ),
        "{lock}"
    );
    assert_eq!(stack.tasks(&world.access_key).len(), 1);
}

#[test]
fn lock_release_denied_is_a_warning_and_the_result_stands() {
    let stack = require_stack!();
    let world = World::new(&stack, "iam-release");
    let run = run_denied(&stack, &world, &["ssm:DeleteParameter"], "echo applied");
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.json()["status"], "succeeded");
    let release = warnings(&run)
        .into_iter()
        .find(|line| line.contains("could not release the migration lock"))
        .unwrap_or_else(|| panic!("{}", run.transcript()));
    assert!(release.contains("ssm:DeleteParameter"), "{release}");
}

#[test]
fn runtask_denied_exits_3_naming_the_action_and_starts_nothing() {
    let stack = require_stack!();
    let world = World::new(&stack, "iam-runtask");
    let run = run_denied(&stack, &world, &["ecs:RunTask"], "echo applied");
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(
        run.stderr.contains("AccessDeniedException"),
        "{}",
        run.transcript()
    );
    let family = format!(
        "arn:aws:ecs:us-east-1:123456789012:task-definition/{}-migrate:",
        world.family
    );
    assert!(
        run.stderr
            .contains(&format!("fix: grant ecs:RunTask on {family}")),
        "{}",
        run.transcript()
    );
    assert!(stack.tasks(&world.access_key).is_empty());
    // Nothing runs, so the lock is let go at once.
    assert!(
        stack
            .actions(&world.access_key)
            .contains(&"DeleteParameter".to_owned()),
        "{:?}",
        stack.actions(&world.access_key)
    );
}

#[test]
fn tagging_on_create_denied_exits_3_naming_ecs_tagresource_and_starts_nothing() {
    let stack = require_stack!();
    let world = World::new(&stack, "iam-tagging");
    // ECS authorizes the tags of RegisterTaskDefinition and RunTask as ecs:TagResource: a
    // policy allowing both calls but not tagging fails at the first one that tags.
    let run = run_denied(&stack, &world, &["ecs:TagResource"], "echo applied");
    assert_eq!(run.code, 3, "{}", run.transcript());
    let denied = stack
        .requests(&world.access_key)
        .into_iter()
        .find(|request| request["injected"] == "denied_tagging")
        .unwrap_or_else(|| panic!("nothing was denied: {}", run.transcript()));
    assert_eq!(denied["action"], "RegisterTaskDefinition");
    let family = format!(
        "arn:aws:ecs:us-east-1:123456789012:task-definition/{}-migrate",
        world.family
    );
    assert!(
        run.stderr
            .contains(&format!("fix: grant ecs:TagResource on {family}")),
        "{}",
        run.transcript()
    );
    assert!(stack.tasks(&world.access_key).is_empty());
    assert!(!run.stderr.contains("applied\n"), "{}", run.transcript());

    // Registered once with tagging allowed, the definition is reused untagged: then RunTask,
    // which tags the task with the run's token, is the call denied.
    stack.set_behaviour(&world.access_key, json!({"teardown_ms": 0}));
    let dir = tempfile::tempdir().unwrap();
    let allowed = against(
        &stack,
        &world.access_key,
        dir.path(),
        &run_args(&world, "echo applied"),
    );
    assert_eq!(allowed.code, 0, "{}", allowed.transcript());
    let rerun = deny_and_run(&stack, &world, &["ecs:TagResource"], "echo applied");
    assert_eq!(rerun.code, 3, "{}", rerun.transcript());
    let tasks = format!(
        "arn:aws:ecs:us-east-1:123456789012:task/{}/*",
        world.cluster
    );
    assert!(
        rerun
            .stderr
            .contains(&format!("fix: grant ecs:TagResource on {tasks}")),
        "{}",
        rerun.transcript()
    );
    assert_eq!(
        stack.tasks(&world.access_key).len(),
        1,
        "the denied run started a task"
    );
}
