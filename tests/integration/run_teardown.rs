//! The result the moment the migration exits: with the stand-in's Fargate-like teardown (STOPPED
//! seconds after the migration container exited) and a final log batch readable late, `run`
//! reports from the exit, drains every line, and does not wait for STOPPED. Timing is the
//! benchmark's business: these tests assert what the stand-in saw when the binary was done.

use aws_sdk_ecs::types::ContainerDefinition;
use serde_json::{Value, json};

use crate::support::aws::World;
use crate::support::binary::{Run, collect, migrate, run_args, signal, spawn};
use crate::support::stack::{Stack, require_stack};

/// A teardown long enough that a tool waiting for STOPPED is still waiting when ours is done.
const LONG_TEARDOWN_MS: u64 = 10_000;

/// The one task the test's key started, as the stand-in sees it now.
fn the_task(stack: &Stack, world: &World) -> Value {
    let tasks = stack.tasks(&world.access_key);
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    tasks[0].clone()
}

/// The task had not reached STOPPED when the binary had already printed its result and exited,
/// though its migration container had exited (executionStoppedAt is set).
fn assert_ended_before_stopped(task: &Value, run: &Run) {
    assert_ne!(
        task["last_status"],
        "STOPPED",
        "{task}\n{}",
        run.transcript()
    );
    assert!(task["execution_stopped_at"].is_f64(), "{task}");
    assert!(
        !run.stderr.contains("task is STOPPED"),
        "{}",
        run.transcript()
    );
}

#[test]
fn the_result_comes_when_the_migration_exits_not_when_the_task_is_stopped() {
    let stack = require_stack!();
    let world = World::with_service(
        &stack,
        "teardown-success",
        64,
        json!({"teardown_ms": LONG_TEARDOWN_MS}),
    );
    let run = migrate(&stack, &world, "sh -c 'echo migrating; echo done'", &[]);
    let task = the_task(&stack, &world);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["status"], "succeeded");
    assert_eq!(result["exit-code"], 0);
    assert!(run.stderr.contains("done\n"), "{}", run.transcript());
    assert!(
        run.stderr.contains("container app exited (code 0)"),
        "{}",
        run.transcript()
    );
    assert_ended_before_stopped(&task, &run);
    // The task ended on its own: the early end stopped nothing.
    let actions = stack.actions(&world.access_key);
    assert!(
        !actions.iter().any(|action| action == "StopTask"),
        "{actions:?}"
    );
}

#[test]
fn a_failing_exit_code_is_judged_during_the_teardown() {
    let stack = require_stack!();
    let world = World::with_service(
        &stack,
        "teardown-failure",
        64,
        json!({"teardown_ms": LONG_TEARDOWN_MS}),
    );
    let run = migrate(
        &stack,
        &world,
        "sh -c 'echo applying 0007_backfill; echo boom: column missing; exit 3'",
        &[],
    );
    let task = the_task(&stack, &world);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["status"], "failed");
    assert_eq!(result["exit-code"], 3);
    let reason = result["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("exited with code 3"), "{reason}");
    assert!(
        run.stderr.contains("boom: column missing\n"),
        "{}",
        run.transcript()
    );
    assert_ended_before_stopped(&task, &run);
}

/// `line 1` .. `line n` exactly once each, in order, in what the user saw.
fn assert_every_line_once_in_order(run: &Run, n: usize) {
    let lines = run.lines_starting_with("line ");
    let expected: Vec<String> = (1..=n).map(|number| format!("line {number}")).collect();
    assert_eq!(lines.len(), n, "got {} lines", lines.len());
    assert!(
        lines.iter().zip(&expected).all(|(got, want)| got == want),
        "lines out of order or altered"
    );
}

const TWO_THOUSAND_LINES: &str =
    "sh -c 'i=1; while [ $i -le 2000 ]; do echo \"line $i\"; i=$((i+1)); done'";

