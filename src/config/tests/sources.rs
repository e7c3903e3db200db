//! Where things come from: the base task definition, build paths relative to the config file,
//! the config's name, network and capacity providers.

use std::path::{Path, PathBuf};

use super::*;
use crate::config::{BaseSource, CapacityProvider, ImageSettings, NetworkSettings};

#[test]
fn task_definition_sources_are_told_apart() {
    let base = |value: &str, source: Option<&str>| {
        let raw = RawConfig {
            cluster: Some("a".to_owned()),
            task_definition: Some(value.to_owned()),
            ..RawConfig::default()
        };
        raw.resolve(source.map(Path::new))
            .map(|settings| settings.base)
            .map_err(|error| error.to_string())
    };
    let definition = |text: &str| Ok(BaseSource::TaskDefinition(text.to_owned()));
    assert_eq!(base("app-web", None), definition("app-web"));
    assert_eq!(base("app-web:42", None), definition("app-web:42"));
    let arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/app-web:42";
    assert_eq!(base(arn, None), definition(arn));
    let file = |path: &str| Ok(BaseSource::File(PathBuf::from(path)));
    assert_eq!(
        base("taskdef.json", Some("deploy/ecs-migrate.yml")),
        file("deploy/taskdef.json")
    );
    assert_eq!(
        base("./td/app.YAML", Some("deploy/ecs-migrate.yml")),
        file("deploy/td/app.YAML")
    );
    assert_eq!(
        base("/abs/taskdef.yml", Some("deploy/ecs-migrate.yml")),
        file("/abs/taskdef.yml")
    );
    assert_eq!(base("taskdef.json", None), file("taskdef.json"));
    assert_eq!(
        base("app web", None).unwrap_err(),
        "task_definition: invalid value \"app web\" (use family[:revision] such as app-web:42, a \
         task definition ARN, or a .json/.yml/.yaml file)"
    );
    assert!(base("app:latest", None).is_err());
}

#[test]
fn build_paths_start_from_the_config_file() {
    let raw = load(
        "cluster: a\nservice: w\nimage:\n  repository: app\n  build:\n    context: ../app\n    dockerfile: docker/Dockerfile.migrate\n    args: { RUBY: \"3.3\" }\n    cache_from: type=gha\n",
    )
    .unwrap();
    let settings = raw.resolve(Some(Path::new("ci/ecs-migrate.yml"))).unwrap();
    let build = settings.image.build.unwrap();
    assert_eq!(build.context, PathBuf::from("ci/../app"));
    assert_eq!(
        build.dockerfile,
        Some(PathBuf::from("ci/../app/docker/Dockerfile.migrate"))
    );
    assert_eq!(build.args["RUBY"], "3.3");
    assert_eq!(build.cache_from, ["type=gha"]);
    assert_eq!(settings.name, "w", "the service names the migration");
    let bare = settings_from_repository_only();
    assert_eq!(
        bare.build.unwrap().context,
        PathBuf::from("."),
        "a repository alone builds `.`"
    );
}

fn settings_from_repository_only() -> ImageSettings {
    settings("cluster: a\nservice: w\nimage: { repository: app, create_repository: true }\n").image
}

#[test]
fn names_networks_and_strategies_resolve() {
    let settings = load(
        "cluster: a\nservice: w\nnetwork: { subnets: [s-1, \"\"], security_groups: [sg-1] }\n\
         capacity_provider_strategy:\n  - { capacity_provider: FARGATE_SPOT, weight: 3, base: 1 }\n",
    )
    .unwrap()
    .resolve(Some(Path::new("migrations/prod.migrate.yml")))
    .unwrap();
    assert_eq!(settings.name, "w");
    assert_eq!(
        settings.network,
        Some(NetworkSettings {
            subnets: vec!["s-1".to_owned()],
            security_groups: vec!["sg-1".to_owned()],
            assign_public_ip: false,
        })
    );
    assert_eq!(
        settings.capacity_provider_strategy,
        [CapacityProvider {
            capacity_provider: "FARGATE_SPOT".to_owned(),
            weight: Some(3),
            base: Some(1)
        }]
    );
    assert_eq!(
        super::settings("name: nightly\ncluster: a\nservice: w\n").name,
        "nightly"
    );
}

#[test]
fn the_default_name_is_the_service_then_the_base_family_then_the_file_stem() {
    let name = |yaml: &str, file: &str| {
        load(yaml)
            .unwrap()
            .resolve_in(Some(Path::new(file)), Path::new("/nonexistent-checkout"))
            .unwrap()
            .name
    };
    assert_eq!(
        name(
            "cluster: a\nservice: app-web\ntask_definition: base:3\n",
            "ci/x.yml"
        ),
        "app-web"
    );
    assert_eq!(
        name("cluster: a\ntask_definition: base:3\n", "ci/x.yml"),
        "base"
    );
    assert_eq!(
        name(
            "cluster: a\ntask_definition: arn:aws:ecs:eu-west-1:1:task-definition/app-api:9\n",
            "ci/x.yml"
        ),
        "app-api"
    );
    // A task definition file names its family…
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("taskdef.json"),
        r#"{"taskDefinition": {"family": "shop-web", "containerDefinitions": [{"name": "app"}]}}"#,
    )
    .unwrap();
    let config = dir.path().join("migrate.yml");
    assert_eq!(
        name(
            "cluster: a\ntask_definition: taskdef.json\n",
            config.to_str().unwrap()
        ),
        "shop-web"
    );
    // …and one that cannot be read (reported when it is used) leaves the file's stem.
    assert_eq!(
        name(
            "cluster: a\ntask_definition: missing.json\n",
            "ci/prod.migrate.yml"
        ),
        "prod.migrate"
    );
    assert_eq!(
        name("name: nightly\ncluster: a\nservice: app-web\n", "ci/x.yml"),
        "nightly",
        "an explicit name wins"
    );
}
