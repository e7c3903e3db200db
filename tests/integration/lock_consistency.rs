//! The migration lock under ECS's eventual consistency: DescribeTasks may call a task MISSING
//! for a while after RunTask. A run that finds the lock holder's young task MISSING must wait
//! for it, never take the lock over and start a second migration beside it.

use serde_json::{Value, json};

use crate::support::aws::World;
use crate::support::binary::{against, collect, signal, spawn};
use crate::support::stack::require_stack;

/// When a task was created (PROVISIONING or PENDING) and when its migration exited.
fn span(task: &Value) -> (f64, f64) {
    let times = &task["state_times"];
    let created = times["PROVISIONING"]
        .as_f64()
        .or(times["PENDING"].as_f64())
        .expect("a creation time");
    let exited = task["execution_stopped_at"]
        .as_f64()
        .expect("the migration exited");
    (created, exited)
}

#[test]
fn a_holder_task_missing_right_after_runtask_is_waited_for_not_taken_over() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "lock-missing", 512);
    let dir = tempfile::tempdir().unwrap();
    let (first_key, second_key) = (
        format!("{}-a", world.access_key),
        format!("{}-b", world.access_key),
    );
    // Tasks the first run starts stay MISSING in DescribeTasks (and so in ListTasks' follow-up)
    // for 5 s: longer than the second run needs to reach the lock.
    stack.set_behaviour(
        &first_key,
        json!({"missing_for_ms": 5000, "teardown_ms": 500}),
    );
    let args = |command: &'static str| {
        vec![
            "-v".to_owned(),
            "run".into(),
            "--output".into(),
            "json".into(),
            "--cluster".into(),
            world.cluster.clone(),
            "--service".into(),
            world.service.clone(),
            "--poll-interval".into(),
            "250ms".into(),
            "--command".into(),
            command.into(),
        ]
    };
    let first_args = args("sh -c 'echo first migrating; sleep 7; echo first done'");
    let first_args: Vec<&str> = first_args.iter().map(String::as_str).collect();
    let first = spawn(&stack, &first_key, dir.path(), &first_args, &[]);
    // The lock is taken (PutParameter) and the task recorded in it (the second PutParameter):
    // then the first run's runner dies, with the task still MISSING for a few seconds.
    stack.wait_for_requests(&first_key, "PutParameter", 2);
    signal(&first, "KILL");
    let _ = collect(first);

    let second_args = args("sh -c 'echo second migrating'");
    let second_args: Vec<&str> = second_args.iter().map(String::as_str).collect();
    let second = against(&stack, &second_key, dir.path(), &second_args);
    assert_eq!(second.code, 0, "{}", second.transcript());
    assert!(
        second.stderr.contains("is MISSING in DescribeTasks"),
        "the second run never saw the holder's task MISSING: {}",
        second.transcript()
    );
    assert!(
        second.stderr.contains("waiting (on_conflict: wait)"),
        "{}",
        second.transcript()
    );

    let firsts = stack.tasks(&first_key);
    let seconds = stack.tasks(&second_key);
    assert_eq!(firsts.len(), 1, "{firsts:?}");
    assert_eq!(seconds.len(), 1, "{seconds:?}");
    let (_, first_exited) = span(&firsts[0]);
    let (second_created, _) = span(&seconds[0]);
    assert!(
        second_created >= first_exited,
        "two migrations at once: the second task was created at {second_created}, the first \
         migration exited at {first_exited}"
    );
    assert_eq!(firsts[0]["containers"][0]["exit_code"], 0, "{firsts:?}");
}
