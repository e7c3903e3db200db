//! Defaults, required keys, conflicts and path resolution in `RawConfig::resolve`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::config::{
    BaseSource, BuildSettings, ImageSettings, KeepContainers, OnCancel, OnConflict, ReportSettings,
    ServiceOverrides, ToolOrigin, ToolSettings, VerifySettings,
};

#[test]
fn a_minimal_file_gets_every_default() {
    let settings = settings("cluster: app-prod\nservice: app-web\n");
    assert_eq!(
        settings,
        Settings {
            name: "app-web".to_owned(),
            environment_name: None,
            source: Some(PathBuf::from("ecs-migrate.yml")),
            cluster: "app-prod".to_owned(),
            base: BaseSource::Service("app-web".to_owned()),
            service: Some("app-web".to_owned()),
            container: None,
            family: None,
            command: None,
            entrypoint: None,
            environment: BTreeMap::new(),
            secrets: BTreeMap::new(),
            cpu: None,
            memory: None,
            image: ImageSettings::default(),
            network: None,
            launch_type: None,
            capacity_provider_strategy: Vec::new(),
            platform_version: None,
            service_overrides: ServiceOverrides::default(),
            timeout: Duration::from_secs(3600),
            poll_interval: None,
            on_cancel: OnCancel::Stop,
            on_conflict: OnConflict::Wait,
            max_outage: Duration::from_secs(180),
            log_drain: Duration::from_secs(5),
            keep_containers: KeepContainers::Dependencies,
            tags: BTreeMap::new(),
            report: ReportSettings {
                pr_comment: true,
                check_run: true,
                summary: true,
                slack_webhook: None,
                path_map: BTreeMap::new(),
                error_pattern: None,
            },
            tool: ToolSettings {
                origin: ToolOrigin::Detected(
                    "no migration tool recognised in the checkout".to_owned()
                ),
                ..ToolSettings::default()
            },
            verify: VerifySettings::default(),
            local: crate::config::LocalSettings::default(),
            lint: crate::config::LintSettings::default(),
        }
    );
}

#[test]
fn the_design_example_resolves() {
    let settings = settings(
        r#"
cluster: app-prod
service: app-web
task_definition: app-web:42
container: app
family: app-web-migrate
command: ["bin/rails", "db:migrate"]
entrypoint: null
environment: { RAILS_ENV: production, WORKERS: 2, VERBOSE: true }
secrets: { DATABASE_URL: "arn:aws:ssm:eu-west-1:123:parameter/prod/db-url" }
cpu: 512
memory: 1024
image:
  uri: null
  repository: app
  tag: "${GITHUB_SHA}"
  build: { context: ., dockerfile: Dockerfile, target: null, args: {}, platform: null }
network: { subnets: [], security_groups: [], assign_public_ip: false }
launch_type: fargate
timeout: 1h30m
on_cancel: leave
keep_containers: all
report: { pr_comment: true, check_run: false, summary: true, slack_webhook: "${EMPTY}" }
"#,
    );
    assert_eq!(
        settings.base,
        BaseSource::TaskDefinition("app-web:42".to_owned())
    );
    assert_eq!(settings.service.as_deref(), Some("app-web"));
    assert_eq!(settings.command.unwrap(), ["bin/rails", "db:migrate"]);
    assert_eq!(settings.entrypoint, None);
    assert_eq!(settings.environment["WORKERS"], "2");
    assert_eq!(settings.environment["VERBOSE"], "true");
    assert_eq!(settings.launch_type.as_deref(), Some("FARGATE"));
    assert_eq!(
        settings.network, None,
        "the documented empty placeholder means the service's"
    );
    assert_eq!(settings.timeout, Duration::from_secs(5400));
    assert_eq!(
        (settings.on_cancel, settings.keep_containers),
        (OnCancel::Leave, KeepContainers::All)
    );
    assert!(!settings.report.check_run);
    assert_eq!(
        settings.report.slack_webhook, None,
        "an empty value means not set"
    );
    assert_eq!(settings.image.tag.as_deref(), Some("abc123"));
    assert_eq!(
        settings.image.build,
        Some(BuildSettings {
            context: PathBuf::from("."),
            dockerfile: Some(PathBuf::from("Dockerfile")),
            target: None,
            args: BTreeMap::new(),
            platform: None,
            labels: BTreeMap::new(),
            cache_from: Vec::new(),
            cache_to: Vec::new(),
        })
    );
}

#[test]
fn missing_required_keys_name_the_key_the_file_and_the_fix() {
    assert_eq!(
        resolve_error("service: web\n"),
        "ecs-migrate.yml: cluster: required but not set (add `cluster: <name>` to \
         ecs-migrate.yml or pass --cluster)"
    );
    assert_eq!(
        resolve_error("cluster: ${EMPTY}\nservice: web\n"),
        "ecs-migrate.yml: cluster: required but not set (add `cluster: <name>` to \
         ecs-migrate.yml or pass --cluster)"
    );
    assert_eq!(
        resolve_error("cluster: app-prod\n"),
        "ecs-migrate.yml: service: required unless `task_definition` is set (add \
         `service: <name>` or `task_definition: <family[:rev]|file.json>` to ecs-migrate.yml, \
         or pass --service or --task-definition)"
    );
    let from_flags_only = RawConfig::default().resolve(None).unwrap_err().to_string();
    assert_eq!(
        from_flags_only,
        "cluster: required but not set (add `cluster: <name>` to ecs-migrate.yml or pass --cluster)"
    );
}