#[test]
fn a_last_batch_late_by_up_to_the_default_drain_window_is_not_lost() {
    let stack = require_stack!();
    // The default drain window is 5 s; the last batch (the last lines printed just before the
    // exit) becomes readable as late as that: 5 s after the container's process exited.
    let world = World::with_service(
        &stack,
        "late-last-batch",
        64,
        json!({"final_log_delay_ms": 5000, "teardown_ms": LONG_TEARDOWN_MS}),
    );
    let run = migrate(&stack, &world, TWO_THOUSAND_LINES, &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_every_line_once_in_order(&run, 2000);
    assert_ended_before_stopped(&the_task(&stack, &world), &run);
}

#[test]
fn log_drain_widens_the_window_for_a_later_last_batch() {
    let stack = require_stack!();
    // Later than the default window: only `--log-drain 8s` waits for it.
    let world = World::with_service(
        &stack,
        "log-drain-flag",
        64,
        json!({"final_log_delay_ms": 6500, "teardown_ms": 0}),
    );
    let run = migrate(&stack, &world, TWO_THOUSAND_LINES, &["--log-drain", "8s"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_every_line_once_in_order(&run, 2000);
}

#[test]
fn an_essential_sidecar_still_running_at_the_exit_does_not_fail_the_run() {
    let stack = require_stack!();
    let world = World::new(&stack, "running-sidecar");
    // `sleep` as PID 1 ignores SIGTERM: the sidecar runs until ECS kills it after stopTimeout.
    let proxy = ContainerDefinition::builder()
        .name("proxy")
        .image(&stack.image)
        .essential(true)
        .command("sleep")
        .command("300")
        .stop_timeout(30)
        .build();
    world.app_service_with(&stack, 64, vec![proxy]);
    stack.set_behaviour(&world.access_key, json!({"teardown_ms": 0}));
    let run = migrate(
        &stack,
        &world,
        "sh -c 'echo migrated'",
        &["--container", "app", "--keep-containers", "all"],
    );
    let task = the_task(&stack, &world);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.json()["status"], "succeeded");
    let proxy = task["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|container| container["name"] == "proxy")
        .cloned()
        .unwrap_or_else(|| panic!("no proxy container in {task}"));
    assert!(proxy["exit_code"].is_null(), "{proxy}");
    assert_ended_before_stopped(&task, &run);
}

/// Waits (bounded) until the run is draining: its migration container exited, a DescribeTasks
/// answered after that, and then the run read logs (a draining run makes no more task polls).
fn wait_until_draining(stack: &Stack, world: &World) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let exited = stack
            .tasks(&world.access_key)
            .first()
            .and_then(|task| task["execution_stopped_at"].as_f64());
        let requests = stack.requests(&world.access_key);
        let time_of = |request: &Value| request["time"].as_f64().unwrap_or_default();
        let revealing = exited.and_then(|exited| {
            requests
                .iter()
                .filter(|request| request["action"] == "DescribeTasks" && request["status"] == 200)
                .map(time_of)
                .find(|time| *time > exited)
        });
        let reading_after = revealing.is_some_and(|revealed| {
            requests
                .iter()
                .any(|request| request["action"] == "GetLogEvents" && time_of(request) > revealed)
        });
        if reading_after {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run never drained: {:?}",
            stack.tasks(&world.access_key)
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn a_cancel_while_draining_keeps_the_migration_s_result_and_stops_the_task() {
    let stack = require_stack!();
    // The last batch lands 20 s after the exit and the run would drain for up to 60 s: the
    // signal comes while it drains.
    let world = World::with_service(
        &stack,
        "drain-cancel",
        64,
        json!({"final_log_delay_ms": 20_000, "teardown_ms": LONG_TEARDOWN_MS}),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut args = run_args(&world, "sh -c 'echo migrated; echo last line'");
    args.extend_from_slice(&["--log-drain", "60s"]);
    let child = spawn(&stack, &world.access_key, dir.path(), &args, &[]);
    wait_until_draining(&stack, &world);
    let signalled = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    signal(&child, "TERM");
    let run = collect(child);

    assert_eq!(
        run.code,
        0,
        "the migration succeeded before the signal\n{}",
        run.transcript()
    );
    assert_eq!(run.json()["status"], "succeeded", "{}", run.transcript());
    assert!(
        run.stderr.contains("some may be missing"),
        "the user is told the last lines may be missing\n{}",
        run.transcript()
    );
    let stops: Vec<Value> = stack
        .requests(&world.access_key)
        .into_iter()
        .filter(|request| request["action"] == "StopTask")
        .collect();
    assert_eq!(
        stops.len(),
        1,
        "on_cancel: stop sends one StopTask: {stops:?}"
    );
    assert!(stops[0]["time"].as_f64().unwrap() >= signalled, "{stops:?}");
}
