//! Rules of the derivation that need no snapshot: errors, variable merging, and what must
//! pass through untouched.

use serde_json::{Value, json};

use super::tests::{container, container_names, fixture};
use super::*;

#[test]
fn malformed_task_definitions_are_errors() {
    let defaults = Overrides::default();
    assert!(matches!(
        derive(&json!([]), &defaults),
        Err(DeriveError::NotAnObject)
    ));
    let no_containers = json!({ "family": "f", "containerDefinitions": [] });
    assert!(matches!(
        derive(&no_containers, &defaults),
        Err(DeriveError::NoContainers)
    ));
    let unnamed =
        json!({ "family": "f", "containerDefinitions": [{ "name": "a" }, { "image": "x" }] });
    assert!(matches!(
        derive(&unnamed, &defaults),
        Err(DeriveError::UnnamedContainer { index: 1 })
    ));
    let no_family = json!({ "containerDefinitions": [{ "name": "a" }] });
    assert!(matches!(
        derive(&no_family, &defaults),
        Err(DeriveError::NoFamily)
    ));
    let with_family = Overrides {
        family: Some("f-migrate".into()),
        ..Overrides::default()
    };
    assert_eq!(
        derive(&no_family, &with_family).unwrap().family,
        "f-migrate"
    );
}

#[test]
fn a_name_in_both_environment_and_secrets_is_an_error() {
    let overrides = Overrides {
        environment: [("DATABASE_URL".to_owned(), "postgres://".to_owned())].into(),
        secrets: [(
            "DATABASE_URL".to_owned(),
            "arn:aws:ssm:::parameter/db".to_owned(),
        )]
        .into(),
        ..Overrides::default()
    };
    let error = derive(&fixture("rails_fargate"), &overrides).unwrap_err();
    assert_eq!(
        error.to_string(),
        "\"DATABASE_URL\" is set in both `environment` and `secrets`; a variable can come from only one"
    );
}

