use std::path::Path;

use aws_sdk_ecs::types::{
    Deployment, EbsResourceType, EbsTagSpecification, LaunchType, PlacementConstraintType,
    PlacementStrategyType, PropagateTags, Service, ServiceManagedEbsVolumeConfiguration,
    ServiceVolumeConfiguration, TaskFilesystemType,
};
use serde_json::{Value, json};

use crate::config::{Settings, parse};
use crate::task::launch::{
    AwsVpcConfiguration, RunTaskRequest, ServiceInfo, Tag, run_task_request,
};
use crate::task::service_parity::ServiceParity;

fn settings(extra: &str) -> Settings {
    let yaml = format!("cluster: app-prod\nservice: app-web\n{extra}");
    parse(&yaml, Path::new("ecs-migrate.yml"), &|_| None)
        .and_then(|raw| raw.resolve_in(None, Path::new("/nonexistent-checkout")))
        .unwrap_or_else(|error| panic!("{error}"))
}

fn service_info(launch_type: &str, service: &Service) -> ServiceInfo {
    ServiceInfo {
        task_definition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/app-web:7".into(),
        network: (launch_type == "FARGATE").then(|| AwsVpcConfiguration {
            subnets: vec!["subnet-a".into()],
            security_groups: vec!["sg-1".into()],
            assign_public_ip: "DISABLED".into(),
        }),
        launch_type: Some(launch_type.into()),
        parity: ServiceParity::read(service),
        ..ServiceInfo::default()
    }
}

fn derived(network_mode: &str, volumes: Value) -> Value {
    json!({ "family": "app-web-migrate", "networkMode": network_mode, "volumes": volumes })
}

fn request(settings: &Settings, info: &ServiceInfo, derived: &Value) -> RunTaskRequest {
    let tags = vec![Tag {
        key: "ecs-migrate:name".into(),
        value: "app".into(),
    }];
    run_task_request(settings, Some(info), derived, "app-web-migrate", tags)
        .unwrap_or_else(|error| panic!("{error:#}"))
}

fn error(settings: &Settings, info: &ServiceInfo, derived: &Value) -> String {
    let tags = Vec::new();
    let answer = run_task_request(settings, Some(info), derived, "app-web-migrate", tags);
    format!("{:#}", answer.expect_err("the request should be refused"))
}

/// An EC2 service with ECS Exec, a constraint and a spread strategy.
fn placed_service() -> Service {
    Service::builder()
        .launch_type(LaunchType::Ec2)
        .enable_execute_command(true)
        .placement_constraints(
            aws_sdk_ecs::types::PlacementConstraint::builder()
                .r#type(PlacementConstraintType::MemberOf)
                .expression("attribute:ecs.instance-type =~ t3.*")
                .build(),
        )
        .placement_strategy(
            aws_sdk_ecs::types::PlacementStrategy::builder()
                .r#type(PlacementStrategyType::Spread)
                .field("attribute:ecs.availability-zone")
                .build(),
        )
        .propagate_tags(PropagateTags::TaskDefinition)
        .build()
}

#[test]
fn a_fargate_service_with_ecs_exec_gives_exec_and_no_placement() {
    let info = service_info("FARGATE", &placed_service());
    let request = request(&settings(""), &info, &derived("awsvpc", json!([])));
    insta::assert_json_snapshot!(request);
}

#[test]
fn an_ec2_service_has_its_placement_copied() {
    let info = service_info("EC2", &placed_service());
    let request = request(&settings(""), &info, &derived("bridge", json!([])));
    insta::assert_json_snapshot!(request);
}

#[test]
fn the_config_wins_over_the_service() {
    let info = service_info("EC2", &placed_service());
    let config = settings(
        "enable_execute_command: false\npropagate_tags: none\n\
         placement_constraints: [{ type: distinctInstance }]\nplacement_strategy: []\n",
    );
    let request = request(&config, &info, &derived("bridge", json!([])));
    insta::assert_json_snapshot!(request);
}

