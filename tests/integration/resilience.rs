//! When things go wrong: a cancelled CI job, two runs at once, flaky or absent AWS (a retried
//! step: ci_steps.rs). The task is never left running silently and never started twice.

use serde_json::{Value, json};

use crate::support::aws::World;
use crate::support::binary::{against, collect, run_args, signal, spawn};
use crate::support::stack::require_stack;

#[test]
fn sigterm_while_waiting_stops_the_task_and_exits_130() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "sigterm", 64);
    let dir = tempfile::tempdir().unwrap();
    let child = spawn(
        &stack,
        &world.access_key,
        dir.path(),
        &run_args(&world, "sh -c 'echo started; exec sleep 300'"),
        &[],
    );
    stack.task_in(&world.access_key, "RUNNING");
    let signalled = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    signal(&child, "TERM");
    let run = collect(child);
    assert_eq!(run.code, 130, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["status"], "cancelled");
    assert_eq!(result["stop-code"], "UserInitiated");
    // What the user sees: one StopTask, caused by the signal (sent after it, with its reason),
    // and the migration stopped instead of running out its 300 s. How fast is the benchmark's
    // business.
    let stops: Vec<Value> = stack
        .requests(&world.access_key)
        .into_iter()
        .filter(|request| request["action"] == "StopTask")
        .collect();
    assert_eq!(stops.len(), 1, "{stops:?}");
    let stop = &stops[0];
    assert!(
        stop["time"].as_f64().unwrap() >= signalled,
        "StopTask was sent before SIGTERM: {stop}"
    );
    assert!(
        stop["body"]["reason"]
            .as_str()
            .unwrap()
            .contains("the CI job was cancelled"),
        "{stop}"
    );
    let task = &stack.tasks(&world.access_key)[0];
    assert!(
        task["containers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["exists"] == false),
        "{task}"
    );
    assert!(run.stderr.contains("started\n"), "{}", run.transcript());
}

#[test]
fn two_runs_started_together_never_run_at_once() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "two-at-once", 64);
    let dir = tempfile::tempdir().unwrap();
    let (first_key, second_key) = (
        format!("{}-a", world.access_key),
        format!("{}-b", world.access_key),
    );
    let args = run_args(&world, "sh -c 'echo migrating; sleep 2; echo done'");
    let first = spawn(&stack, &first_key, dir.path(), &args, &[]);
    let second = spawn(&stack, &second_key, dir.path(), &args, &[]);
    let (first, second) = (collect(first), collect(second));
    assert_eq!(first.code, 0, "{}", first.transcript());
    assert_eq!(second.code, 0, "{}", second.transcript());
    let mut tasks: Vec<Value> = stack
        .tasks(&first_key)
        .into_iter()
        .chain(stack.tasks(&second_key))
        .collect();
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    tasks.sort_by(|a, b| {
        a["state_times"]["RUNNING"]
            .as_f64()
            .partial_cmp(&b["state_times"]["RUNNING"].as_f64())
            .unwrap()
    });
    // The first migration had exited (the task may still have been tearing down) before the
    // second task was created.
    let first_exited = tasks[0]["execution_stopped_at"].as_f64().unwrap();
    let second_created = tasks[1]["state_times"]["PROVISIONING"]
        .as_f64()
        .or(tasks[1]["state_times"]["PENDING"].as_f64())
        .unwrap();
    assert!(
        second_created >= first_exited,
        "the second task started before the first migration exited: {tasks:?}"
    );
    let waited = if first.stderr.contains("another run of this migration") {
        &first
    } else {
        &second
    };
    assert!(
        waited.stderr.contains("waiting (on_conflict: wait)"),
        "{}\n{}",
        first.transcript(),
        second.transcript()
    );
}

#[test]
fn on_conflict_fail_refuses_while_another_run_holds_the_lock() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "conflict-fail", 64);
    let dir = tempfile::tempdir().unwrap();
    let holder = spawn(
        &stack,
        &world.access_key,
        dir.path(),
        &run_args(&world, "sleep 3"),
        &[],
    );
    stack.task_in(&world.access_key, "RUNNING");
    let mut args = run_args(&world, "true");
    args.extend(["--on-conflict", "fail"]);
    let refused = against(
        &stack,
        &format!("{}-late", world.access_key),
        dir.path(),
        &args,
    );
    assert_eq!(refused.code, 1, "{}", refused.transcript());
    let result = refused.json();
    assert!(
        result["reason"]
            .as_str()
            .unwrap()
            .contains("another run of this migration"),
        "{}",
        refused.transcript()
    );
    assert_eq!(result["task-arn"], Value::Null);
    assert_eq!(collect(holder).code, 0);
}

#[test]
fn a_20_percent_error_rate_still_gives_the_right_result_and_every_line() {
    let stack = require_stack!();
    let world = World::with_service(
        &stack,
        "flaky-aws",
        64,
        json!({"error_rate": 0.1, "throttle_rate": 0.1}),
    );
    let dir = tempfile::tempdir().unwrap();
    let run = against(
        &stack,
        &world.access_key,
        dir.path(),
        &run_args(
            &world,
            "sh -c 'i=1; while [ $i -le 300 ]; do echo \"row $i\"; i=$((i+1)); done; exit 3'",
        ),
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(run.json()["exit-code"], 3);
    let expected: Vec<String> = (1..=300).map(|n| format!("row {n}")).collect();
    assert_eq!(run.lines_starting_with("row "), expected);
    let injected = stack
        .requests(&world.access_key)
        .iter()
        .filter(|r| !r["injected"].is_null())
        .count();
    assert!(injected > 0, "no fault was injected");
}

#[test]
fn a_short_outage_while_waiting_is_ridden_out() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "short-outage", 64);
    let dir = tempfile::tempdir().unwrap();
    let child = spawn(
        &stack,
        &world.access_key,
        dir.path(),
        &run_args(&world, "sh -c 'echo before; sleep 6; echo after'"),
        &[],
    );
    stack.task_in(&world.access_key, "RUNNING");
    stack.set_behaviour(
        &world.access_key,
        json!({"outage_seconds": 4, "outage_starts_in_seconds": 0, "outage_mode": "drop"}),
    );
    let run = collect(child);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.lines_starting_with("before"), ["before"]);
    assert_eq!(run.lines_starting_with("after"), ["after"]);
    let dropped = stack
        .requests(&world.access_key)
        .iter()
        .filter(|request| request["injected"] == "outage")
        .count();
    assert!(dropped > 0, "the outage never hit a request");
}

#[test]
fn an_outage_longer_than_max_outage_exits_3_naming_the_task() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "long-outage", 64);
    let dir = tempfile::tempdir().unwrap();
    let mut args = run_args(&world, "sleep 30");
    args.extend(["--max-outage", "2s"]);
    let child = spawn(&stack, &world.access_key, dir.path(), &args, &[]);
    let task = stack.task_in(&world.access_key, "RUNNING");
    stack.set_behaviour(
        &world.access_key,
        json!({"outage_seconds": 60, "outage_starts_in_seconds": 0}),
    );
    let run = collect(child);
    assert_eq!(run.code, 3, "{}", run.transcript());
    let arn = task["task_arn"].as_str().unwrap();
    assert!(
        run.stderr.contains(&format!(
            "aws ecs describe-tasks --cluster {} --tasks {arn}",
            world.cluster
        )),
        "{}",
        run.transcript()
    );
    assert!(
        run.stderr.contains("AWS calls kept failing"),
        "{}",
        run.transcript()
    );
}
