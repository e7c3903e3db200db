//! `environments:`: merged over the top level like flags over the file, chosen by name, never
//! nested, and reported like every other config error.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::config::{BaseSource, NetworkSettings};

const FILE: &str = "\
cluster: app-staging
service: app-web
environment: { RAILS_ENV: production, LOG: info }
network: { subnets: [s-top-1, s-top-2], security_groups: [sg-top] }
report: { pr_comment: false, summary: false }
tags: { team: payments }
environments:
  staging:
    environment: { LOG: debug }
  production:
    cluster: app-prod
    secrets: { DATABASE_URL: arn:aws:ssm:eu-west-1:1:parameter/prod/db }
    network: { subnets: [s-prod] }
    report: { summary: true }
    tags: { tier: critical }
";

fn chosen(yaml: &str, name: Option<&str>) -> Result<(RawConfig, Option<String>), ConfigError> {
    let chosen = load(yaml)?.choose_environment(name, Some(Path::new("ecs-migrate.yml")))?;
    Ok((chosen.layer, chosen.environment))
}

fn settings_in(yaml: &str, name: Option<&str>, flags: RawConfig) -> Settings {
    let (layer, environment) = chosen(yaml, name).unwrap_or_else(|error| panic!("{error}"));
    let mut settings = layer
        .merge(flags)
        .resolve_in(
            Some(Path::new("ecs-migrate.yml")),
            Path::new("/nonexistent-checkout"),
        )
        .unwrap_or_else(|error| panic!("{error}"));
    settings.environment_name = environment;
    settings
}