fn ebs_service() -> Service {
    let tags = EbsTagSpecification::builder()
        .resource_type(EbsResourceType::Volume)
        .tags(
            aws_sdk_ecs::types::Tag::builder()
                .key("team")
                .value("db")
                .build(),
        )
        .propagate_tags(PropagateTags::Service)
        .build()
        .unwrap();
    let managed = ServiceManagedEbsVolumeConfiguration::builder()
        .role_arn("arn:aws:iam::123456789012:role/ecs-ebs")
        .size_in_gib(20)
        .volume_type("gp3")
        .iops(3000)
        .throughput(125)
        .encrypted(true)
        .kms_key_id("alias/ebs")
        .snapshot_id("snap-0123")
        .filesystem_type(TaskFilesystemType::Ext4)
        .tag_specifications(tags)
        .build()
        .unwrap();
    let volume = ServiceVolumeConfiguration::builder()
        .name("data")
        .managed_ebs_volume(managed)
        .build()
        .unwrap();
    let deployment = Deployment::builder()
        .status("PRIMARY")
        .volume_configurations(volume)
        .build();
    Service::builder()
        .launch_type(LaunchType::Fargate)
        .deployments(deployment)
        .build()
}

fn ebs_volumes() -> Value {
    json!([{ "name": "data", "configuredAtLaunch": true }, { "name": "scratch" }])
}

#[test]
fn the_services_ebs_volume_configures_the_tasks_with_the_config_over_it() {
    let info = service_info("FARGATE", &ebs_service());
    let config = settings("volume_configurations: { data: { size_in_gib: 50 } }\n");
    let request = request(&config, &info, &derived("awsvpc", ebs_volumes()));
    insta::assert_json_snapshot!(request.volume_configurations);
}

#[test]
fn volumes_at_launch_need_ebs_settings_from_the_service_or_the_config() {
    let info = service_info("FARGATE", &Service::builder().build());
    let message = error(&settings(""), &info, &derived("awsvpc", ebs_volumes()));
    assert!(
        message.contains("volume_configurations.data.role_arn"),
        "{message}"
    );
    let typo = settings("volume_configurations: { scratch: { size_in_gib: 5 } }\n");
    let message = error(&typo, &info, &derived("awsvpc", ebs_volumes()));
    assert!(
        message.contains("\"scratch\"") && message.contains("it has: data"),
        "{message}"
    );
}

#[test]
fn placement_from_the_config_is_refused_on_fargate() {
    let info = service_info("FARGATE", &Service::builder().build());
    let config = settings("placement_strategy: [{ type: random }]\n");
    let message = error(&config, &info, &derived("awsvpc", json!([])));
    assert!(message.contains("cannot be used on Fargate"), "{message}");
}

#[test]
fn a_service_propagating_its_tags_has_them_copied_not_service_sent() {
    let tag = |key: &str| {
        aws_sdk_ecs::types::Tag::builder()
            .key(key)
            .value("v")
            .build()
    };
    let service = Service::builder()
        .propagate_tags(PropagateTags::Service)
        .tags(tag("team"))
        .tags(tag("ecs-migrate:name"))
        .tags(tag("aws:cloudformation:stack-name"))
        .build();
    let info = service_info("FARGATE", &service);
    let request = request(&settings(""), &info, &derived("awsvpc", json!([])));
    assert_eq!(request.propagate_tags, None);
    let keys: Vec<&str> = request.tags.iter().map(|tag| tag.key.as_str()).collect();
    assert_eq!(keys, ["ecs-migrate:name", "team"]);
}

#[test]
fn the_config_refuses_what_runtask_would() {
    let refused = [
        ("propagate_tags: SERVICE\n", "SERVICE is refused by RunTask"),
        (
            "placement_strategy: [{ type: spread }]\n",
            "required for type spread",
        ),
        (
            "placement_constraints: [{ type: nearby }]\n",
            "use one of: distinctInstance",
        ),
        (
            "placement_constraints: [{ type: distinctInstance, expression: x }]\n",
            "takes no expression",
        ),
    ];
    for (yaml, wanted) in refused {
        let yaml = format!("cluster: app-prod\nservice: app-web\n{yaml}");
        let answer = parse(&yaml, Path::new("ecs-migrate.yml"), &|_| None)
            .and_then(|raw| raw.resolve_in(None, Path::new("/nonexistent-checkout")));
        let message = answer.expect_err(yaml.as_str()).to_string();
        assert!(message.contains(wanted), "{yaml}: {message}");
    }
}
