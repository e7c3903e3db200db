//! The binary as a GitHub Action step: `ecs-migrate action` with the runner's `INPUT_*` variables
//! and file commands. Asserts what the workflow sees: the parsed step outputs, the job summary,
//! the `::group::` fold and the `::error::` annotation.

use std::path::Path;

use crate::support::actions::StepFiles;
use crate::support::aws::World;
use crate::support::binary::{Run, against_with_env};
use crate::support::fake_github::FakeGitHub;
use crate::support::stack::require_stack;

/// The environment the runner gives every step, pointing at `files` and at `github` (the job's
/// token reports there, never to github.com).
fn runner_env(files: &StepFiles, github: &FakeGitHub) -> Vec<(String, String)> {
    vec![
        ("GITHUB_ACTIONS".into(), "true".into()),
        ("GITHUB_API_URL".into(), github.uri()),
        ("GITHUB_SERVER_URL".into(), "https://github.com".into()),
        ("GITHUB_REPOSITORY".into(), "acme/app".into()),
        ("GITHUB_RUN_ID".into(), "4242".into()),
        ("GITHUB_RUN_ATTEMPT".into(), "1".into()),
        ("GITHUB_SHA".into(), "2f1c9e0".into()),
        (
            "GITHUB_OUTPUT".into(),
            files.output_path().display().to_string(),
        ),
        (
            "GITHUB_STEP_SUMMARY".into(),
            files.summary_path().display().to_string(),
        ),
    ]
}

/// A workspace with a config that polls fast; the inputs name the rest.
fn workspace(world: &World) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("migrate.yml"),
        format!(
            "cluster: {}\nservice: {}\npoll_interval: 250ms\n",
            world.cluster, world.service
        ),
    )
    .unwrap();
    dir
}

fn action(
    stack: &crate::support::stack::Stack,
    world: &World,
    dir: &Path,
    (files, github): (&StepFiles, &FakeGitHub),
    inputs: &[(&str, &str)],
) -> Run {
    let mut env = runner_env(files, github);
    env.extend(inputs.iter().map(|(name, value)| {
        (
            format!("INPUT_{}", name.to_uppercase()),
            (*value).to_owned(),
        )
    }));
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    against_with_env(stack, &world.access_key, dir, &["action"], &env)
}

#[test]
fn a_failed_migration_sets_outputs_summary_and_an_error_annotation() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "action-failed", 64);
    let dir = workspace(&world);
    let files = StepFiles::new();
    let (_runtime, github) = FakeGitHub::start_blocking();
    std::fs::write(files.output_path(), "earlier=kept\n").unwrap();
    let run = action(
        &stack,
        &world,
        dir.path(),
        (&files, &github),
        &[
            ("config", "migrate.yml"),
            (
                "command",
                "sh -c 'echo applying 0042; echo \"bad | x\"; exit 3'",
            ),
            ("dry-run", "false"),
            ("github-token", "ghs_not_a_real_token"),
            ("timeout", "5m"),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());

    let raw = std::fs::read_to_string(files.output_path()).unwrap();
    assert!(raw.starts_with("earlier=kept\n"), "{raw}");
    let (names, delimiters): (Vec<&str>, Vec<&str>) =
        raw.lines().filter_map(|line| line.split_once("<<")).unzip();
    assert_eq!(
        names,
        declared_outputs(),
        "every output of action.yml, once, in order\n{raw}"
    );
    for delimiter in &delimiters {
        let hex = delimiter
            .strip_prefix("ghadelimiter_")
            .expect("random delimiter");
        assert!(
            hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()),
            "{delimiter}"
        );
    }
    let distinct: std::collections::BTreeSet<_> = delimiters.iter().collect();
    assert_eq!(distinct.len(), delimiters.len(), "delimiters repeat: {raw}");

    let outputs = files.outputs();
    assert_eq!(outputs["earlier"], "kept");
    assert_eq!(outputs["status"], "failed");
    assert_eq!(outputs["exit-code"], "3");
    assert!(outputs["task-arn"].contains(":task/"), "{outputs:?}");
    assert!(outputs["task-definition-arn"].contains(&format!("{}-migrate:", world.family)));
    assert_eq!(outputs["image"], stack.image);
    assert!(outputs["log-url"].contains("/cloudwatch/home?region=us-east-1"));
    assert!(
        outputs["duration-seconds"].parse::<u64>().is_ok(),
        "{outputs:?}"
    );
    assert_eq!(
        outputs["failed-migration"], "",
        "a plain exit 3 names no migration"
    );

    let error_line = run
        .stderr
        .lines()
        .find(|line| line.starts_with("::error "))
        .unwrap_or_else(|| panic!("no ::error:: line\n{}", run.transcript()));
    assert!(
        error_line.starts_with(&format!(
            "::error title=Migration {} failed::container",
            world.service
        )) && error_line.contains("exited with code 3"),
        "{error_line}"
    );
    let group = run
        .stderr
        .find("::group::logs of task ")
        .expect("::group::");
    let line = run.stderr.find("applying 0042").expect("log line");
    let end = run.stderr.find("::endgroup::").expect("::endgroup::");
    assert!(group < line && line < end, "{}", run.transcript());
    run.assert_hides("ghs_not_a_real_token");
    let check_runs = github.check_runs();
    assert_eq!(check_runs.len(), 1, "{}", run.transcript());
    assert_eq!(check_runs[0]["conclusion"], "failure");
    assert_eq!(check_runs[0]["head_sha"], "2f1c9e0");
    github.assert_no_problems();

    let summary = files.summary();
    let heading = format!("### ❌ Migration ` {} ` failed", world.service);
    for expected in [
        heading.as_str(),
        "| Status | **failed** |",
        "| Exit code | 3 |",
        "| Command | ` sh -c 'echo applying 0042; echo \"bad \\| x\"; exit 3' ` |",
        "| Stop reason | ` EssentialContainerExited: Essential container in task exited ` |",
        "[CloudWatch logs](https://us-east-1.console.aws.amazon.com/cloudwatch/",
        "[ECS task](https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/",
        "<details><summary>Last 2 log lines</summary>",
        "applying 0042\nbad | x\n",
    ] {
        assert!(
            summary.contains(expected),
            "missing {expected:?} in\n{summary}"
        );
    }
}

