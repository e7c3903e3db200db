//! `prune`: old revisions of the migration family go, the newest N and any in use stay.

use aws_sdk_ecs::types::{
    AwsVpcConfiguration, Compatibility, ContainerDefinition, LaunchType, NetworkConfiguration,
    NetworkMode,
};

use crate::support::aws::World;
use crate::support::binary::against;
use crate::support::stack::require_stack;

#[test]
fn prune_keeps_the_newest_and_the_revision_in_use() {
    let stack = require_stack!();
    let world = World::new(&stack, "prune");
    let family = format!("{}-migrate", world.family);
    let (subnets, security_groups) = stack.network();
    let arns: Vec<String> = world.block_on(async {
        let mut arns = Vec::new();
        for revision in 1..=4 {
            let container = ContainerDefinition::builder()
                .name("app")
                .image(&stack.image)
                .memory(32)
                .command(format!("echo {revision}"))
                .build();
            let answer = world
                .ecs
                .register_task_definition()
                .family(&family)
                .network_mode(NetworkMode::Awsvpc)
                .requires_compatibilities(Compatibility::Fargate)
                .cpu("256")
                .memory("512")
                .container_definitions(container)
                .send()
                .await
                .expect("RegisterTaskDefinition");
            arns.push(
                answer
                    .task_definition()
                    .and_then(|definition| definition.task_definition_arn())
                    .expect("ARN")
                    .to_owned(),
            );
        }
        arns
    });
    // Revision 1 is still running a long task: it must survive any --keep.
    let running = world.block_on(async {
        let started = world
            .ecs
            .run_task()
            .cluster(&world.cluster)
            .task_definition(&arns[0])
            .launch_type(LaunchType::Fargate)
            .overrides(
                aws_sdk_ecs::types::TaskOverride::builder()
                    .container_overrides(
                        aws_sdk_ecs::types::ContainerOverride::builder()
                            .name("app")
                            .command("sleep")
                            .command("60")
                            .build(),
                    )
                    .build(),
            )
            .network_configuration(
                NetworkConfiguration::builder()
                    .awsvpc_configuration(
                        AwsVpcConfiguration::builder()
                            .set_subnets(Some(subnets))
                            .set_security_groups(Some(security_groups))
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("RunTask");
        started.tasks()[0].task_arn().unwrap().to_owned()
    });
    let dir = tempfile::tempdir().unwrap();
    let prune = |extra: &[&str]| {
        let mut args = vec![
            "prune",
            "--output",
            "json",
            "--cluster",
            &world.cluster,
            "--task-definition",
            &family,
            "--family",
            &family,
        ];
        args.extend_from_slice(extra);
        against(&stack, &world.access_key, dir.path(), &args)
    };

    let dry = prune(&["--keep", "2", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.transcript());
    let listed = dry.json();
    assert_eq!(listed["would-deregister"], serde_json::json!([arns[1]]));
    assert_eq!(
        listed["kept"],
        serde_json::json!([arns[3], arns[2], arns[0]])
    );
    assert!(
        !stack
            .actions(&world.access_key)
            .iter()
            .any(|action| action == "DeregisterTaskDefinition"),
        "--dry-run deregistered something"
    );

    let real = prune(&["--keep", "2"]);
    assert_eq!(real.code, 0, "{}", real.transcript());
    assert_eq!(real.json()["deregistered"], serde_json::json!([arns[1]]));
    assert!(
        real.stderr.contains("a task in cluster"),
        "{}",
        real.transcript()
    );
    let active: Vec<String> = world.block_on(async {
        world
            .ecs
            .list_task_definitions()
            .family_prefix(&family)
            .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
            .send()
            .await
            .expect("ListTaskDefinitions")
            .task_definition_arns()
            .to_vec()
    });
    let mut expected = vec![arns[0].clone(), arns[2].clone(), arns[3].clone()];
    expected.sort();
    let mut active_sorted = active;
    active_sorted.sort();
    assert_eq!(active_sorted, expected);

    let refused = prune(&["--keep", "0"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(refused.stderr.contains("--keep must be at least 1"));

    world.block_on(async {
        let _ = world
            .ecs
            .stop_task()
            .cluster(&world.cluster)
            .task(&running)
            .send()
            .await;
    });
}
