use serde_json::{Value, json};

use super::*;

pub(super) fn fixture(name: &str) -> Value {
    let text = match name {
        "rails_fargate" => include_str!("fixtures/rails_fargate.json"),
        "ec2_bridge" => include_str!("fixtures/ec2_bridge.json"),
        "sidecars" => include_str!("fixtures/sidecars.json"),
        "two_essential" => include_str!("fixtures/two_essential.json"),
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).expect("fixture is valid JSON")
}

pub(super) fn container<'a>(derived: &'a Derived, name: &str) -> &'a Value {
    let containers = derived.task_definition["containerDefinitions"]
        .as_array()
        .unwrap();
    containers
        .iter()
        .find(|container| container["name"] == name)
        .unwrap()
}

pub(super) fn container_names(derived: &Derived) -> Vec<&str> {
    let containers = derived.task_definition["containerDefinitions"]
        .as_array()
        .unwrap();
    containers
        .iter()
        .map(|container| container["name"].as_str().unwrap())
        .collect()
}

pub(super) fn for_container(name: &str) -> Overrides {
    Overrides {
        container: Some(name.into()),
        ..Overrides::default()
    }
}

#[test]
fn default_derivation_of_a_fargate_rails_service() {
    let derived = derive(&fixture("rails_fargate"), &Overrides::default()).unwrap();
    assert_eq!(derived.container, "web");
    assert_eq!(derived.family, "shop-web-migrate");
    insta::assert_json_snapshot!(derived.task_definition);
}

