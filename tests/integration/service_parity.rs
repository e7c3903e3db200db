//! RunTask parity with the service, through the binary: what the service turns on (ECS Exec,
//! EC2 placement, tag propagation, EBS volumes) reaches the RunTask request the stand-in
//! receives, and `plan` shows it; the config's keys override the service's.

use aws_sdk_ecs::types::{
    LaunchType, PlacementConstraint, PlacementConstraintType, PlacementStrategy,
    PlacementStrategyType, PropagateTags, ServiceManagedEbsVolumeConfiguration,
    ServiceVolumeConfiguration, Volume,
};
use serde_json::{Value, json};

use crate::support::aws::World;
use crate::support::binary::{against, migrate};
use crate::support::stack::{Stack, require_stack};

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

/// `plan --output json` of `world`'s service: the RunTask request it would send.
fn planned_run_task(stack: &Stack, world: &World, extra: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let target = ["--cluster", &world.cluster, "--service", &world.service];
    let plan = against(
        stack,
        &world.access_key,
        dir.path(),
        &[&["plan", "--output", "json"][..], &target, extra].concat(),
    );
    assert_eq!(plan.code, 0, "{}", plan.transcript());
    plan.json()["run-task"].clone()
}

#[test]
fn an_ec2_service_s_placement_and_tag_propagation_reach_the_migration() {
    let stack = require_stack!();
    let world = World::new(&stack, "parity-ec2");
    world.app_service_shaped(
        &stack,
        512,
        |task| task,
        |service| {
            service
                .launch_type(LaunchType::Ec2)
                .placement_constraints(
                    PlacementConstraint::builder()
                        .r#type(PlacementConstraintType::MemberOf)
                        .expression("attribute:ecs.availability-zone in [us-east-1a]")
                        .build(),
                )
                .placement_strategy(
                    PlacementStrategy::builder()
                        .r#type(PlacementStrategyType::Spread)
                        .field("attribute:ecs.availability-zone")
                        .build(),
                )
                .propagate_tags(PropagateTags::TaskDefinition)
        },
    );
    let run_task = planned_run_task(&stack, &world, &[]);
    assert_eq!(run_task["launchType"], "EC2", "{run_task:#}");
    assert_eq!(
        run_task["placementConstraints"],
        json!([{"type": "memberOf",
                "expression": "attribute:ecs.availability-zone in [us-east-1a]"}]),
        "{run_task:#}"
    );
    assert_eq!(
        run_task["placementStrategy"],
        json!([{"type": "spread", "field": "attribute:ecs.availability-zone"}]),
        "{run_task:#}"
    );
    assert_eq!(run_task["propagateTags"], "TASK_DEFINITION", "{run_task:#}");

    // The config overrides the service's, key by key.
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        config.path(),
        "placement_constraints:\n  - type: distinctInstance\nplacement_strategy: []\n\
         propagate_tags: NONE\n",
    )
    .unwrap();
    let path = config.path().to_str().unwrap();
    let run_task = planned_run_task(&stack, &world, &["--config", path]);
    assert_eq!(
        run_task["placementConstraints"],
        json!([{"type": "distinctInstance"}]),
        "{run_task:#}"
    );
    assert!(run_task.get("placementStrategy").is_none(), "{run_task:#}");
    assert_eq!(run_task["propagateTags"], "NONE", "{run_task:#}");
}

#[test]
fn a_service_s_ebs_volume_is_configured_for_the_migration_task() {
    let stack = require_stack!();
    let world = World::new(&stack, "parity-ebs");
    let scratch = Volume::builder()
        .name("scratch")
        .configured_at_launch(true)
        .build();
    world.app_service_shaped(
        &stack,
        512,
        |task| task.volumes(scratch),
        |service| {
            service.volume_configurations(
                ServiceVolumeConfiguration::builder()
                    .name("scratch")
                    .managed_ebs_volume(
                        ServiceManagedEbsVolumeConfiguration::builder()
                            .size_in_gib(20)
                            .volume_type("gp3")
                            .role_arn("arn:aws:iam::123456789012:role/ecsInfrastructureRole")
                            .build()
                            .expect("EBS volume"),
                    )
                    .build()
                    .expect("volume configuration"),
            )
        },
    );
    let run_task = planned_run_task(&stack, &world, &[]);
    let volumes = run_task["volumeConfigurations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(volumes.len(), 1, "{run_task:#}");
    assert_eq!(volumes[0]["name"], "scratch", "{run_task:#}");
    let ebs = &volumes[0]["managedEBSVolume"];
    assert_eq!(ebs["sizeInGiB"], 20, "{run_task:#}");
    assert_eq!(ebs["volumeType"], "gp3", "{run_task:#}");
    assert_eq!(
        ebs["roleArn"], "arn:aws:iam::123456789012:role/ecsInfrastructureRole",
        "{run_task:#}"
    );

    // `run` sends what `plan` showed.
    let run = migrate(&stack, &world, "echo migrated", &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let sent = stack
        .requests(&world.access_key)
        .into_iter()
        .find(|request| request["action"] == "RunTask")
        .expect("RunTask sent");
    assert_eq!(
        sent["body"]["volumeConfigurations"], run_task["volumeConfigurations"],
        "{sent}"
    );
}
