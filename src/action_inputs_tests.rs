use std::collections::{BTreeMap, BTreeSet};

use clap::Parser;

use super::*;

fn lookup_from(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: BTreeMap<String, String> = pairs
        .iter()
        .map(|(name, value)| (variable_name(name), (*value).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

fn strings(invocation: &Invocation) -> Vec<String> {
    invocation
        .args
        .iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect()
}

/// Flags that arrive with other branches (image build, GitHub reports).
#[test]
fn the_runner_keeps_dashes_in_input_variable_names() {
    assert_eq!(variable_name("task-definition"), "INPUT_TASK-DEFINITION");
    assert_eq!(variable_name("dry-run"), "INPUT_DRY-RUN");
}

#[test]
fn a_normal_command_line_passes_through_untouched() {
    let args: Vec<OsString> = ["ecs-migrate", "run", "--cluster", "c"]
        .map(OsString::from)
        .to_vec();
    let lookup = lookup_from(&[("cluster", "from-input")]);
    let invocation = command_line(args.clone(), &lookup).unwrap();
    assert_eq!(invocation.args, args);
    assert!(invocation.env.is_empty());
}

#[test]
fn every_input_becomes_its_flag() {
    let lookup = lookup_from(&[
        ("config", "deploy/ecs-migrate.yml"),
        ("environment", "production"),
        ("cluster", "app-prod"),
        ("service", "app-web"),
        ("task-definition", "app-web:42"),
        ("container", "app"),
        ("command", "bin/rails db:migrate\n"),
        ("image", "123.dkr.ecr.eu-west-1.amazonaws.com/app:abc"),
        ("repository", "app"),
        ("tag", "abc"),
        ("build-context", "."),
        ("dockerfile", "Dockerfile"),
        ("build-args", "RUBY=3.3\n\n  BUNDLE_WITHOUT=dev:test\n"),
        ("subnets", "subnet-a, subnet-b\nsubnet-c\n"),
        ("security-groups", "sg-1"),
        ("timeout", "45m"),
        ("dry-run", "false"),
        ("github-token", "ghs_secret"),
        ("summary", "FALSE"),
        ("slack-webhook", "https://hooks.slack.com/services/T/B/x"),
    ]);
    let invocation = command_line(vec!["ecs-migrate".into(), "action".into()], &lookup).unwrap();
    assert_eq!(
        strings(&invocation),
        [
            "ecs-migrate",
            "run",
            "--config=deploy/ecs-migrate.yml",
            "--environment=production",
            "--cluster=app-prod",
            "--service=app-web",
            "--task-definition=app-web:42",
            "--container=app",
            "--command=bin/rails db:migrate",
            "--image=123.dkr.ecr.eu-west-1.amazonaws.com/app:abc",
            "--repository=app",
            "--tag=abc",
            "--build-context=.",
            "--dockerfile=Dockerfile",
            "--build-arg=RUBY=3.3",
            "--build-arg=BUNDLE_WITHOUT=dev:test",
            "--subnets=subnet-a,subnet-b,subnet-c",
            "--security-groups=sg-1",
            "--timeout=45m",
            "--summary=false",
        ]
    );
    // Secrets travel in the environment, never on the command line.
    assert_eq!(
        invocation.env,
        [
            ("GITHUB_TOKEN", "ghs_secret".to_owned()),
            (
                "SLACK_WEBHOOK_URL",
                "https://hooks.slack.com/services/T/B/x".to_owned()
            ),
        ]
    );
}

#[test]
fn empty_inputs_are_left_to_the_config_file() {
    let lookup = lookup_from(&[("cluster", ""), ("service", "  "), ("dry-run", "")]);
    let invocation = command_line(vec!["ecs-migrate".into(), "action".into()], &lookup).unwrap();
    assert_eq!(strings(&invocation), ["ecs-migrate", "run"]);
}

#[test]
fn dry_run_plans_instead_and_extra_arguments_are_kept() {
    let lookup = lookup_from(&[("dry-run", "true"), ("cluster", "c")]);
    let args = ["ecs-migrate", "action", "-v", "--output", "json"].map(OsString::from);
    let invocation = command_line(args.to_vec(), &lookup).unwrap();
    assert_eq!(
        strings(&invocation),
        [
            "ecs-migrate",
            "plan",
            "-v",
            "--output",
            "json",
            "--cluster=c"
        ]
    );
}

#[test]
fn a_value_that_looks_like_a_flag_stays_a_value() {
    let lookup = lookup_from(&[("command", "--help")]);
    let invocation = from_inputs(&lookup).unwrap();
    let cli = crate::cli::Cli::try_parse_from(&invocation.args).unwrap();
    let crate::cli::Command::Run(args) = cli.command else {
        panic!("not run: {cli:?}")
    };
    assert_eq!(args.command.as_deref(), Some("--help"));
}

#[test]
fn bad_switch_values_name_the_input() {
    let error = from_inputs(&lookup_from(&[("dry-run", "yes")])).unwrap_err();
    assert_eq!(
        error.0,
        "input `dry-run` must be true or false, got \"yes\" (fix it in the step's `with:`)"
    );
    let error = from_inputs(&lookup_from(&[("summary", "on")])).unwrap_err();
    assert!(error.0.starts_with("input `summary` must be true or false"));
}

#[test]
fn a_build_arg_without_a_name_is_refused_with_its_line() {
    let error = from_inputs(&lookup_from(&[("build-args", "A=1\n=2")])).unwrap_err();
    assert!(
        error
            .0
            .starts_with("input `build-args` line 2: expected NAME=VALUE")
    );
}

#[test]
fn the_table_covers_exactly_the_inputs_of_action_yml() {
    let action: serde_yaml::Value =
        serde_yaml::from_str(include_str!("../action.yml")).expect("action.yml parses");
    let declared: BTreeSet<String> = action["inputs"]
        .as_mapping()
        .expect("inputs")
        .keys()
        .filter_map(|key| key.as_str().map(str::to_owned))
        .collect();
    let mapped: BTreeSet<String> = INPUTS.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(declared, mapped);
}

#[test]
fn every_flag_of_this_branch_parses_as_the_cli_expects() {
    for &(input, target) in INPUTS {
        let (flag, value) = match target {
            Target::Flag(flag) | Target::List(flag) => (flag, "x"),
            Target::Switch(flag) => (flag, "true"),
            Target::PerLine(flag) => (flag, "A=1"),
            Target::DownFlag(flag) => (flag, "1"),
            Target::Presence(_)
            | Target::PlanPresence(_)
            | Target::Env(_)
            | Target::PlanInstead
            | Target::Subcommand => {
                continue;
            }
        };
        let arg = format!("{flag}={value}");
        let subcommand = if matches!(target, Target::DownFlag(_)) {
            "down"
        } else {
            "run"
        };
        let parsed = crate::cli::Cli::try_parse_from(["ecs-migrate", subcommand, &arg]);
        assert!(
            parsed.is_ok(),
            "input {input}: {arg} does not parse: {parsed:?}"
        );
    }
}

#[test]
fn migrate_chooses_the_subcommand_and_down_takes_its_flags() {
    let down = from_inputs(&lookup_from(&[
        ("cluster", "c"),
        ("migrate", "Down"),
        ("steps", "2"),
        ("yes", "true"),
    ]))
    .unwrap();
    assert_eq!(
        strings(&down),
        ["ecs-migrate", "down", "--cluster=c", "--steps=2", "--yes"]
    );
    let cli = crate::cli::Cli::try_parse_from(&down.args).unwrap();
    let crate::cli::Command::Down(args) = cli.command else {
        panic!("not down: {cli:?}")
    };
    assert!(args.yes);
    assert_eq!(args.target(), crate::tools::DownTarget::Steps(2));

    let to = from_inputs(&lookup_from(&[("migrate", "down"), ("to", "0002")])).unwrap();
    let cli = crate::cli::Cli::try_parse_from(&to.args).unwrap();
    let crate::cli::Command::Down(args) = cli.command else {
        panic!("not down: {cli:?}")
    };
    // Without `yes: true` the binary refuses, as `down` without --yes does on the command line.
    assert!(!args.yes);
    assert_eq!(args.target(), crate::tools::DownTarget::To("0002".into()));

    let status = from_inputs(&lookup_from(&[("migrate", "status"), ("yes", "false")])).unwrap();
    assert_eq!(strings(&status), ["ecs-migrate", "status"]);
    let up = from_inputs(&lookup_from(&[("migrate", "up")])).unwrap();
    assert_eq!(strings(&up), ["ecs-migrate", "run"]);
}

#[test]
fn down_only_inputs_and_bad_migrate_values_are_refused_by_name() {
    let error = from_inputs(&lookup_from(&[("steps", "2")])).unwrap_err();
    assert_eq!(
        error.0,
        "input `steps` applies only to `migrate: down` (remove it, or set `migrate: down`)"
    );
    let error = from_inputs(&lookup_from(&[("migrate", "status"), ("yes", "true")])).unwrap_err();
    assert!(
        error
            .0
            .starts_with("input `yes` applies only to `migrate: down`")
    );
    let error = from_inputs(&lookup_from(&[("migrate", "sideways")])).unwrap_err();
    assert!(
        error
            .0
            .starts_with("input `migrate` must be up, down or status")
    );
    let error = from_inputs(&lookup_from(&[("migrate", "down"), ("yes", "y")])).unwrap_err();
    assert!(error.0.starts_with("input `yes` must be true or false"));
    let error = from_inputs(&lookup_from(&[("migrate", "down"), ("dry-run", "true")])).unwrap_err();
    assert!(error.0.contains("plans a `migrate: up` only"));
}

#[test]
fn status_true_adds_plan_status_and_only_with_dry_run() {
    let plan = from_inputs(&lookup_from(&[("dry-run", "true"), ("status", "true")])).unwrap();
    assert_eq!(strings(&plan), ["ecs-migrate", "plan", "--status"]);
    let cli = crate::cli::Cli::try_parse_from(&plan.args).unwrap();
    let crate::cli::Command::Plan(args) = cli.command else {
        panic!("not plan: {cli:?}")
    };
    assert!(args.status);
    let without = from_inputs(&lookup_from(&[("dry-run", "true"), ("status", "false")])).unwrap();
    assert_eq!(strings(&without), ["ecs-migrate", "plan"]);
    let error = from_inputs(&lookup_from(&[("status", "true")])).unwrap_err();
    assert_eq!(
        error.0,
        "input `status: true` applies only to `dry-run: true` (remove it, or set `dry-run: true`)"
    );
}