#[test]
fn every_override_applies_to_the_migration_container_and_task() {
    let overrides = Overrides {
        container: Some("web".into()),
        family: Some("shop-db-migrate".into()),
        image: Some("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop@sha256:0123abcd".into()),
        command: Some(vec!["bin/rails".into(), "db:migrate".into()]),
        entrypoint: Some(vec!["/usr/bin/tini".into(), "--".into()]),
        environment: [
            ("WEB_CONCURRENCY", "1"),
            ("DISABLE_SPRING", "1"),
            ("MIGRATION_TIMEOUT", "3600"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .into(),
        secrets: [
            (
                "DATABASE_URL",
                "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/DATABASE_MIGRATION_URL",
            ),
            (
                "LOCK_TOKEN",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/lock-XyZ123",
            ),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .into(),
        cpu: Some(512),
        memory: Some(1024),
        keep_all_containers: false,
    };
    let derived = derive(&fixture("rails_fargate"), &overrides).unwrap();
    assert_eq!(derived.family, "shop-db-migrate");
    insta::assert_json_snapshot!(derived.task_definition);
}

#[test]
fn wrapped_describe_output_derives_like_the_bare_definition() {
    let wrapped = json!({
        "taskDefinition": fixture("rails_fargate"),
        "tags": [{ "key": "team", "value": "checkout" }],
    });
    let derived = derive(&wrapped, &Overrides::default()).unwrap();
    let from_bare = derive(&fixture("rails_fargate"), &Overrides::default()).unwrap();
    assert_eq!(derived.task_definition, from_bare.task_definition);
    assert_eq!(derived.task_definition.get("tags"), None);
    insta::assert_json_snapshot!(derived.task_definition);
}

#[test]
fn ec2_bridge_service_loses_static_host_port_and_unneeded_sidecar() {
    let derived = derive(&fixture("ec2_bridge"), &Overrides::default()).unwrap();
    assert_eq!(container_names(&derived), ["api"]);
    // Its only link named the removed X-Ray daemon.
    assert_eq!(container(&derived, "api").get("links"), None);
    insta::assert_json_snapshot!(derived.task_definition);
}

#[test]
fn smaller_memory_drops_a_larger_reservation() {
    let overrides = Overrides {
        memory: Some(512),
        ..Overrides::default()
    };
    let derived = derive(&fixture("ec2_bridge"), &overrides).unwrap();
    let api = container(&derived, "api");
    assert_eq!(api["memory"], 512);
    assert_eq!(api.get("memoryReservation"), None);
    assert_eq!(derived.task_definition["memory"], "512");

    let overrides = Overrides {
        memory: Some(2048),
        ..Overrides::default()
    };
    let derived = derive(&fixture("ec2_bridge"), &overrides).unwrap();
    assert_eq!(container(&derived, "api")["memoryReservation"], 768);
}

#[test]
fn memory_is_not_added_to_a_container_that_had_none() {
    let overrides = Overrides {
        memory: Some(4096),
        cpu: Some(1024),
        ..Overrides::default()
    };
    let derived = derive(&fixture("rails_fargate"), &overrides).unwrap();
    let web = container(&derived, "web");
    assert_eq!(web.get("memory"), None);
    assert_eq!(web["cpu"], 1024);
    assert_eq!(derived.task_definition["cpu"], "1024");
    assert_eq!(derived.task_definition["memory"], "4096");
}

#[test]
fn sidecars_keep_only_dependencies_and_the_firelens_router() {
    let derived = derive(&fixture("sidecars"), &for_container("app")).unwrap();
    assert_eq!(
        container_names(&derived),
        ["app", "datadog-agent", "log_router"]
    );
    // The app waits for the agent to be HEALTHY, so the agent keeps its health check.
    assert!(
        container(&derived, "datadog-agent")
            .get("healthCheck")
            .is_some()
    );
    insta::assert_json_snapshot!(derived.task_definition);
}

#[test]
fn keep_all_containers_keeps_every_sidecar_without_ports() {
    let overrides = Overrides {
        keep_all_containers: true,
        ..for_container("app")
    };
    let derived = derive(&fixture("sidecars"), &overrides).unwrap();
    assert_eq!(
        container_names(&derived),
        ["app", "datadog-agent", "nginx", "log_router"]
    );
    // nginx waited for the app to be HEALTHY, but the app no longer has a health check.
    assert_eq!(
        container(&derived, "nginx")["dependsOn"],
        json!([{ "containerName": "app", "condition": "START" }])
    );
    insta::assert_json_snapshot!(derived.task_definition);
}

#[test]
fn one_of_two_essential_containers_can_be_chosen() {
    let derived = derive(&fixture("two_essential"), &for_container("worker")).unwrap();
    assert_eq!(derived.container, "worker");
    insta::assert_json_snapshot!(derived.task_definition);
}

#[test]
fn unknown_container_names_the_available_ones() {
    let error = derive(&fixture("sidecars"), &for_container("web")).unwrap_err();
    assert!(matches!(error, DeriveError::UnknownContainer { .. }));
    assert_eq!(
        error.to_string(),
        "container \"web\" is not in the task definition; its containers are: app, datadog-agent, nginx, log_router"
    );
}

#[test]
fn several_essential_containers_need_an_explicit_choice() {
    let error = derive(&fixture("two_essential"), &Overrides::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the task definition has several essential containers (web, worker); set `container` to the one that runs the migration"
    );
    let error = derive(&fixture("sidecars"), &Overrides::default()).unwrap_err();
    let DeriveError::AmbiguousContainer { essential } = error else {
        panic!("{error}")
    };
    assert_eq!(essential, ["app", "datadog-agent", "nginx", "log_router"]);
}

#[test]
fn the_single_essential_container_is_the_default() {
    let derived = derive(&fixture("ec2_bridge"), &Overrides::default()).unwrap();
    assert_eq!(derived.container, "api");
}

#[test]
fn no_essential_container_needs_an_explicit_choice() {
    let base = json!({ "family": "f", "containerDefinitions": [
        { "name": "a", "image": "a", "essential": false },
        { "name": "b", "image": "b", "essential": false },
    ]});
    let error = derive(&base, &Overrides::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the task definition has no essential container; set `container` to one of: a, b"
    );
}

#[test]
fn a_lone_container_is_used_and_made_essential_even_if_it_was_not() {
    let base =
        json!({ "family": "f", "containerDefinitions": [{ "name": "job", "essential": false }] });
    let derived = derive(&base, &Overrides::default()).unwrap();
    assert_eq!(derived.container, "job");
    assert_eq!(container(&derived, "job")["essential"], true);
}
