//! `run` end to end on the stand-in, one test per way a migration can end: the exit code, the
//! result and what reached ECS are what a user would see.

use serde_json::json;

use crate::support::aws::World;
use crate::support::binary::migrate;
use crate::support::stack::require_stack;

fn count(actions: &[String], name: &str) -> usize {
    actions.iter().filter(|action| *action == name).count()
}

#[test]
fn a_migration_that_succeeds_exits_0_with_its_logs_shown() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "succeeds", 64);
    let run = migrate(
        &stack,
        &world,
        "sh -c 'echo migrating 0042_add_users; echo migrations done'",
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["status"], "succeeded");
    assert_eq!(result["exit-code"], 0);
    assert!(result["task-arn"].as_str().unwrap().contains(":task/"));
    let td_arn = result["task-definition-arn"].as_str().unwrap();
    assert!(
        td_arn.contains(&format!("{}-migrate:1", world.family)),
        "{td_arn}"
    );
    assert!(
        run.stderr.contains("migrating 0042_add_users\n"),
        "{}",
        run.transcript()
    );
    assert!(
        run.stderr.contains("migrations done\n"),
        "{}",
        run.transcript()
    );

    let requests = stack.requests(&world.access_key);
    let run_task = requests
        .iter()
        .find(|request| request["action"] == "RunTask")
        .expect("RunTask sent");
    assert_eq!(run_task["body"]["startedBy"], "ecs-migrate");
    assert_eq!(run_task["body"]["launchType"], "FARGATE");
    assert!(
        !run_task["body"]["networkConfiguration"]["awsvpcConfiguration"]["subnets"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let registered = world.describe_task_definition(td_arn);
    let app = &registered.container_definitions()[0];
    assert_eq!(
        app.command(),
        [
            "sh",
            "-c",
            "echo migrating 0042_add_users; echo migrations done"
        ]
    );
    assert!(app.port_mappings().is_empty() && app.health_check().is_none());
    let tags = world.block_on(async {
        world
            .ecs
            .list_tags_for_resource()
            .resource_arn(td_arn)
            .send()
            .await
            .expect("ListTagsForResource")
    });
    assert!(
        tags.tags()
            .iter()
            .any(|tag| tag.key() == Some("ecs-migrate:name")),
        "the registered revision is not tagged: {tags:?}"
    );

    // The same migration again reuses the revision instead of registering another.
    let again = migrate(
        &stack,
        &world,
        "sh -c 'echo migrating 0042_add_users; echo migrations done'",
        &[],
    );
    assert_eq!(again.code, 0, "{}", again.transcript());
    assert_eq!(again.json()["task-definition-arn"], td_arn);
    assert_eq!(world.migration_revisions().len(), 1);
}

#[test]
fn a_failing_migration_exits_1_with_its_exit_code_and_last_line() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "exits-3", 64);
    let run = migrate(
        &stack,
        &world,
        "sh -c 'echo applying 0043; echo \"PG::DuplicateTable: relation users already exists\" >&2; exit 3'",
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["status"], "failed");
    assert_eq!(result["exit-code"], 3);
    assert_eq!(result["stop-code"], "EssentialContainerExited");
    assert!(
        result["reason"]
            .as_str()
            .unwrap()
            .contains("exited with code 3")
    );
    assert!(
        run.stderr
            .contains("PG::DuplicateTable: relation users already exists"),
        "the last log line is lost:\n{}",
        run.transcript()
    );
}

#[test]
fn an_image_that_cannot_be_pulled_fails_to_start() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "pull-fails", 64);
    let missing = format!("{}/ecs-migrate-test/missing:nope", stack.registry);
    let run = migrate(&stack, &world, "true", &["--image", &missing]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["status"], "failed");
    assert_eq!(result["stop-code"], "TaskFailedToStart");
    assert_eq!(result["exit-code"], serde_json::Value::Null);
    assert!(
        result["reason"]
            .as_str()
            .unwrap()
            .contains("CannotPullContainerError"),
        "{}",
        run.transcript()
    );
    assert!(
        result["hint"].as_str().unwrap().contains("does not exist"),
        "{}",
        run.transcript()
    );
}

#[test]
fn a_migration_killed_by_its_memory_limit_reports_oom() {
    let stack = require_stack!();
    let world = World::new(&stack, "oom");
    // The container's own limit (16 MiB) under the task's 512 MiB: Fargate accepts that pair,
    // and the container is what the OOM killer stops.
    world.app_service(&stack, 16);
    let run = migrate(
        &stack,
        &world,
        "dd if=/dev/zero of=/dev/null bs=64M count=1",
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["exit-code"], 137);
    assert!(
        result["reason"]
            .as_str()
            .unwrap()
            .contains("OutOfMemoryError"),
        "{}",
        run.transcript()
    );
    assert!(
        result["hint"].as_str().unwrap().contains("raise `memory`"),
        "{}",
        run.transcript()
    );
}

