use serde_json::{Value, json};

use super::*;
use crate::task::launch::{CapacityProviderItem, RunTaskRequest};

fn request(launch_type: Option<&str>, capacity_provider: Option<&str>) -> RunTaskRequest {
    RunTaskRequest {
        cluster: "c".into(),
        task_definition: "app-migrate".into(),
        count: 1,
        launch_type: launch_type.map(str::to_owned),
        capacity_provider_strategy: capacity_provider
            .map(|name| CapacityProviderItem {
                capacity_provider: name.to_owned(),
                weight: Some(1),
                base: None,
            })
            .into_iter()
            .collect(),
        platform_version: None,
        network_configuration: None,
        started_by: "ecs-migrate".into(),
        tags: Vec::new(),
        overrides: None,
        ..RunTaskRequest::default()
    }
}

fn fargate_td(cpu: Value, memory: Value) -> Value {
    json!({
        "family": "app-migrate",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": cpu,
        "memory": memory,
        "containerDefinitions": [{ "name": "app", "logConfiguration": { "logDriver": "awslogs",
            "options": { "awslogs-group": "/ecs/app", "awslogs-region": "eu-west-1" } } }],
    })
}

fn problems(cpu: Value, memory: Value) -> Vec<super::super::Problem> {
    check(&request(None, None), &fargate_td(cpu, memory), None).problems
}

#[test]
fn every_documented_fargate_size_is_valid_and_nothing_else() {
    let valid = [
        (256, 512),
        (256, 2048),
        (512, 1024),
        (512, 4096),
        (1024, 2048),
        (1024, 8192),
        (2048, 4096),
        (2048, 9216),
        (2048, 16384),
        (4096, 8192),
        (4096, 30720),
        (8192, 16384),
        (8192, 20480),
        (8192, 61440),
        (16384, 32768),
        (16384, 40960),
        (16384, 122880),
    ];
    for (cpu, memory) in valid {
        assert!(
            is_fargate_size(cpu, memory),
            "{cpu}/{memory} is a Fargate size"
        );
    }
    let invalid = [
        (256, 16),
        (256, 64),
        (256, 768),
        (256, 3072),
        (512, 512),
        (1024, 1024),
        (2048, 4608),
        (4096, 31744),
        (8192, 18432),
        (16384, 36864),
        (300, 1024),
    ];
    for (cpu, memory) in invalid {
        assert!(
            !is_fargate_size(cpu, memory),
            "{cpu}/{memory} is no Fargate size"
        );
    }
    assert_eq!(cpus_for(4096), [512, 1024, 2048]);
    assert_eq!(cpus_for(64), Vec::<u32>::new());
}

#[test]
fn an_invalid_pair_is_refused_with_the_valid_memory_and_cpus() {
    let found = problems(json!("256"), json!("64"));
    assert_eq!(found.len(), 1);
    assert!(
        found[0].what.contains("256 CPU with 64 MiB"),
        "{}",
        found[0].what
    );
    assert!(
        found[0]
            .fix
            .contains("with cpu 256, memory 512, 1024, 2048 (MiB)"),
        "{}",
        found[0].fix
    );
    assert!(
        found[0].fix.contains("no Fargate cpu takes 64 MiB"),
        "{}",
        found[0].fix
    );

    let found = problems(json!("2048"), json!("1024"));
    assert!(
        found[0]
            .fix
            .contains("memory 4096 to 16384 in steps of 1024"),
        "{}",
        found[0].fix
    );
    assert!(
        found[0]
            .fix
            .contains("or keep memory 1024 with cpu 256 or 512"),
        "{}",
        found[0].fix
    );

    let found = problems(json!(300), json!(1024));
    assert!(
        found[0].fix.contains(
            "cpu 300 is not a Fargate size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384"
        ),
        "{}",
        found[0].fix
    );
}

#[test]
fn valid_pairs_in_any_notation_ecs_accepts_pass() {
    assert_eq!(problems(json!("256"), json!("512")), []);
    assert_eq!(problems(json!(1024), json!(3072)), []);
    assert_eq!(problems(json!("1 vCPU"), json!("2 GB")), []);
    assert_eq!(problems(json!(".25 vcpu"), json!("0.5GB")), []);
}

#[test]
fn a_missing_or_unreadable_size_is_refused_on_fargate() {
    let found = problems(Value::Null, json!("512"));
    assert!(
        found[0].what.contains("no task-level `cpu`"),
        "{}",
        found[0].what
    );
    let found = problems(json!("lots"), Value::Null);
    assert!(
        found[0]
            .what
            .contains("an unreadable `cpu` (\"lots\") and no task-level `memory`"),
        "{}",
        found[0].what
    );
}

#[test]
fn only_fargate_tasks_are_held_to_fargate_sizes() {
    let ec2 = json!({ "requiresCompatibilities": ["EC2"], "cpu": "256", "memory": "64",
        "containerDefinitions": [] });
    assert_eq!(check(&request(Some("EC2"), None), &ec2, None).problems, []);
    let unsaid = json!({ "cpu": "256", "memory": "64", "containerDefinitions": [] });
    assert_eq!(
        check(&request(None, Some("my-asg")), &unsaid, None).problems,
        []
    );
    // RunTask on Fargate checks the size even when the definition does not require Fargate.
    assert_eq!(
        check(&request(Some("FARGATE"), None), &unsaid, None)
            .problems
            .len(),
        1
    );
    assert_eq!(
        check(&request(None, Some("FARGATE_SPOT")), &unsaid, None)
            .problems
            .len(),
        1
    );
}

#[test]
fn awslogs_without_a_region_is_refused_with_the_region_to_add() {
    let td = json!({ "containerDefinitions": [
        { "name": "app", "logConfiguration": { "logDriver": "awslogs",
            "options": { "awslogs-group": "/ecs/app", "awslogs-stream-prefix": "app" } } },
        { "name": "router", "logConfiguration": { "logDriver": "awsfirelens" } },
        { "name": "ok", "logConfiguration": { "logDriver": "awslogs",
            "options": { "awslogs-group": "/ecs/app", "awslogs-region": "eu-west-1" } } },
    ]});
    let found = check(&request(Some("EC2"), None), &td, Some("eu-west-1")).problems;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .what
            .starts_with("container \"app\" logs with awslogs but has no awslogs-region")
    );
    assert!(
        found[0]
            .fix
            .contains("add \"awslogs-region\": \"eu-west-1\""),
        "{}",
        found[0].fix
    );
}
