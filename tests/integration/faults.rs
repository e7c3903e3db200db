//! Faults after a mutation took effect and bursts longer than the SDK's retries: a lost RunTask
//! answer never starts a second task, and no log line or result is lost (a token reused with
//! other parameters: ci_steps.rs).

use serde_json::{Value, json};

use crate::support::aws::World;
use crate::support::binary::{against, collect, migrate, run_args, signal, spawn};
use crate::support::stack::{Stack, require_stack};

/// The RunTask requests `key` sent, as the stand-in logged them.
fn run_tasks(stack: &Stack, key: &str) -> Vec<Value> {
    stack
        .requests(key)
        .into_iter()
        .filter(|request| request["action"] == "RunTask")
        .collect()
}

#[test]
fn every_runtask_answer_lost_still_runs_exactly_one_task_and_follows_it() {
    let stack = require_stack!();
    // Each RunTask starts (or finds, by its token) the task, then the connection drops.
    let world = World::with_service(
        &stack,
        "lost-runtask",
        512,
        json!({"lost_answer_actions": ["RunTask"], "teardown_ms": 0}),
    );
    let run = migrate(&stack, &world, "sh -c 'echo migrated once; exit 3'", &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let tasks = stack.tasks(&world.access_key);
    assert_eq!(tasks.len(), 1, "a second task was started: {tasks:?}");
    let result = run.json();
    assert_eq!(result["task-arn"], tasks[0]["task_arn"], "{result}");
    assert_eq!(result["exit-code"], 3, "{result}");
    assert!(
        run.stderr.contains("migrated once\n"),
        "{}",
        run.transcript()
    );
    assert!(
        run.stderr
            .contains("RunTask's answer was lost, but it started"),
        "{}",
        run.transcript()
    );
    let sent = run_tasks(&stack, &world.access_key);
    assert!(sent.len() > 1, "RunTask was not retried: {sent:?}");
    assert!(
        sent.iter()
            .all(|request| request["injected"] == "lost_answer")
    );
    let token = &sent[0]["body"]["clientToken"];
    assert!(
        sent.iter().all(|request| {
            request["body"]["clientToken"] == *token
                && request["body"]["overrides"] == sent[0]["body"]["overrides"]
        }),
        "the retries changed the token or the parameters: {sent:?}"
    );
}

#[test]
fn a_runtask_answered_500_after_starting_is_retried_into_the_same_task() {
    let stack = require_stack!();
    let world = World::with_service(
        &stack,
        "lost-runtask-once",
        512,
        json!({"lost_answer_actions": ["RunTask"], "lost_answer_count": 1,
               "lost_answer_mode": "500", "teardown_ms": 0}),
    );
    let run = migrate(&stack, &world, "echo applied", &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(stack.tasks(&world.access_key).len(), 1);
    let sent = run_tasks(&stack, &world.access_key);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0]["injected"], "lost_answer");
    assert_eq!(
        sent[0]["body"]["clientToken"],
        sent[1]["body"]["clientToken"]
    );
    assert!(run.stderr.contains("applied\n"), "{}", run.transcript());
}

