use serde_json::{Map, Value, json};

use super::*;
use crate::taskdef::derive::{Overrides, derive};

fn derived_sidecars() -> Value {
    let base = serde_json::from_str(include_str!("fixtures/sidecars.json")).unwrap();
    let overrides = Overrides {
        container: Some("app".into()),
        command: Some(vec!["python".into(), "manage.py".into(), "migrate".into()]),
        environment: [(
            "DJANGO_SETTINGS_MODULE".to_owned(),
            "storefront.settings.migrate".to_owned(),
        )]
        .into(),
        memory: Some(2048),
        ..Overrides::default()
    };
    derive(&base, &overrides).unwrap().task_definition
}

/// What DescribeTaskDefinition returns after registering `request`: read-only fields, the
/// defaults ECS fills in, keys in another order, and the `{"taskDefinition", "tags"}` wrapper.
fn as_registered(request: &Value) -> Value {
    let mut task = request.as_object().unwrap().clone();
    for container in task["containerDefinitions"].as_array_mut().unwrap() {
        let container = container.as_object_mut().unwrap();
        container.entry("cpu").or_insert(json!(0));
        container.entry("essential").or_insert(json!(true));
        for list in [
            "portMappings",
            "environment",
            "mountPoints",
            "volumesFrom",
            "systemControls",
        ] {
            container.entry(list).or_insert(json!([]));
        }
        if let Some(Value::Array(environment)) = container.get_mut("environment") {
            environment.reverse();
        }
        if let Some(Value::Object(health_check)) = container.get_mut("healthCheck") {
            health_check.entry("interval").or_insert(json!(30));
            health_check.entry("timeout").or_insert(json!(5));
            health_check.entry("retries").or_insert(json!(3));
        }
        *container = container.clone().into_iter().rev().collect();
    }
    task.entry("volumes").or_insert(json!([]));
    task.entry("placementConstraints").or_insert(json!([]));
    task.insert(
        "taskDefinitionArn".into(),
        json!("arn:aws:ecs:eu-central-1:123456789012:task-definition/storefront-migrate:3"),
    );
    task.insert("revision".into(), json!(3));
    task.insert("status".into(), json!("ACTIVE"));
    task.insert(
        "requiresAttributes".into(),
        json!([{ "name": "ecs.capability.container-ordering" }]),
    );
    task.insert("compatibilities".into(), json!(["EC2", "FARGATE"]));
    task.insert(
        "registeredAt".into(),
        json!("2024-06-21T09:00:00.000000+00:00"),
    );
    task.insert(
        "registeredBy".into(),
        json!("arn:aws:sts::123456789012:assumed-role/deploy/ci"),
    );
    let task: Map<String, Value> = task.into_iter().rev().collect();
    json!({ "taskDefinition": task, "tags": [{ "key": "managed-by", "value": "ecs-migrate" }] })
}

#[test]
fn a_registered_revision_equals_the_request_that_made_it() {
    let request = derived_sidecars();
    let registered = as_registered(&request);
    assert_ne!(
        registered["taskDefinition"], request,
        "the simulation should differ textually"
    );
    assert!(same_definition(&request, &registered));
    assert!(same_definition(&registered, &request));
}

#[test]
fn deriving_twice_gives_the_same_definition() {
    assert!(same_definition(&derived_sidecars(), &derived_sidecars()));
}

#[test]
fn real_changes_compare_different() {
    let request = derived_sidecars();
    let registered = as_registered(&request);
    type Change = fn(&mut Value);
    let changes: [(&str, Change); 6] = [
        ("image", |td| {
            td["containerDefinitions"][0]["image"] = json!("storefront@sha256:feed")
        }),
        ("command", |td| {
            td["containerDefinitions"][0]["command"] =
                json!(["python", "manage.py", "showmigrations"])
        }),
        ("environment value", |td| {
            td["containerDefinitions"][0]["environment"][0]["value"] = json!("other")
        }),
        ("memory", |td| td["memory"] = json!("4096")),
        ("label", |td| {
            td["containerDefinitions"][0]["dockerLabels"]["com.datadoghq.tags.version"] = json!("5")
        }),
        ("new container", |td| {
            td["containerDefinitions"]
                .as_array_mut()
                .unwrap()
                .push(json!({ "name": "extra", "image": "busybox" }))
        }),
    ];
    for (what, change) in changes {
        let mut changed = request.clone();
        change(&mut changed);
        assert!(
            !same_definition(&changed, &registered),
            "a changed {what} compared equal"
        );
    }
}

#[test]
fn explicit_values_that_differ_from_the_defaults_are_kept() {
    let td = json!({ "containerDefinitions": [{
        "name": "app",
        "essential": false,
        "cpu": 128,
        "environment": [{ "name": "B", "value": "2" }, { "name": "A", "value": "1" }],
        "healthCheck": { "command": ["CMD", "true"], "interval": 31, "timeout": 5 },
        "portMappings": [{ "containerPort": 80, "hostPort": 80, "protocol": "udp" }],
    }]});
    insta::assert_json_snapshot!(normalise(&td), @r#"
    {
      "containerDefinitions": [
        {
          "cpu": 128,
          "environment": [
            {
              "name": "A",
              "value": "1"
            },
            {
              "name": "B",
              "value": "2"
            }
          ],
          "essential": false,
          "healthCheck": {
            "command": [
              "CMD",
              "true"
            ],
            "interval": 31
          },
          "name": "app",
          "portMappings": [
            {
              "containerPort": 80,
              "hostPort": 80,
              "protocol": "udp"
            }
          ]
        }
      ]
    }
    "#);
}

#[test]
fn awsvpc_host_ports_and_numeric_task_sizes_are_canonical() {
    let registered = json!({
        "networkMode": "awsvpc", "cpu": "256", "memory": "512",
        "containerDefinitions": [{ "name": "a", "portMappings": [{ "containerPort": 80, "hostPort": 80, "protocol": "tcp" }] }],
    });
    let written = json!({
        "networkMode": "awsvpc", "cpu": 256, "memory": 512,
        "containerDefinitions": [{ "name": "a", "portMappings": [{ "containerPort": 80 }] }],
    });
    assert!(same_definition(&registered, &written));
    let bridge = |host_port: u16| json!({ "networkMode": "bridge", "containerDefinitions": [{ "name": "a", "portMappings": [{ "containerPort": 80, "hostPort": host_port }] }] });
    assert!(!same_definition(&bridge(80), &bridge(0)));
}

#[test]
fn the_canonical_form_keeps_user_data_keys_as_they_are() {
    let normalised = normalise(&derived_sidecars());
    let app = &normalised["containerDefinitions"][0];
    assert_eq!(
        app["dockerLabels"]["com.datadoghq.tags.service"],
        "storefront"
    );
    let option_keys: Vec<&String> = app["logConfiguration"]["options"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        option_keys,
        ["Host", "Name", "TLS", "dd_service", "dd_source", "provider"]
    );
    insta::assert_json_snapshot!(normalised);
}