#[test]
fn environment_overrides_keep_order_and_append_new_names_sorted() {
    let overrides = Overrides {
        environment: [
            ("ZZ_NEW", "z"),
            ("RAILS_LOG_TO_STDOUT", "0"),
            ("AA_NEW", "a"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .into(),
        ..Overrides::default()
    };
    let derived = derive(&fixture("rails_fargate"), &overrides).unwrap();
    assert_eq!(
        container(&derived, "web")["environment"],
        json!([
            { "name": "RAILS_ENV", "value": "production" },
            { "name": "RAILS_LOG_TO_STDOUT", "value": "0" },
            { "name": "WEB_CONCURRENCY", "value": "2" },
            { "name": "AA_NEW", "value": "a" },
            { "name": "ZZ_NEW", "value": "z" },
        ])
    );
}

#[test]
fn a_plain_variable_replaces_a_secret_of_the_same_name_and_back() {
    let overrides = Overrides {
        environment: [(
            "DATABASE_URL".to_owned(),
            "postgres://migrator@db/shop".to_owned(),
        )]
        .into(),
        secrets: [(
            "RAILS_ENV".to_owned(),
            "arn:aws:ssm:::parameter/env".to_owned(),
        )]
        .into(),
        ..Overrides::default()
    };
    let derived = derive(&fixture("rails_fargate"), &overrides).unwrap();
    let web = container(&derived, "web");
    let names = |list: &str| -> Vec<String> {
        web[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names("environment"),
        ["RAILS_LOG_TO_STDOUT", "WEB_CONCURRENCY", "DATABASE_URL"]
    );
    assert_eq!(names("secrets"), ["SECRET_KEY_BASE", "RAILS_ENV"]);
}

#[test]
fn user_data_keys_are_preserved_byte_for_byte() {
    let base = fixture("rails_fargate");
    let base_web = &base["containerDefinitions"][0];
    let overrides = Overrides {
        cpu: Some(256),
        memory: Some(512),
        ..Overrides::default()
    };
    let derived = derive(&base, &overrides).unwrap();
    let web = container(&derived, "web");
    for key in ["dockerLabels", "logConfiguration"] {
        let before = serde_json::to_string(&base_web[key]).unwrap();
        let after = serde_json::to_string(&web[key]).unwrap();
        assert_eq!(before, after, "{key} changed");
    }
    let label_keys: Vec<&String> = web["dockerLabels"].as_object().unwrap().keys().collect();
    assert_eq!(
        label_keys,
        [
            "com.datadoghq.ad.Instances",
            "com.datadoghq.tags.env",
            "Traefik.HTTP.Routers.web.Rule",
            "team"
        ]
    );
    let option_keys: Vec<&String> = web["logConfiguration"]["options"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        option_keys,
        [
            "awslogs-group",
            "awslogs-region",
            "awslogs-stream-prefix",
            "mode",
            "max-buffer-size"
        ]
    );
}

#[test]
fn read_only_fields_and_tags_go_while_unknown_keys_pass_through() {
    let mut base = fixture("rails_fargate");
    base["tags"] = json!([{ "key": "a", "value": "b" }]);
    base["someFutureSetting"] = json!({ "Mixed.Case": true });
    base["containerDefinitions"][0]["someFutureContainerSetting"] = json!(["x"]);
    let derived = derive(&base, &Overrides::default()).unwrap();
    for field in READ_ONLY_FIELDS.iter().chain(&["tags"]) {
        assert_eq!(derived.task_definition.get(*field), None, "{field} kept");
    }
    assert_eq!(
        derived.task_definition["someFutureSetting"],
        json!({ "Mixed.Case": true })
    );
    assert_eq!(
        container(&derived, "web")["someFutureContainerSetting"],
        json!(["x"])
    );
    assert_eq!(
        derived.task_definition["ephemeralStorage"],
        json!({ "sizeInGiB": 30 })
    );
}

#[test]
fn proxy_configuration_follows_its_container() {
    let base = json!({
        "family": "mesh-app",
        "containerDefinitions": [
            { "name": "app", "dependsOn": [{ "containerName": "envoy", "condition": "HEALTHY" }] },
            { "name": "envoy", "essential": false, "healthCheck": { "command": ["CMD-SHELL", "true"] } },
            { "name": "worker", "essential": false },
        ],
        "proxyConfiguration": { "type": "APPMESH", "containerName": "envoy" },
    });
    let derived = derive(&base, &Overrides::default()).unwrap();
    assert_eq!(
        derived.task_definition["proxyConfiguration"]["containerName"],
        "envoy"
    );
    assert!(container(&derived, "envoy").get("healthCheck").is_some());

    let mut without_dependency = base.clone();
    without_dependency["containerDefinitions"][0]
        .as_object_mut()
        .unwrap()
        .remove("dependsOn");
    let derived = derive(&without_dependency, &Overrides::default()).unwrap();
    assert_eq!(container_names(&derived), ["app"]);
    assert_eq!(derived.task_definition.get("proxyConfiguration"), None);
}

#[test]
fn volume_sources_are_kept_and_links_to_removed_containers_dropped() {
    let base = json!({
        "family": "legacy",
        "containerDefinitions": [
            { "name": "app", "links": ["assets:static", "cache"], "volumesFrom": [{ "sourceContainer": "assets" }] },
            { "name": "assets", "essential": false },
            { "name": "cache", "essential": false, "portMappings": [{ "containerPort": 6379, "hostPort": 6379 }] },
        ],
    });
    let derived = derive(&base, &Overrides::default()).unwrap();
    assert_eq!(container_names(&derived), ["app", "assets"]);
    assert_eq!(
        container(&derived, "app")["links"],
        json!(["assets:static"])
    );
}

#[test]
fn unwrap_document_accepts_bare_and_wrapped() {
    let bare = json!({ "family": "f", "containerDefinitions": [] });
    assert_eq!(unwrap_document(bare.clone()), bare);
    let wrapped = json!({ "taskDefinition": bare.clone(), "tags": [] });
    assert_eq!(unwrap_document(wrapped), bare);
}

#[test]
fn key_order_of_the_base_is_kept() {
    let base = fixture("rails_fargate");
    let derived = derive(&base, &Overrides::default()).unwrap();
    let keys =
        |value: &Value| -> Vec<String> { value.as_object().unwrap().keys().cloned().collect() };
    let mut expected = keys(&base);
    expected.retain(|key| !READ_ONLY_FIELDS.contains(&key.as_str()));
    assert_eq!(keys(&derived.task_definition), expected);
    let mut expected = keys(&base["containerDefinitions"][0]);
    expected.retain(|key| key != "portMappings" && key != "healthCheck");
    assert_eq!(keys(container(&derived, "web")), expected);
}
