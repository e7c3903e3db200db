//! `plan` and `render`: what `run` would do, with no AWS account for a file base, and no
//! mutating call when it does talk to AWS.

use std::path::PathBuf;

use crate::support::aws::World;
use crate::support::binary::{against, offline, offline_stdout_closed};
use crate::support::stack::require_stack;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_shipped_example_plans_with_no_aws_at_all() {
    let run = offline(&repo_root(), &["plan", "-c", "examples/ecs-migrate.yml"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    for expected in [
        "Plan for migration \"app-web\" (examples/ecs-migrate.yml)",
        "app-web-migrate",
        "bin/rails db:migrate",
        "subnet-0a1b2c3d4e5f60718",
        "\"startedBy\": \"ecs-migrate\"",
        "RunTask request:",
    ] {
        assert!(
            run.stdout.contains(expected),
            "missing {expected:?}:\n{}",
            run.transcript()
        );
    }
}

#[test]
fn the_shipped_example_plans_each_of_its_environments_with_no_aws_at_all() {
    let plan = |environment: &str| {
        let run = offline(
            &repo_root(),
            &[
                "plan",
                "-c",
                "examples/ecs-migrate.yml",
                "-e",
                environment,
                "--output",
                "json",
            ],
        );
        assert_eq!(run.code, 0, "{}", run.transcript());
        run.json()
    };
    let secret = |plan: &serde_json::Value| {
        plan["task-definition"]["containerDefinitions"][0]["secrets"][0]["valueFrom"].clone()
    };
    let staging = plan("staging");
    assert_eq!(staging["environment"], "staging");
    assert_eq!(staging["name"], "app-web");
    assert_eq!(staging["run-task"]["cluster"], "app-staging");
    assert_eq!(
        staging["run-task"]["networkConfiguration"]["awsvpcConfiguration"]["subnets"],
        serde_json::json!(["subnet-0c2d4e6f8a0b1c3d5"])
    );
    assert_eq!(
        secret(&staging),
        "arn:aws:ssm:eu-west-1:123456789012:parameter/staging/app/database-url"
    );
    let production = plan("production");
    assert_eq!(production["run-task"]["cluster"], "app-prod");
    assert_eq!(
        secret(&production),
        "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/app/database-url",
        "the base task definition's"
    );
}

#[test]
fn render_prints_the_derived_task_definition() {
    let run = offline(&repo_root(), &["render", "-c", "examples/ecs-migrate.yml"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let td: serde_json::Value = serde_json::from_str(&run.stdout).expect("render prints JSON");
    assert_eq!(td["family"], "app-web-migrate");
    let app = &td["containerDefinitions"][0];
    assert_eq!(
        app["command"],
        serde_json::json!(["bin/rails", "db:migrate"])
    );
    assert_eq!(
        app["image"],
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:2f1c9e0"
    );
    assert!(app.get("portMappings").is_none() && app.get("healthCheck").is_none());
    for read_only in [
        "taskDefinitionArn",
        "revision",
        "status",
        "registeredAt",
        "compatibilities",
    ] {
        assert!(td.get(read_only).is_none(), "{read_only} was not stripped");
    }
}

#[test]
fn plan_as_json_is_marked_planned() {
    let run = offline(
        &repo_root(),
        &["plan", "-c", "examples/ecs-migrate.yml", "--output", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let plan = run.json();
    assert_eq!(plan["status"], "planned");
    assert_eq!(plan["run-task"]["cluster"], "app-prod");
    assert_eq!(plan["task-definition"]["family"], "app-web-migrate");
}

#[test]
fn plan_against_aws_sends_no_mutating_call() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "plan-readonly", 64);
    let dir = tempfile::tempdir().unwrap();
    let run = against(
        &stack,
        &world.access_key,
        dir.path(),
        &[
            "plan",
            "--cluster",
            &world.cluster,
            "--service",
            &world.service,
            "--command",
            "sh -c 'echo hi'",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains(&format!("{}-migrate", world.family)),
        "{}",
        run.transcript()
    );
    let actions = stack.actions(&world.access_key);
    assert!(
        actions.iter().any(|action| action == "DescribeServices"),
        "{actions:?}"
    );
    let mutating: Vec<&String> = actions
        .iter()
        .filter(|action| {
            [
                "Register", "Run", "Stop", "Create", "Put", "Tag", "Delete", "Update",
            ]
            .iter()
            .any(|verb| action.starts_with(verb))
        })
        .collect();
    assert!(mutating.is_empty(), "plan sent {mutating:?}");
    assert!(world.migration_revisions().is_empty());
}

#[test]
fn preflight_reports_every_problem_at_once_before_anything_runs() {
    use aws_sdk_ecs::types::{
        Compatibility, ContainerDefinition, LogConfiguration, LogDriver, NetworkMode,
    };

    let stack = require_stack!();
    let world = World::new(&stack, "preflight");
    let family = format!("{}-broken", world.family);
    world.block_on(async {
        let container = ContainerDefinition::builder()
            .name("app")
            .image(&stack.image)
            .memory(64)
            .log_configuration(
                LogConfiguration::builder()
                    .log_driver(LogDriver::Awslogs)
                    .options("awslogs-group", "/ecs/no-such-group")
                    .options("awslogs-region", "us-east-1")
                    .options("awslogs-stream-prefix", "app")
                    .build()
                    .unwrap(),
            )
            .build();
        world
            .ecs
            .register_task_definition()
            .family(&family)
            .execution_role_arn("arn:aws:iam::123456789012:role/no-such-role")
            .network_mode(NetworkMode::Awsvpc)
            .requires_compatibilities(Compatibility::Fargate)
            .cpu("256")
            .memory("512")
            .container_definitions(container)
            .send()
            .await
            .expect("RegisterTaskDefinition");
    });
    let dir = tempfile::tempdir().unwrap();
    let run = against(
        &stack,
        &world.access_key,
        dir.path(),
        &[
            "run",
            "--cluster",
            &world.cluster,
            "--task-definition",
            &family,
            "--command",
            "true",
            "--subnets",
            "subnet-0000000000000dead",
            "--security-groups",
            "sg-0000000000000dead",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    for expected in [
        "pre-flight found 4 problems",
        "subnet-0000000000000dead",
        "sg-0000000000000dead",
        "/ecs/no-such-group",
        "no-such-role",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?}:\n{}",
            run.transcript()
        );
    }
    let actions = stack.actions(&world.access_key);
    assert!(
        !actions
            .iter()
            .any(|action| action == "RegisterTaskDefinition" || action == "RunTask"),
        "{actions:?}"
    );
}

#[test]
fn preflight_finds_a_prebuilt_image_missing_from_its_ecr_repository() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "preflight-image", 64);
    let repository = format!("{}-app", world.family);
    let uri = world.block_on(async {
        world
            .ecr
            .create_repository()
            .repository_name(&repository)
            .send()
            .await
            .expect("CreateRepository")
            .repository()
            .and_then(|created| created.repository_uri())
            .expect("repository URI")
            .to_owned()
    });
    let missing = format!("{uri}:never-pushed");
    let dir = tempfile::tempdir().unwrap();
    let plan = against(
        &stack,
        &world.access_key,
        dir.path(),
        &[
            "plan",
            "--cluster",
            &world.cluster,
            "--service",
            &world.service,
            "--command",
            "true",
            "--image",
            &missing,
        ],
    );
    assert_eq!(plan.code, 2, "{}", plan.transcript());
    assert!(
        plan.stderr
            .contains(&format!("image {missing} is not in ECR repository")),
        "{}",
        plan.transcript()
    );
    // The stack's own image is in a registry path no ECR repository names: left to ECS.
    let fine = against(
        &stack,
        &world.access_key,
        dir.path(),
        &[
            "plan",
            "--cluster",
            &world.cluster,
            "--service",
            &world.service,
            "--command",
            "true",
        ],
    );
    assert_eq!(fine.code, 0, "{}", fine.transcript());
}

#[test]
fn a_reader_that_stops_early_ends_the_printing_not_the_command() {
    // `ecs-migrate plan | true`: the plan meets a closed pipe.
    let (code, stderr) = offline_stdout_closed(
        &repo_root(),
        &["plan", "--output", "json", "-c", "examples/ecs-migrate.yml"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn plan_status_is_refused_before_any_aws_call_where_there_is_no_status_task() {
    let custom = offline(
        &repo_root(),
        &[
            "plan",
            "--status",
            "-c",
            "examples/ecs-migrate.yml",
            "--tool",
            "custom",
        ],
    );
    assert_eq!(custom.code, 2, "{}", custom.transcript());
    assert!(
        custom
            .stderr
            .contains("plan --status needs the tool's status command"),
        "{}",
        custom.transcript()
    );
    let local = offline(
        &repo_root(),
        &[
            "plan",
            "--status",
            "--local",
            "-c",
            "examples/ecs-migrate.yml",
        ],
    );
    assert_eq!(local.code, 2, "{}", local.transcript());
    assert!(
        local.stderr.contains("`ecs-migrate status --local`"),
        "{}",
        local.transcript()
    );
    assert!(local.stdout.is_empty(), "{}", local.transcript());
}