#[test]
fn a_task_that_stops_before_running_is_seen_is_still_judged() {
    let stack = require_stack!();
    let world = World::with_service(&stack, "never-running", 64, json!({"skip_running": true}));
    let run = migrate(&stack, &world, "sh -c 'echo quick'", &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        !run.stderr.contains("task is RUNNING"),
        "{}",
        run.transcript()
    );
    assert!(
        run.stderr.contains("task is STOPPED"),
        "{}",
        run.transcript()
    );
    assert!(run.stderr.contains("quick\n"), "{}", run.transcript());
}

#[test]
fn a_long_wait_is_not_cut_short_after_100_polls() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "long-wait", 64);
    // The migration itself waits until the tool has polled more than 100 times (it reads the
    // stand-in's request log over the host network), so the test holds on any machine speed:
    // `aws ecs wait tasks-stopped` would have given up by then. The timeout ends a tool that
    // stopped polling.
    let polls_seen = format!(
        "{}/_standin/requests?access_key={}&action=DescribeTasks",
        stack.endpoint, world.access_key
    );
    let command = format!(
        "sh -c 'until [ $(wget -qO- \"{polls_seen}\" | grep -o DescribeTasks | wc -l) -gt 100 ]; \
         do sleep 0.2; done; echo finally'"
    );
    let run = migrate(
        &stack,
        &world,
        &command,
        &["--poll-interval", "20ms", "--timeout", "2m"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let polls = count(&stack.actions(&world.access_key), "DescribeTasks");
    assert!(polls > 100, "only {polls} DescribeTasks calls");
    assert!(run.stderr.contains("finally\n"), "{}", run.transcript());
}

#[test]
fn runtask_failures_are_reported_as_a_failed_start() {
    let stack = require_stack!();
    let world = World::with_service(
        &stack,
        "runtask-failures",
        64,
        json!({"run_task_failures": [{"arn": "arn:aws:ecs:us-east-1:123456789012:container-instance/x", "reason": "RESOURCE:MEMORY"}]}),
    );
    let run = migrate(&stack, &world, "true", &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["status"], "failed");
    assert!(
        result["reason"]
            .as_str()
            .unwrap()
            .contains("RESOURCE:MEMORY"),
        "{}",
        run.transcript()
    );
    assert!(
        result["hint"].as_str().unwrap().contains("CPU or memory"),
        "{}",
        run.transcript()
    );
    assert_eq!(result["task-arn"], serde_json::Value::Null);
}

#[test]
fn a_timeout_stops_the_task_and_exits_124() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "timeout", 64);
    let run = migrate(&stack, &world, "sleep 300", &["--timeout", "3s"]);
    assert_eq!(run.code, 124, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["status"], "timed_out");
    assert_eq!(result["stop-code"], "UserInitiated");
    let actions = stack.actions(&world.access_key);
    assert_eq!(count(&actions, "StopTask"), 1, "{actions:?}");
    let stop = stack
        .requests(&world.access_key)
        .into_iter()
        .find(|request| request["action"] == "StopTask")
        .unwrap();
    assert!(
        stop["body"]["reason"]
            .as_str()
            .unwrap()
            .contains("timeout of 3s passed"),
        "{stop}"
    );
    let tasks = stack.tasks(&world.access_key);
    assert_eq!(tasks.len(), 1);
    assert!(
        tasks[0]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|container| container["exists"] == false),
        "a container outlived StopTask: {}",
        tasks[0]
    );
}

#[test]
fn adaptive_pacing_shows_the_last_line_within_sixty_calls_a_minute() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "adaptive-pacing", 64);
    let run = migrate(
        &stack,
        &world,
        "sh -c 'echo first line; sleep 5; echo last line'",
        &["--poll-interval", "auto"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    for line in ["first line\n", "last line\n"] {
        assert!(run.stderr.contains(line), "{}", run.transcript());
    }

    let requests = stack.requests(&world.access_key);
    let time = |request: &serde_json::Value| request["time"].as_f64().unwrap();
    let run_task = requests
        .iter()
        .find(|request| request["action"] == "RunTask")
        .map(time)
        .expect("RunTask sent");
    let waits: Vec<f64> = requests
        .iter()
        .filter(|request| {
            ["DescribeTasks", "GetLogEvents"].contains(&request["action"].as_str().unwrap())
        })
        .map(time)
        .filter(|at| *at >= run_task)
        .collect();
    assert!(waits.len() >= 3, "{} calls while waiting", waits.len());
    // What the wait cost, as the stand-in counted it: at most one call per second of the
    // wait on average (60 a minute), however fast or slow the machine.
    let waited = waits.last().unwrap() - run_task;
    assert!(
        waits.len() as f64 <= waited.ceil() + 1.0,
        "{} calls in {waited:.1}s of waiting: more than one a second",
        waits.len()
    );
}
