//! `--local`, through the real binary on the stack's Docker engine and real PostgreSQL: the
//! Alembic app's image built locally (never pushed) migrates a local database; its broken
//! revision is named; the secret's value (read from SSM with the user's credentials, or given in
//! an env file) is never printed; Ctrl-C stops the container; and ECS is never called.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::real_tools::{apps_dir, copy_tree};
use crate::support::aws::World;
use crate::support::binary::{Run, against_with_env, collect, signal, spawn};
use crate::support::postgres::Database;
use crate::support::stack::{Stack, require_stack};

const ALEMBIC_VERSION: &str = "select version_num from alembic_version";

/// The Alembic app in a scratch checkout, with a config whose base is a task definition file
/// (so preparing the run needs no ECS) and whose DATABASE_URL is the secret `value_from`.
/// The image is built as `ecs-migrate-local/<repository>:latest`.
fn alembic_checkout(dir: &Path, value_from: &str, repository: &str) {
    copy_tree(
        &apps_dir().join("alembic"),
        dir,
        &["broken", "ecs-migrate.yml"],
    );
    let base = std::env::var("ECS_MIGRATE_TEST_IMAGE_PYTHON")
        .expect("ECS_MIGRATE_TEST_IMAGE_PYTHON: tests/stack/up.sh builds the tool images");
    let task_definition = json!({
        "family": "local-app",
        "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
        "cpu": "256", "memory": "1024",
        "containerDefinitions": [{"name": "app", "image": "registry.invalid/app:deployed",
                                  "essential": true, "memory": 512,
                                  "command": ["gunicorn", "app:server"]}]
    });
    fs::write(dir.join("taskdef.json"), task_definition.to_string()).unwrap();
    fs::write(
        dir.join("ecs-migrate.yml"),
        format!(
            "cluster: never-called\ntask_definition: taskdef.json\ntool: alembic\n\
             secrets: {{ DATABASE_URL: \"{value_from}\" }}\n\
             environment: {{ PYTHONUNBUFFERED: \"1\" }}\n\
             image:\n  repository: {repository}\n  build: {{ args: {{ BASE: \"{base}\" }} }}\n\
             report:\n  path_map: {{ /app: . }}\n"
        ),
    )
    .unwrap();
}

/// A checkout whose config's base is a task definition file holding `container` (so preparing
/// the run needs no ECS), with `extra` config lines.
fn file_base_checkout(container: serde_json::Value, extra: &str) -> tempfile::TempDir {
    let checkout = tempfile::tempdir().unwrap();
    let task_definition = json!({"family": "local-app", "containerDefinitions": [container]});
    fs::write(
        checkout.path().join("taskdef.json"),
        task_definition.to_string(),
    )
    .unwrap();
    fs::write(
        checkout.path().join("ecs-migrate.yml"),
        format!("cluster: never-called\ntask_definition: taskdef.json\n{extra}"),
    )
    .unwrap();
    checkout
}

fn local(stack: &Stack, world: &World, dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["--output", "json"];
    all.extend_from_slice(args);
    against_with_env(stack, &world.access_key, dir, &all, &[])
}

