//! `environments:` through the real binary: each environment plans its own cluster and service,
//! a wrong or missing choice exits 2 before any AWS call, and each environment is its own
//! migration: lock, tags, RunTask token, PR comment and check run.

use std::path::Path;

use serde_json::Value;

use crate::support::actions::{TOKEN, actions_env, pull_request_event};
use crate::support::aws::World;
use crate::support::binary::{Run, against, against_with_env};
use crate::support::fake_github::FakeGitHub;
use crate::support::stack::{Stack, require_stack};

/// Writes `ecs-migrate.yml` into `dir`.
fn write_config(dir: &Path, yaml: &str) {
    std::fs::write(dir.join("ecs-migrate.yml"), yaml).expect("write ecs-migrate.yml");
}

/// The `environments:` of one app in two places: staging in `staging`'s cluster and service,
/// production in `production`'s, the rest shared at the top level.
fn two_places(staging: &World, production: &World) -> String {
    format!(
        "command: sh -c 'echo migrating in $STAGE'\n\
         poll_interval: 250ms\n\
         environment: {{ STAGE: top }}\n\
         environments:\n  \
           staging:\n    cluster: {}\n    service: {}\n    environment: {{ STAGE: staging }}\n  \
           production:\n    cluster: {}\n    service: {}\n    environment: {{ STAGE: production }}\n",
        staging.cluster, staging.service, production.cluster, production.service
    )
}

/// The actions `key` sent that change something in AWS.
fn mutating(stack: &Stack, key: &str) -> Vec<String> {
    stack
        .actions(key)
        .into_iter()
        .filter(|action| {
            [
                "Register", "Run", "Stop", "Create", "Put", "Tag", "Delete", "Update",
            ]
            .iter()
            .any(|verb| action.starts_with(verb))
        })
        .collect()
}