#[test]
fn a_burst_of_5xx_longer_than_the_sdk_retries_loses_no_line_and_no_result() {
    let stack = require_stack!();
    // After 4 calls of the wait go through, the next 14 in a row answer 500 (the SDK makes 5
    // attempts per call): polls and log reads both fail for a while.
    let world = World::with_service(
        &stack,
        "burst-wait",
        512,
        json!({"error_burst": 14, "error_burst_after": 4,
               "actions": ["DescribeTasks", "GetLogEvents"], "teardown_ms": 0}),
    );
    let dir = tempfile::tempdir().unwrap();
    let run = against(
        &stack,
        &world.access_key,
        dir.path(),
        &run_args(
            &world,
            "sh -c 'for i in $(seq 1 40); do echo line $i; sleep 0.1; done; exit 4'",
        ),
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(run.json()["exit-code"], 4, "{}", run.transcript());
    let lines = run.lines_starting_with("line ");
    let expected: Vec<String> = (1..=40).map(|i| format!("line {i}")).collect();
    assert_eq!(lines, expected, "{}", run.transcript());
    let failed = stack.answered(&world.access_key, 500);
    // Longer than one call's five attempts; the run may end before the burst has.
    assert!(
        (6..=14).contains(&failed),
        "the burst did not happen as set: {failed} errors"
    );
    assert_eq!(stack.tasks(&world.access_key).len(), 1);
}

#[test]
fn log_reads_failing_through_the_drain_are_retried_and_lose_no_line() {
    let stack = require_stack!();
    // The last 200 lines land 3 s after the exit, and from the third log read on, 25 in a row
    // fail (5 calls of the SDK's attempts): longer than the drain window and its limit, which
    // used to end the drain with the last lines unread and no word said.
    let world = World::with_service(
        &stack,
        "burst-drain",
        512,
        json!({"error_burst": 25, "error_burst_after": 2, "actions": ["GetLogEvents"],
               "final_log_delay_ms": 3000, "teardown_ms": 0}),
    );
    let dir = tempfile::tempdir().unwrap();
    let run = against(
        &stack,
        &world.access_key,
        dir.path(),
        &run_args(
            &world,
            "sh -c 'echo M 0; sleep 3; for i in $(seq 1 200); do echo M $i; done'",
        ),
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let lines = run.lines_starting_with("M ");
    let expected: Vec<String> = (0..=200).map(|i| format!("M {i}")).collect();
    assert_eq!(lines, expected, "{}", run.transcript());
    let failed = stack.answered(&world.access_key, 500);
    assert_eq!(failed, 25, "the burst did not happen as set");
}

#[test]
fn a_lock_whose_putparameter_answer_was_lost_is_recognised_as_ours_and_released() {
    let stack = require_stack!();
    // The lock's PutParameter takes effect, then the connection drops: the retry finds the
    // parameter there and must see that it is its own lock, not another run's.
    let world = World::with_service(
        &stack,
        "lost-lock-put",
        512,
        json!({"lost_answer_actions": ["PutParameter"], "lost_answer_count": 1, "teardown_ms": 0}),
    );
    let run = migrate(&stack, &world, "echo applied once", &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(stack.tasks(&world.access_key).len(), 1);
    let requests = stack.requests(&world.access_key);
    let of = |action: &str| {
        requests
            .iter()
            .filter(|request| request["action"] == action)
            .collect::<Vec<_>>()
    };
    let puts = of("PutParameter");
    assert!(
        puts.first()
            .is_some_and(|put| put["injected"] == "lost_answer"),
        "the first PutParameter was not lost as set: {puts:?}"
    );
    let lock = puts[0]["body"]["Name"].clone();
    assert!(
        of("DeleteParameter")
            .iter()
            .any(|delete| delete["body"]["Name"] == lock && delete["status"] == 200),
        "the lock {lock} was not released: {requests:?}"
    );
}

#[test]
fn a_task_missing_right_after_runtask_is_polled_again_quietly() {
    let stack = require_stack!();
    let world = World::with_service(
        &stack,
        "missing-own",
        512,
        json!({"missing_for_ms": 2000, "teardown_ms": 0}),
    );
    let run = migrate(&stack, &world, "echo applied", &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stderr.contains("applied\n"), "{}", run.transcript());
    assert!(
        !run.stderr.contains("warning:"),
        "MISSING right after RunTask is no warning: {}",
        run.transcript()
    );
    let describes = stack
        .requests(&world.access_key)
        .iter()
        .filter(|request| request["action"] == "DescribeTasks")
        .count();
    assert!(describes > 1, "{describes}");
    assert_eq!(stack.tasks(&world.access_key).len(), 1);
}

#[test]
fn an_exit_seen_late_through_failing_polls_still_drains_the_late_batch() {
    let stack = require_stack!();
    // The bench's "20% errors in bursts" run that lost 200 lines: the burst starts about when
    // the container exits, so one log read and the next task poll each spend the SDK's five
    // attempts; the exit is first seen at STOPPED, 12 s on, after the drain window and its
    // limit. The last 200 lines are readable only 3 s after the exit.
    let world = World::with_service(
        &stack,
        "late-exit-drain",
        512,
        json!({"error_rate": 0.2, "error_burst": 8, "error_burst_after": 9,
               "actions": ["DescribeTasks", "GetLogEvents"],
               "final_log_delay_ms": 3000, "teardown_ms": 12000}),
    );
    let run = migrate(
        &stack,
        &world,
        "sh -c \"seq 1 100 | sed 's/^/M /'; sleep 10; seq 101 300 | sed 's/^/M /'\"",
        &["--poll-interval", "auto"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let expected: Vec<String> = (1..=300).map(|i| format!("M {i}")).collect();
    assert_eq!(
        run.lines_starting_with("M "),
        expected,
        "{}",
        run.transcript()
    );
    assert!(
        !run.stderr.contains("may be missing"),
        "{}",
        run.transcript()
    );
    let failed = stack.answered(&world.access_key, 500);
    assert!(
        failed >= 8,
        "the burst did not happen as set: {failed} errors"
    );
    assert_eq!(stack.tasks(&world.access_key).len(), 1);
}

#[test]
fn a_lost_stoptask_answer_still_stops_the_task_once_and_reports_the_cancel() {
    let stack = require_stack!();
    // The cancel's StopTask takes effect, then its connection drops; the SDK sends it again.
    let world = World::with_service(
        &stack,
        "lost-stoptask",
        512,
        json!({"lost_answer_actions": ["StopTask"], "lost_answer_count": 1, "teardown_ms": 0}),
    );
    let dir = tempfile::tempdir().unwrap();
    let child = spawn(
        &stack,
        &world.access_key,
        dir.path(),
        &run_args(&world, "sh -c 'echo started; exec sleep 300'"),
        &[],
    );
    stack.task_in(&world.access_key, "RUNNING");
    signal(&child, "TERM");
    let run = collect(child);
    assert_eq!(run.code, 130, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["status"], "cancelled", "{}", run.transcript());
    assert_eq!(result["stop-code"], "UserInitiated", "{}", run.transcript());
    let stops: Vec<Value> = stack
        .requests(&world.access_key)
        .into_iter()
        .filter(|request| request["action"] == "StopTask")
        .collect();
    assert_eq!(stops[0]["injected"], "lost_answer", "{stops:?}");
    let tasks = stack.tasks(&world.access_key);
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["last_status"], "STOPPED", "{tasks:?}");
    assert!(run.stderr.contains("started\n"), "{}", run.transcript());
}

#[test]
fn a_lost_registertaskdefinition_answer_registers_no_duplicate_revision() {
    let stack = require_stack!();
    // The registration takes effect, then its connection drops.
    let world = World::with_service(
        &stack,
        "lost-register",
        512,
        json!({"lost_answer_actions": ["RegisterTaskDefinition"], "lost_answer_count": 1,
               "teardown_ms": 0}),
    );
    let run = migrate(&stack, &world, "echo applied", &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let revisions = world.migration_revisions();
    assert_eq!(revisions.len(), 1, "a duplicate revision: {revisions:?}");
    let registers: Vec<Value> = stack
        .requests(&world.access_key)
        .into_iter()
        .filter(|request| request["action"] == "RegisterTaskDefinition")
        .collect();
    assert_eq!(registers.len(), 1, "{registers:?}");
    assert_eq!(registers[0]["injected"], "lost_answer");
    assert_eq!(
        run.json()["task-definition-arn"].as_str(),
        revisions.last().map(String::as_str),
        "{}",
        run.transcript()
    );
    assert_eq!(stack.tasks(&world.access_key).len(), 1);
}