fn choose_error(yaml: &str, name: Option<&str>) -> String {
    chosen(yaml, name)
        .expect_err("the choice should be refused")
        .to_string()
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn an_environment_merges_over_the_top_level_like_flags_over_the_file() {
    let production = settings_in(FILE, Some("production"), RawConfig::default());
    assert_eq!(production.environment_name.as_deref(), Some("production"));
    assert_eq!(production.cluster, "app-prod");
    assert_eq!(production.base, BaseSource::Service("app-web".to_owned()));
    // Maps merge key by key.
    assert_eq!(
        production.environment,
        map(&[("LOG", "info"), ("RAILS_ENV", "production")])
    );
    assert_eq!(
        production.secrets,
        map(&[("DATABASE_URL", "arn:aws:ssm:eu-west-1:1:parameter/prod/db")])
    );
    assert_eq!(
        production.tags,
        map(&[("team", "payments"), ("tier", "critical")])
    );
    // Sections merge key by key; lists are replaced, not concatenated.
    assert_eq!(
        production.network,
        Some(NetworkSettings {
            subnets: vec!["s-prod".to_owned()],
            security_groups: vec!["sg-top".to_owned()],
            assign_public_ip: false,
        })
    );
    assert!(production.report.summary, "the environment's summary: true");
    assert!(!production.report.pr_comment, "the top level's pr_comment");

    let staging = settings_in(FILE, Some("staging"), RawConfig::default());
    assert_eq!(staging.cluster, "app-staging");
    assert_eq!(
        staging.environment,
        map(&[("LOG", "debug"), ("RAILS_ENV", "production")])
    );
    assert!(staging.secrets.is_empty());
    assert!(!staging.report.summary);
    assert_eq!(
        staging.name, production.name,
        "both are app-web's migration"
    );
}

#[test]
fn flags_win_over_the_chosen_environment() {
    let flags = RawConfig {
        cluster: Some("flag-cluster".to_owned()),
        environment: Some(map(&[("LOG", "trace")])),
        ..RawConfig::default()
    };
    let settings = settings_in(FILE, Some("production"), flags);
    assert_eq!(settings.cluster, "flag-cluster");
    assert_eq!(settings.environment["LOG"], "trace");
    assert_eq!(settings.environment["RAILS_ENV"], "production");
    assert_eq!(settings.network.unwrap().subnets, ["s-prod"]);
}

#[test]
fn an_unknown_environment_lists_the_known_ones_and_the_file() {
    assert_eq!(
        choose_error(FILE, Some("qa")),
        "ecs-migrate.yml: no environment \"qa\" under `environments:` (defined: production, \
         staging)"
    );
    assert!(choose_error(FILE, Some("prod")).contains("(did you mean \"production\"? defined:"));
    assert_eq!(
        choose_error(FILE, Some("stagin")),
        "ecs-migrate.yml: no environment \"stagin\" under `environments:` (did you mean \
         \"staging\"? defined: production, staging)"
    );
}

#[test]
fn none_chosen_is_refused_unless_the_top_level_is_complete_by_itself() {
    let incomplete = "service: app-web\nenvironments:\n  staging: { cluster: s }\n  production: { cluster: p }\n";
    let error = choose_error(incomplete, None);
    assert_eq!(
        error,
        "ecs-migrate.yml: no environment chosen, and the top level alone names no cluster and \
         service or task_definition: choose one of the `environments:` (production, staging) \
         with -e/--environment NAME (or ECS_MIGRATE_ENVIRONMENT, or the Action's `environment` \
         input)"
    );
    // A blank choice (an empty ECS_MIGRATE_ENVIRONMENT, an empty input) is no choice.
    assert_eq!(choose_error(incomplete, Some("  ")), error);

    let complete = settings_in(FILE, None, RawConfig::default());
    assert_eq!(complete.environment_name, None);
    assert_eq!(complete.cluster, "app-staging");
    assert!(complete.secrets.is_empty(), "no environment's keys applied");

    let with_file_base = "cluster: c\ntask_definition: app-web:3\nenvironments: { staging: {} }\n";
    assert!(chosen(with_file_base, None).is_ok());
}

#[test]
fn choosing_an_environment_in_a_file_without_environments_is_refused() {
    assert_eq!(
        choose_error("cluster: c\nservice: s\n", Some("staging")),
        "ecs-migrate.yml: environment \"staging\" was chosen (-e/--environment, \
         ECS_MIGRATE_ENVIRONMENT or the `environment` input), but ecs-migrate.yml defines no \
         `environments:` (add `environments: { staging: { … } }`, or choose none)"
    );
    let without_file = RawConfig::default()
        .choose_environment(Some("staging"), None)
        .unwrap_err()
        .to_string();
    assert!(
        without_file.contains("but there is no config file to define it"),
        "{without_file}"
    );
}

#[test]
fn an_empty_environment_changes_nothing_and_null_environments_are_none() {
    let (layer, environment) = chosen(
        "cluster: c\nservice: s\nenvironments:\n  staging:\n",
        Some("staging"),
    )
    .unwrap();
    assert_eq!(environment.as_deref(), Some("staging"));
    assert_eq!(layer, load("cluster: c\nservice: s\n").unwrap());
    assert_eq!(
        load("cluster: c\nservice: s\nenvironments:\n")
            .unwrap()
            .environments,
        None
    );
}

#[test]
fn environments_do_not_nest() {
    assert_eq!(
        load_error(
            "cluster: c\nenvironments:\n  staging:\n    cluster: s\n    environments:\n      \
             inner: { cluster: x }\n"
        ),
        "ecs-migrate.yml:6: environments.staging.environments: not allowed inside an \
         environment (environments do not nest: define each one under the top-level \
         `environments:`)"
    );
    // The guard is reset: a later file parses normally.
    assert!(load("cluster: c\nenvironments: { staging: { cluster: s } }\n").is_ok());
}

#[test]
fn errors_inside_an_environment_name_its_line_and_key_path() {
    let errors = [
        (
            "cluster: c\nenvironments:\n  staging:\n    clustr: s\n",
            "ecs-migrate.yml:4: environments.staging.clustr: unknown key (did you mean `cluster`?)",
        ),
        (
            "cluster: c\nenvironments:\n  staging: {}\n  production:\n    cpu: lots\n",
            "ecs-migrate.yml:5: environments.production.cpu: invalid number \"lots\" (use a whole \
             number, e.g. 512)",
        ),
        (
            "cluster: c\nenvironments:\n  staging:\n    network:\n      subnet: [a]\n",
            "ecs-migrate.yml:5: environments.staging.network.subnet: unknown key (did you mean \
             `subnets`?)",
        ),
        (
            "cluster: c\nenvironments:\n  staging:\n    subnets: [a]\n",
            "ecs-migrate.yml:4: environments.staging.subnets: unknown key at the top level (it \
             belongs under `network`)",
        ),
        (
            "cluster: c\nenvironments:\n  staging:\n    timeout: ${UNSET_VARIABLE}\n",
            "ecs-migrate.yml:4: environments.staging.timeout: ",
        ),
        (
            "cluster: c\nenvironments: [staging, production]\n",
            "ecs-migrate.yml:2: environments: expected a mapping of environment names to their \
             keys, found a list",
        ),
    ];
    for (yaml, expected) in errors {
        let error = load_error(yaml);
        assert!(
            error.starts_with(expected),
            "for fixture:\n{yaml}\nexpected: {expected}\n   found: {error}"
        );
    }
}

#[test]
fn a_problem_found_once_merged_says_which_environment_was_applied() {
    let yaml = "cluster: c\nservice: s\nlaunch_type: FARGATE\nenvironments:\n  spot:\n    \
                capacity_provider_strategy: [{ capacity_provider: FARGATE_SPOT }]\n";
    let (layer, environment) = chosen(yaml, Some("spot")).unwrap();
    let error = layer
        .resolve_in(
            Some(Path::new("ecs-migrate.yml")),
            Path::new("/nonexistent-checkout"),
        )
        .unwrap_err()
        .in_environment(environment.as_deref())
        .to_string();
    assert!(
        error.starts_with(
            "ecs-migrate.yml: launch_type: cannot be combined with capacity_provider_strategy"
        ) && error.ends_with(" (with environment \"spot\" applied)"),
        "{error}"
    );
    assert!(chosen(yaml, None).is_ok(), "the top level alone is fine");
}

#[test]
fn environment_names_are_checked_where_they_are_written() {
    let error = load_error("cluster: c\nenvironments:\n  staging: {}\n  prod/eu: {}\n");
    assert!(
        error.starts_with("ecs-migrate.yml:4: ")
            && error.contains("invalid environment name \"prod/eu\""),
        "{error}"
    );
    let long = "x".repeat(33);
    let error = load_error(&format!("cluster: c\nenvironments:\n  {long}: {{}}\n"));
    assert!(error.contains("at most 32"), "{error}");
    for good in ["staging", "prod-eu", "eu_west.1", "Production"] {
        assert!(
            load(&format!("cluster: c\nenvironments:\n  {good}: {{}}\n")).is_ok(),
            "{good}"
        );
    }
}
