//! Bad input: each config error names the file, line and key, exits 2, and calls no AWS API.

use std::fs;

use crate::support::binary::{against, offline};
use crate::support::stack::require_stack;

fn dir_with_config(yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("ecs-migrate.yml"), yaml).expect("write config");
    dir
}

fn assert_usage_error(yaml: &str, expected: &[&str]) {
    let dir = dir_with_config(yaml);
    let run = offline(dir.path(), &["plan"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    for fragment in expected {
        assert!(
            run.stderr.contains(fragment),
            "missing {fragment:?} in:\n{}",
            run.transcript()
        );
    }
    assert!(run.stdout.is_empty(), "{}", run.transcript());
}

#[test]
fn an_unknown_key_is_named_with_its_line_and_a_suggestion() {
    assert_usage_error(
        "service: web\nclustr: prod\n",
        &["ecs-migrate.yml:2", "clustr", "cluster"],
    );
}

#[test]
fn an_unknown_key_inside_a_section_is_found_too() {
    assert_usage_error(
        "cluster: prod\nservice: web\nnetwork:\n  subnet: [a]\n",
        &["ecs-migrate.yml:4", "subnet", "subnets"],
    );
}

#[test]
fn a_bad_duration_names_the_key_and_line() {
    assert_usage_error(
        "cluster: prod\nservice: web\ntimeout: 1hour\n",
        &["ecs-migrate.yml:3", "timeout", "1hour"],
    );
}

#[test]
fn a_bad_error_pattern_names_the_key_and_line() {
    assert_usage_error(
        "cluster: prod\nservice: web\nreport:\n  error_pattern: '(?P<file>\\S+) (?P<msg>.+)'\n",
        &[
            "ecs-migrate.yml:4",
            "report.error_pattern",
            "(?P<message>…)",
        ],
    );
}

#[test]
fn a_bad_error_pattern_flag_names_the_key() {
    let dir = dir_with_config("cluster: prod\nservice: web\n");
    let run = offline(dir.path(), &["plan", "--error-pattern", "(?P<file>[a-z"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("report.error_pattern: invalid regular expression"),
        "{}",
        run.transcript()
    );
    assert!(run.stdout.is_empty(), "{}", run.transcript());
}

#[test]
fn an_undefined_variable_is_named() {
    assert_usage_error(
        "cluster: prod\nservice: web\nimage:\n  uri: \"repo/app:${ECS_MIGRATE_SURELY_UNSET}\"\n",
        &["ecs-migrate.yml:4", "ECS_MIGRATE_SURELY_UNSET"],
    );
}

#[test]
fn a_missing_cluster_says_how_to_give_one() {
    assert_usage_error("service: web\n", &["cluster", "--cluster"]);
}

#[test]
fn a_missing_base_says_what_to_set() {
    assert_usage_error("cluster: prod\n", &["service", "task_definition"]);
}

#[test]
fn a_bad_enum_value_lists_the_valid_ones() {
    assert_usage_error(
        "cluster: prod\nservice: web\non_cancel: maybe\n",
        &["ecs-migrate.yml:3", "on_cancel", "stop", "leave"],
    );
}

#[test]
fn a_config_file_that_does_not_exist_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = offline(dir.path(), &["plan", "--config", "nope.yml"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("nope.yml"), "{}", run.transcript());
}

#[test]
fn a_broken_task_definition_file_is_a_usage_error() {
    let dir = dir_with_config("cluster: prod\ntask_definition: td.json\nnetwork: {subnets: [s]}\n");
    fs::write(
        dir.path().join("td.json"),
        "{\"family\": \"app\",\n \"containerDefinitions\": [}",
    )
    .unwrap();
    let run = offline(dir.path(), &["plan"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("td.json:2"), "{}", run.transcript());
}

#[test]
fn an_unknown_container_lists_the_available_ones() {
    let dir = dir_with_config(
        "cluster: prod\ntask_definition: td.json\ncontainer: worker\nnetwork: {subnets: [s]}\n",
    );
    fs::write(
        dir.path().join("td.json"),
        r#"{"family": "app", "networkMode": "awsvpc", "containerDefinitions": [{"name": "web", "image": "x"}]}"#,
    )
    .unwrap();
    let run = offline(dir.path(), &["plan"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("worker") && run.stderr.contains("web"),
        "{}",
        run.transcript()
    );
}

#[test]
fn config_errors_make_no_aws_call() {
    let stack = require_stack!();
    let access_key = &format!("test-config-error-no-calls-{}", std::process::id());
    let dir = dir_with_config("cluster: prod\nservice: web\ntimeout: soon\n");
    let run = against(&stack, access_key, dir.path(), &["run"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert_eq!(stack.actions(access_key), Vec::<String>::new());
}

#[test]
fn verify_pending_with_a_status_that_lists_no_pending_is_refused_before_the_run() {
    // golang-migrate's status is its version alone: "nothing pending" could never be proven.
    let dir = dir_with_config(
        "cluster: prod\nservice: web\ntool: golang-migrate\nverify_pending: true\n",
    );
    let run = offline(dir.path(), &["run"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "verify_pending needs a status that lists the pending migrations, and \
             golang-migrate's does not"
        ),
        "{}",
        run.transcript()
    );
    assert!(run.stdout.is_empty(), "{}", run.transcript());
}
