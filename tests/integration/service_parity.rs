//! RunTask parity with the service, through the binary: what the service turns on (ECS Exec)
//! reaches the RunTask request the stand-in receives, and `plan` shows it.

use crate::support::aws::World;
use crate::support::binary::against;
use crate::support::stack::require_stack;

#[test]
fn a_service_with_ecs_exec_runs_its_migration_with_ecs_exec() {
    let stack = require_stack!();
    let world = World::new(&stack, "parity-exec");
    world.app_service_with_ecs_exec(&stack, 512);
    let dir = tempfile::tempdir().unwrap();
    let target = ["--cluster", &world.cluster, "--service", &world.service];

    let plan = against(
        &stack,
        &world.access_key,
        dir.path(),
        &[&["plan", "--output", "json"][..], &target].concat(),
    );
    assert_eq!(plan.code, 0, "{}", plan.transcript());
    assert_eq!(
        plan.json()["run-task"]["enableExecuteCommand"],
        true,
        "{}",
        plan.stdout
    );

    let run_args = [
        "run",
        "--poll-interval",
        "250ms",
        "--command",
        "echo migrated",
    ];
    let run = against(
        &stack,
        &world.access_key,
        dir.path(),
        &[&run_args[..], &target].concat(),
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let requests = stack.requests(&world.access_key);
    let run_task = requests
        .iter()
        .find(|request| request["action"] == "RunTask")
        .expect("RunTask sent");
    let body = &run_task["body"];
    assert_eq!(body["enableExecuteCommand"], true, "{body}");
    // A Fargate task: no placement, whatever the service says.
    assert!(body.get("placementConstraints").is_none(), "{body}");
    assert!(body.get("propagateTags").is_none(), "{body}");
}