#[test]
fn a_dry_run_plans_with_status_planned_and_summary_off_writes_no_summary() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "action-plan", 64);
    let dir = workspace(&world);
    let files = StepFiles::new();
    let (_runtime, github) = FakeGitHub::start_blocking();
    let run = action(
        &stack,
        &world,
        dir.path(),
        (&files, &github),
        &[
            ("config", "migrate.yml"),
            ("command", "bin/migrate up"),
            ("dry-run", "true"),
            ("summary", "false"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains("Plan for migration"),
        "{}",
        run.transcript()
    );
    let outputs = files.outputs();
    assert_eq!(outputs["status"], "planned");
    assert_eq!(outputs["image"], stack.image);
    assert_eq!(outputs["task-arn"], "");
    assert!(
        !files.summary_path().exists(),
        "summary written although off"
    );
    let mutating = ["RegisterTaskDefinition", "RunTask"];
    assert!(
        stack
            .actions(&world.access_key)
            .iter()
            .all(|action| !mutating.contains(&action.as_str()))
    );

    // The same plan with the summary on writes a planned section.
    let run = action(
        &stack,
        &world,
        dir.path(),
        (&files, &github),
        &[("config", "migrate.yml"), ("dry-run", "true")],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let summary = files.summary();
    assert!(
        summary.contains(&format!("### 📝 Migration ` {} ` planned", world.service)),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("| Cluster | ` {} ` |", world.cluster)),
        "{summary}"
    );
}

#[test]
fn a_bad_input_names_itself_and_exits_2_before_any_aws_call() {
    let stack = require_stack!();
    let world = World::new(&stack, "action-bad-input");
    let dir = workspace(&world);
    let files = StepFiles::new();
    let (_runtime, github) = FakeGitHub::start_blocking();
    let run = action(
        &stack,
        &world,
        dir.path(),
        (&files, &github),
        &[("config", "migrate.yml"), ("dry-run", "maybe")],
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("error: input `dry-run` must be true or false, got \"maybe\""),
        "{}",
        run.transcript()
    );
    assert!(
        run.stderr
            .contains("::error title=ecs-migrate could not finish::input `dry-run`")
    );
    assert!(stack.actions(&world.access_key).is_empty());
}

/// The output names action.yml declares, in its order.
fn declared_outputs() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml");
    let action: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    action["outputs"]
        .as_mapping()
        .expect("action.yml outputs")
        .keys()
        .map(|name| name.as_str().expect("output name").to_owned())
        .collect()
}