#[test]
fn each_environment_plans_its_own_cluster_and_service() {
    let stack = require_stack!();
    let staging = World::new(&stack, "env-plan-stg");
    staging.app_service(&stack, 64);
    let production = World::new(&stack, "env-plan-prd");
    production.app_service(&stack, 64);
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), &two_places(&staging, &production));

    for (world, environment) in [(&staging, "staging"), (&production, "production")] {
        let run = against(
            &stack,
            &world.access_key,
            dir.path(),
            &["plan", "-e", environment, "--output", "json"],
        );
        assert_eq!(run.code, 0, "{}", run.transcript());
        let plan = run.json();
        assert_eq!(plan["environment"], environment);
        assert_eq!(
            plan["name"],
            world.service.as_str(),
            "named after the service"
        );
        assert_eq!(plan["run-task"]["cluster"], world.cluster.as_str());
        assert_eq!(
            plan["task-definition"]["family"],
            format!("{}-migrate", world.family)
        );
        let app = &plan["task-definition"]["containerDefinitions"][0];
        let stage = app["environment"]
            .as_array()
            .unwrap()
            .iter()
            .find(|pair| pair["name"] == "STAGE")
            .unwrap_or_else(|| panic!("no STAGE in {app}"));
        assert_eq!(stage["value"], environment, "the environment's value wins");
        let tags = plan["run-task"]["tags"].to_string();
        assert!(
            tags.contains(&format!(
                r#"{{"key":"ecs-migrate:environment","value":"{environment}"}}"#
            )),
            "{tags}"
        );
        let services = stack
            .requests(&world.access_key)
            .into_iter()
            .filter(|request| request["action"] == "DescribeServices")
            .map(|request| request["body"]["services"].to_string())
            .collect::<Vec<_>>();
        assert_eq!(services, [format!("[\"{}\"]", world.service)]);
        assert_eq!(mutating(&stack, &world.access_key), Vec::<String>::new());
    }

    // The text plan says which environment, and the Action's `environment` input chooses too.
    let run = against_with_env(
        &stack,
        &production.access_key,
        dir.path(),
        &["action"],
        &[
            ("INPUT_ENVIRONMENT", "production"),
            ("INPUT_DRY-RUN", "true"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.starts_with(&format!(
            "Plan for migration \"{}\" in environment \"production\" (ecs-migrate.yml)\n  \
             cluster:          {}\n",
            production.service, production.cluster
        )),
        "{}",
        run.transcript()
    );
}

#[test]
fn a_wrong_or_missing_choice_exits_2_naming_the_environments_before_any_aws_call() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "env-choice", 64);
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), &two_places(&world, &world));

    let assert_refused = |run: &Run, expected: &str| {
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?}:\n{}",
            run.transcript()
        );
        assert!(run.stdout.is_empty(), "{}", run.transcript());
    };
    let unknown = against(
        &stack,
        &world.access_key,
        dir.path(),
        &["run", "-e", "prod"],
    );
    assert_refused(
        &unknown,
        "error: ecs-migrate.yml: no environment \"prod\" under `environments:` (did you mean \
         \"production\"? defined: production, staging)",
    );
    let from_variable = against_with_env(
        &stack,
        &world.access_key,
        dir.path(),
        &["run"],
        &[("ECS_MIGRATE_ENVIRONMENT", "qa")],
    );
    assert_refused(
        &from_variable,
        "no environment \"qa\" under `environments:` (defined: production, staging)",
    );
    let none = against(&stack, &world.access_key, dir.path(), &["run"]);
    assert_refused(
        &none,
        "error: ecs-migrate.yml: no environment chosen, and the top level alone names no cluster \
         and service or task_definition: choose one of the `environments:` (production, staging) \
         with -e/--environment NAME",
    );
    // `status` and `down` read the config too.
    let down = against(
        &stack,
        &world.access_key,
        dir.path(),
        &["down", "--yes", "--environment", "prod"],
    );
    assert_refused(&down, "no environment \"prod\" under `environments:`");

    let plain = tempfile::tempdir().unwrap();
    write_config(
        plain.path(),
        &format!("cluster: {}\nservice: {}\n", world.cluster, world.service),
    );
    let without = against(
        &stack,
        &world.access_key,
        plain.path(),
        &["status", "-e", "staging"],
    );
    assert_refused(
        &without,
        "error: ecs-migrate.yml: environment \"staging\" was chosen (-e/--environment, \
         ECS_MIGRATE_ENVIRONMENT or the `environment` input), but ecs-migrate.yml defines no \
         `environments:`",
    );
    assert_eq!(stack.actions(&world.access_key), Vec::<String>::new());
    assert!(world.migration_revisions().is_empty());
}

