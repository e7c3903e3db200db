//! Layering flags over the file, and reading the file from disk.

use std::collections::BTreeMap;
use std::io::Write;

use super::*;
use crate::config::{RawImage, RawNetwork, RawReport, load_file};

fn map(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

#[test]
fn flags_override_the_file_key_by_key() {
    let file = load(
        "cluster: file-cluster\nservice: web\ncpu: 256\ntimeout: 10m\n\
         command: [bin/rails, db:migrate]\n\
         environment: { RAILS_ENV: production, LOG: info }\n\
         image: { repository: app, tag: file-tag, build: { context: ., target: migrate } }\n\
         network: { subnets: [s-file], security_groups: [sg-file] }\n\
         report: { pr_comment: false, summary: false }\n",
    )
    .unwrap();
    let flags = RawConfig {
        cluster: Some("flag-cluster".to_owned()),
        timeout: Some("2h".to_owned()),
        command: Some(CommandSpec::Shell("bin/rails db:migrate:status".to_owned())),
        environment: map(&[("LOG", "debug"), ("EXTRA", "1")]),
        image: Some(RawImage {
            tag: Some("flag-tag".to_owned()),
            ..RawImage::default()
        }),
        network: Some(RawNetwork {
            subnets: Some(vec!["s-flag".to_owned()]),
            security_groups: None,
            assign_public_ip: Some(true),
        }),
        report: Some(RawReport {
            summary: Some(true),
            ..RawReport::default()
        }),
        ..RawConfig::default()
    };
    let merged = file.merge(flags);

    assert_eq!(merged.cluster.as_deref(), Some("flag-cluster"));
    assert_eq!(
        merged.service.as_deref(),
        Some("web"),
        "unset flags keep the file's value"
    );
    assert_eq!(merged.cpu, Some(256));
    assert_eq!(merged.timeout.as_deref(), Some("2h"));
    assert_eq!(
        merged.environment,
        map(&[
            ("EXTRA", "1"),
            ("LOG", "debug"),
            ("RAILS_ENV", "production")
        ])
    );
    let image = merged.image.clone().unwrap();
    assert_eq!(image.repository.as_deref(), Some("app"));
    assert_eq!(image.tag.as_deref(), Some("flag-tag"));
    assert_eq!(image.build.unwrap().target.as_deref(), Some("migrate"));
    let network = merged.network.clone().unwrap();
    assert_eq!(
        network.subnets.unwrap(),
        ["s-flag"],
        "lists are replaced, not appended"
    );
    assert_eq!(network.security_groups.unwrap(), ["sg-file"]);
    assert_eq!(network.assign_public_ip, Some(true));

    let settings = merged
        .resolve(Some(std::path::Path::new("ecs-migrate.yml")))
        .unwrap();
    assert_eq!(
        settings.command.unwrap(),
        ["bin/rails", "db:migrate:status"]
    );
    assert_eq!(settings.timeout, std::time::Duration::from_secs(7200));
    assert!(!settings.report.pr_comment && settings.report.summary && settings.report.check_run);
}

#[test]
fn merging_empty_layers_changes_nothing() {
    let file = load("cluster: a\nservice: web\nnetwork: { subnets: [s-1] }\n").unwrap();
    assert_eq!(file.clone().merge(RawConfig::default()), file);
    assert_eq!(RawConfig::default().merge(file.clone()), file);
}

#[test]
fn load_file_reads_and_expands_a_file_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ecs-migrate.yml");
    let mut file = std::fs::File::create(&path).unwrap();
    writeln!(file, "cluster: ${{CLUSTER}}\ntask_definition: taskdef.json").unwrap();
    let raw = load_file(&path, &environment).unwrap();
    assert_eq!(raw.cluster.as_deref(), Some("app-prod"));
    let settings = raw.resolve(Some(&path)).unwrap();
    assert_eq!(
        settings.base,
        crate::config::BaseSource::File(dir.path().join("taskdef.json"))
    );
}

#[test]
fn a_missing_file_is_named() {
    let error = load_file(
        std::path::Path::new("nowhere/ecs-migrate.yml"),
        &environment,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "nowhere/ecs-migrate.yml: config file not found (check the path given to -c/--config or \
         ECS_MIGRATE_CONFIG)"
    );
    let as_anyhow = anyhow::Error::new(error);
    assert!(
        as_anyhow.downcast_ref::<ConfigError>().is_some(),
        "main maps it to exit code 2"
    );
}