/// ECS calls the binary made under the test's key (the fixtures use another key).
fn ecs_calls(stack: &Stack, world: &World) -> Vec<String> {
    stack
        .requests(&world.access_key)
        .into_iter()
        .filter(|request| request["service"] == "ecs")
        .map(|request| request["action"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The local-run containers of `repository`'s image that exist now, running or not.
fn local_containers(repository: &str) -> Vec<String> {
    let image = format!("ancestor=ecs-migrate-local/{repository}:latest");
    let output = Command::new("docker")
        .args(["ps", "--all", "--filter", &image, "--format", "{{.Names}}"])
        .output()
        .expect("docker ps");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn run_local_migrates_a_local_database_with_the_built_image_and_names_the_broken_revision() {
    let stack = require_stack!();
    let world = World::new(&stack, "local-alembic");
    let database = Database::create("local_alembic");
    let value_from =
        world.secret_parameter(&format!("/{}/database-url", world.family), &database.url());
    let checkout = tempfile::tempdir().unwrap();
    let repository = world.family.to_ascii_lowercase();
    alembic_checkout(checkout.path(), &value_from, &repository);

    let plan = local(&stack, &world, checkout.path(), &["plan", "--local"]);
    assert_eq!(plan.code, 0, "{}", plan.transcript());
    let planned = plan.json();
    assert_eq!(planned["local"], true, "{planned:#}");
    let docker_run = planned["docker-run"].to_string();
    assert!(
        docker_run.contains(r#""--env","DATABASE_URL""#),
        "{docker_run}"
    );
    assert!(docker_run.contains(r#""--network","host""#), "{docker_run}");
    plan.assert_hides(&database.url());

    let run = local(&stack, &world, checkout.path(), &["run", "--local"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["status"], "succeeded", "{}", run.transcript());
    assert_eq!(result["applied"], json!(["0001", "0002"]), "{result:#}");
    assert!(
        run.stderr
            .contains("Running upgrade 0001 -> 0002, add price to widgets"),
        "{}",
        run.transcript()
    );
    assert_eq!(database.value(ALEMBIC_VERSION), "0002");
    run.assert_hides(&database.url());
    assert!(
        result["image"]
            .as_str()
            .unwrap_or_default()
            .starts_with("ecs-migrate-local/"),
        "{result:#}"
    );

    copy_tree(&apps_dir().join("alembic/broken"), checkout.path(), &[]);
    let broken = local(&stack, &world, checkout.path(), &["run", "--local"]);
    assert_eq!(broken.code, 1, "{}", broken.transcript());
    let result = broken.json();
    assert_eq!(result["status"], "failed", "{}", broken.transcript());
    assert_eq!(result["exit-code"], 1, "{result:#}");
    assert_eq!(
        result["failed-migration"]["file"], "alembic/versions/0003_backfill_widget_sku.py",
        "{result:#}"
    );
    assert_eq!(result["failed-migration"]["line"], 19, "{result:#}");
    broken.assert_hides(&database.url());

    assert_eq!(ecs_calls(&stack, &world), Vec::<String>::new());
    assert_eq!(local_containers(&repository), Vec::<String>::new());
}

#[test]
fn run_local_takes_secrets_from_an_env_file_and_ctrl_c_stops_the_container() {
    let stack = require_stack!();
    let world = World::new(&stack, "local-signal");
    let database = Database::create("local_signal");
    let checkout = tempfile::tempdir().unwrap();
    let repository = world.family.to_ascii_lowercase();
    alembic_checkout(
        checkout.path(),
        "arn:aws:ssm:us-east-1:123456789012:parameter/nowhere/database-url",
        &repository,
    );
    let env_file = checkout.path().join("local.env");
    fs::write(
        &env_file,
        format!("# local database\nDATABASE_URL={}\n", database.url()),
    )
    .unwrap();
    let env_file = env_file.to_str().unwrap();

    let child = spawn(
        &stack,
        &world.access_key,
        checkout.path(),
        &[
            "--output",
            "json",
            "run",
            "--local",
            "--env-file",
            env_file,
            "--command",
            "sh -c 'echo \"url length ${#DATABASE_URL}\"; exec sleep 300'",
        ],
        &[],
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while local_containers(&repository).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the container never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    std::thread::sleep(std::time::Duration::from_secs(1));
    signal(&child, "INT");
    let run = collect(child);
    assert_eq!(run.code, 130, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["status"], "cancelled", "{}", run.transcript());
    let expected = format!("url length {}", database.url().len());
    assert!(run.stderr.contains(&expected), "{}", run.transcript());
    run.assert_hides(&database.url());
    assert_eq!(local_containers(&repository), Vec::<String>::new());
    // The secret came from the file: no AWS call at all.
    assert_eq!(
        stack.requests(&world.access_key),
        Vec::<serde_json::Value>::new()
    );
}

#[test]
fn run_local_reads_a_secrets_manager_json_key_and_never_prints_it() {
    let stack = require_stack!();
    let world = World::new(&stack, "local-sm");
    let password = format!("pw-{}", world.family);
    let arn = world.secrets_manager_secret(
        &format!("{}/db", world.family),
        &json!({"username": "app", "password": password}).to_string(),
    );
    let checkout = file_base_checkout(
        json!({"name": "app", "image": stack.image, "essential": true, "memory": 64,
               "secrets": [{"name": "DB_PASSWORD", "valueFrom": format!("{arn}:password::")}]}),
        "command: [sh, -c, 'echo \"password length $${#DB_PASSWORD}\"; exit 3']\n",
    );
    let run = local(&stack, &world, checkout.path(), &["run", "--local"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["exit-code"], 3, "{result:#}");
    assert_eq!(
        result["reason"], "container \"app\" exited with code 3",
        "{result:#}"
    );
    let expected = format!("password length {}", password.len());
    assert!(run.stderr.contains(&expected), "{}", run.transcript());
    run.assert_hides(&password);
    let actions: Vec<String> = stack
        .requests(&world.access_key)
        .into_iter()
        .map(|request| request["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(actions, ["GetSecretValue"]);
}

#[test]
fn ctrl_c_while_docker_pulls_the_image_ends_the_run_and_starts_nothing() {
    let stack = require_stack!();
    let world = World::new(&stack, "local-pull");
    // A "registry" that accepts connections and never answers: the pull hangs.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming().take(16).flatten() {
            open.push(stream);
        }
    });
    let checkout = file_base_checkout(
        json!({"name": "app", "image": format!("127.0.0.1:{port}/slow/app:1"),
               "essential": true, "memory": 64, "command": ["echo", "never runs"]}),
        "",
    );
    let started = std::time::Instant::now();
    let child = spawn(
        &stack,
        &world.access_key,
        checkout.path(),
        &["--output", "json", "run", "--local"],
        &[],
    );
    std::thread::sleep(std::time::Duration::from_secs(3));
    signal(&child, "INT");
    let run = collect(child);
    assert_eq!(run.code, 130, "{}", run.transcript());
    let result = run.json();
    assert_eq!(result["status"], "cancelled", "{result:#}");
    assert_eq!(
        result["reason"], "cancelled before the container started",
        "{result:#}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(25),
        "the cancel waited for the pull: {:?}",
        started.elapsed()
    );
    assert!(
        !run.stderr.lines().any(|line| line == "never runs"),
        "{}",
        run.transcript()
    );
    drop(held);
}