#[test]
fn contradictory_keys_are_rejected() {
    assert_eq!(
        resolve_error("cluster: a\nservice: web\nimage: { uri: nginx, repository: app }\n"),
        "ecs-migrate.yml: image: `uri` and `repository` are both set (use `uri` to run a \
         prebuilt image, or `repository` to build and push one, not both)"
    );
    assert_eq!(
        resolve_error(
            "cluster: a\nservice: web\nlaunch_type: EC2\ncapacity_provider_strategy:\n  - capacity_provider: FARGATE_SPOT\n"
        ),
        "ecs-migrate.yml: launch_type: cannot be combined with capacity_provider_strategy (ECS \
         takes one or the other: remove one of them)"
    );
    assert!(
        resolve_error("cluster: a\nservice: web\nimage: { build: { context: . } }\n")
            .starts_with("ecs-migrate.yml: image.build: needs `image.repository`")
    );
    assert!(
        resolve_error("cluster: a\nservice: web\nimage: { uri: x, build: {} }\n")
            .starts_with("ecs-migrate.yml: image.build: cannot be used with `image.uri`")
    );
    assert!(
        resolve_error("cluster: a\nservice: w\nnetwork: { assign_public_ip: true }\n")
            .starts_with("ecs-migrate.yml: network.subnets: needed when")
    );
    assert_eq!(
        resolve_error(
            "cluster: a\nservice: w\ncapacity_provider_strategy:\n  - { capacity_provider: X, weight: 1001 }\n"
        ),
        "ecs-migrate.yml: capacity_provider_strategy[0].weight: must be between 0 and 1000"
    );
}

#[test]
fn flag_values_are_validated_too() {
    let flags = RawConfig {
        cluster: Some("a".to_owned()),
        service: Some("web".to_owned()),
        timeout: Some("0s".to_owned()),
        ..RawConfig::default()
    };
    assert_eq!(
        flags.resolve(None).unwrap_err().to_string(),
        "timeout: duration \"0s\" must be longer than zero (use e.g. 90s, 15m, 1h30m)"
    );
    let flags = RawConfig {
        cluster: Some("a".to_owned()),
        service: Some("web".to_owned()),
        on_cancel: Some("maybe".to_owned()),
        command: Some(CommandSpec::Shell("echo \"hi".to_owned())),
        ..RawConfig::default()
    };
    assert!(
        flags
            .clone()
            .resolve(None)
            .unwrap_err()
            .to_string()
            .starts_with("command: cannot split")
    );
    let flags = RawConfig {
        command: None,
        ..flags
    };
    assert_eq!(
        flags.resolve(None).unwrap_err().to_string(),
        "on_cancel: invalid value \"maybe\" (use one of: stop, leave)"
    );
}

#[test]
fn keyword_enums_parse_and_print() {
    assert_eq!("leave".parse::<OnCancel>(), Ok(OnCancel::Leave));
    assert_eq!("ALL".parse::<KeepContainers>(), Ok(KeepContainers::All));
    assert_eq!(OnCancel::Stop.to_string(), "stop");
    assert_eq!(KeepContainers::Dependencies.to_string(), "dependencies");
}

#[test]
fn an_error_pattern_from_a_flag_is_checked_when_resolving() {
    let flags = RawConfig {
        report: Some(super::super::RawReport {
            error_pattern: Some("(?P<file>x)".to_owned()),
            ..Default::default()
        }),
        ..RawConfig::default()
    };
    let error = load("cluster: a\nservice: web\n")
        .expect("valid file")
        .merge(flags)
        .resolve(Some(Path::new("ecs-migrate.yml")))
        .expect_err("no message group")
        .to_string();
    assert!(
        error.starts_with("ecs-migrate.yml: report.error_pattern: the pattern"),
        "{error}"
    );
    let good = settings(
        "cluster: a\nservice: web\nreport:\n  error_pattern: '(?P<file>\\S+):(?P<line>\\d+) (?P<message>.+)'\n",
    );
    assert_eq!(
        good.report.error_pattern.as_deref(),
        Some(r"(?P<file>\S+):(?P<line>\d+) (?P<message>.+)")
    );
}

#[test]
fn poll_interval_auto_in_the_file_is_the_adaptive_pace_as_documented() {
    let auto = settings("cluster: c\nservice: s\npoll_interval: auto\n");
    assert_eq!(auto.poll_interval, None);
    let fixed = settings("cluster: c\nservice: s\npoll_interval: 2s\n");
    assert_eq!(fixed.poll_interval, Some(Duration::from_secs(2)));
    assert_eq!(
        load_error("cluster: c\npoll_interval: adaptive\n"),
        "ecs-migrate.yml:2: poll_interval: invalid poll interval \"adaptive\" (use auto, or a \
         duration such as 2s)"
    );
    assert_eq!(
        load_error("cluster: c\npoll_interval: 3x\n"),
        "ecs-migrate.yml:2: poll_interval: invalid duration \"3x\" (use e.g. 90s, 15m, 1h30m)"
    );
}