#[test]
fn each_environment_is_its_own_migration_lock_tags_token_comment_and_check_run() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "env-identity", 64);
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let dir = tempfile::tempdir().unwrap();
    // Both environments migrate in the same cluster and service: only the environment tells
    // them apart.
    write_config(dir.path(), &two_places(&world, &world));
    let github = actions_env(&fake, dir.path(), "pull_request", pull_request_event());
    let run_in = |environment: &str, how: &str| -> Run {
        let mut env: Vec<(&str, &str)> = github
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let mut args = vec!["run", "--output", "json"];
        if how == "flag" {
            args.extend(["-e", environment]);
        } else {
            env.push(("ECS_MIGRATE_ENVIRONMENT", environment));
        }
        let run = against_with_env(&stack, &world.access_key, dir.path(), &args, &env);
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(
            run.stderr
                .contains(&format!("migrating in {environment}\n")),
            "{}",
            run.transcript()
        );
        run
    };

    let staging = run_in("staging", "flag");
    let production = run_in("production", "variable");
    for (run, environment) in [(&staging, "staging"), (&production, "production")] {
        let result = run.json();
        assert_eq!(result["environment"], environment);
        assert_eq!(result["name"], world.service.as_str());
        assert_eq!(result["status"], "succeeded");
    }

    let requests = stack.requests(&world.access_key);
    let bodies = |action: &str| -> Vec<Value> {
        requests
            .iter()
            .filter(|request| request["action"] == action && request["status"] == 200)
            .map(|request| request["body"].clone())
            .collect()
    };
    let lock = |environment: &str| {
        format!(
            "/ecs-migrate/locks/{}/{}-migrate/{environment}",
            world.cluster, world.family
        )
    };
    // Each run puts its lock twice (taken, then its task recorded) and deletes it once.
    let names = |action: &str| -> Vec<String> {
        let mut names: Vec<String> = bodies(action)
            .iter()
            .map(|body| body["Name"].as_str().unwrap_or_default().to_owned())
            .collect();
        names.dedup();
        names
    };
    assert_eq!(
        names("PutParameter"),
        [lock("staging"), lock("production")],
        "one lock per environment"
    );
    assert_eq!(
        names("DeleteParameter"),
        [lock("staging"), lock("production")],
        "each released"
    );
    let run_tasks = bodies("RunTask");
    assert_eq!(run_tasks.len(), 2);
    for (body, environment) in run_tasks.iter().zip(["staging", "production"]) {
        let token = body["clientToken"].as_str().unwrap();
        assert!(
            token.starts_with(&format!("ecs-migrate-{environment}-")) && token.len() <= 64,
            "{token}"
        );
        let tags = body["tags"].to_string();
        for expected in [
            format!(r#"{{"key":"ecs-migrate:environment","value":"{environment}"}}"#),
            format!(r#"{{"key":"ecs-migrate:token","value":"{token}"}}"#),
            format!(
                r#"{{"key":"ecs-migrate:name","value":"{}"}}"#,
                world.service
            ),
        ] {
            assert!(tags.contains(&expected), "{expected} not in {tags}");
        }
    }
    let registered = bodies("RegisterTaskDefinition");
    assert_eq!(registered.len(), 2, "STAGE differs, so two revisions");
    for (body, environment) in registered.iter().zip(["staging", "production"]) {
        let tags = body["tags"].to_string();
        assert!(
            tags.contains(&format!(
                r#"{{"key":"ecs-migrate:environment","value":"{environment}"}}"#
            )),
            "{tags}"
        );
    }

    // On GitHub: two check runs and two sticky comments, one per environment.
    let check_name = |environment: &str| format!("ecs-migrate/{}/{environment}", world.service);
    let created: Vec<Value> = fake
        .requests_of("checks/create")
        .iter()
        .map(|request| request.body["name"].clone())
        .collect();
    assert_eq!(created, [check_name("staging"), check_name("production")]);
    let marker = |environment: &str| {
        format!(
            "<!-- ecs-migrate:comment name=\"{}\" environment=\"{environment}\" -->",
            world.service
        )
    };
    let comments = fake.comments(12);
    assert_eq!(comments.len(), 2, "{comments:#?}");
    let staging_comment = comments[0].clone();
    assert!(
        staging_comment.1.starts_with(&marker("staging")),
        "{comments:#?}"
    );
    assert!(
        comments[1].1.starts_with(&marker("production")),
        "{comments:#?}"
    );
    assert!(
        comments[1].1.contains(&format!(
            "✅ Migration ` {} ` (production) succeeded",
            world.service
        )) && comments[1].1.contains("| Environment | ` production ` |"),
        "{}",
        comments[1].1
    );

    // Staging again: its own comment is updated; production's is left as it was.
    run_in("staging", "flag");
    let after = fake.comments(12);
    assert_eq!(after.len(), 2, "{after:#?}");
    assert_eq!(after[0].0, staging_comment.0);
    assert_eq!(after[1], comments[1], "production's comment was touched");
    assert_eq!(fake.requests_of("issues/create-comment").len(), 2);
    assert_eq!(fake.requests_of("issues/update-comment").len(), 1);
    let names: Vec<Value> = fake
        .check_runs()
        .iter()
        .map(|run| run["name"].clone())
        .collect();
    assert_eq!(
        names,
        [
            check_name("staging"),
            check_name("production"),
            check_name("staging")
        ]
    );
    staging.assert_hides(TOKEN);
    fake.assert_no_problems();
}
