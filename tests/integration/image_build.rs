//! Build → push → run through ECR: the real engine builds, the local registry (ECR's stand-in)
//! receives the push, and the task runs the image pinned by digest. A second run of the same
//! commit builds nothing; a wrong token or a broken Dockerfile fail clearly.

use std::fs;
use std::path::Path;

use crate::support::aws::World;
use crate::support::binary::{Run, against_with_env};
use crate::support::stack::{Stack, require_stack};

/// A build context whose image prints `marker` when run, and a config building it.
fn project(stack: &Stack, world: &World, dir: &Path, repository: &str, marker: &str) {
    fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM {}\nRUN echo {marker} > /marker\nCMD [\"cat\", \"/marker\"]\n",
            stack.image
        ),
    )
    .unwrap();
    fs::write(
        dir.join("ecs-migrate.yml"),
        format!(
            "cluster: {}\nservice: {}\ncommand: [cat, /marker]\npoll_interval: 250ms\n\
             image:\n  repository: {repository}\n  create_repository: true\n",
            world.cluster, world.service
        ),
    )
    .unwrap();
}

/// A home directory with a Docker config of its own, to check nothing is written to it.
fn home(dir: &Path) -> (String, String) {
    let docker = dir.join("home/.docker");
    fs::create_dir_all(&docker).unwrap();
    fs::write(
        docker.join("config.json"),
        "{\n  \"auths\": {},\n  \"detachKeys\": \"ctrl-e,e\"\n}\n",
    )
    .unwrap();
    (
        dir.join("home").display().to_string(),
        docker.display().to_string(),
    )
}

fn run_in(stack: &Stack, world: &World, dir: &Path, args: &[&str], sha: &str) -> Run {
    let (home, docker_config) = home_paths(dir);
    against_with_env(
        stack,
        &world.access_key,
        dir,
        args,
        &[
            ("GITHUB_SHA", sha),
            ("HOME", &home),
            ("DOCKER_CONFIG", &docker_config),
        ],
    )
}

fn home_paths(dir: &Path) -> (String, String) {
    let home = dir.join("home");
    (
        home.display().to_string(),
        home.join(".docker").display().to_string(),
    )
}

fn count(stack: &Stack, world: &World, action: &str) -> usize {
    stack
        .actions(&world.access_key)
        .iter()
        .filter(|name| *name == action)
        .count()
}

fn unique(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{test}-{:x}", nanos ^ u128::from(std::process::id()))
}

#[test]
fn built_image_is_pushed_pinned_run_and_a_rerun_builds_nothing() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "image-build-push", 64);
    let dir = tempfile::tempdir().unwrap();
    let name = unique("build-push");
    let repository = format!("ecs-migrate-it/{name}");
    let marker = format!("migrated-by-{name}");
    project(&stack, &world, dir.path(), &repository, &marker);
    let (_, docker_config) = home(dir.path());
    let config_before = fs::read(Path::new(&docker_config).join("config.json")).unwrap();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let sha = format!("{nanos:040x}");

    let first = run_in(
        &stack,
        &world,
        dir.path(),
        &["run", "--output", "json"],
        &sha,
    );
    assert_eq!(first.code, 0, "{}", first.transcript());
    assert!(
        first.stderr.contains("Step 1/"),
        "no build seen:\n{}",
        first.transcript()
    );
    assert!(
        first.stderr.contains(&marker),
        "the migration did not print the marker:\n{}",
        first.transcript()
    );
    let pinned = first.json()["image"].as_str().unwrap().to_owned();
    let prefix = format!("{}/{repository}@sha256:", stack.registry);
    assert!(
        pinned.starts_with(&prefix),
        "image {pinned:?} is not pinned in {prefix}"
    );
    let arn = first.json()["task-definition-arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let registered = world.describe_task_definition(&arn);
    assert_eq!(
        registered.container_definitions()[0].image(),
        Some(pinned.as_str())
    );
    assert_eq!(count(&stack, &world, "CreateRepository"), 1);
    assert_eq!(count(&stack, &world, "GetAuthorizationToken"), 1);

    let plan = run_in(&stack, &world, dir.path(), &["plan"], &sha);
    assert_eq!(plan.code, 0, "{}", plan.transcript());
    assert!(plan.stdout.contains("skip:"), "{}", plan.transcript());

    let second = run_in(
        &stack,
        &world,
        dir.path(),
        &["run", "--output", "json"],
        &sha,
    );
    assert_eq!(second.code, 0, "{}", second.transcript());
    assert!(
        second.stderr.contains("already in ECR"),
        "{}",
        second.transcript()
    );
    assert!(
        !second.stderr.contains("Step 1/"),
        "the rerun built:\n{}",
        second.transcript()
    );
    assert_eq!(second.json()["image"], pinned.as_str());
    assert_eq!(
        count(&stack, &world, "GetAuthorizationToken"),
        1,
        "the rerun logged in"
    );
    assert_eq!(count(&stack, &world, "CreateRepository"), 1);

    let config_after = fs::read(Path::new(&docker_config).join("config.json")).unwrap();
    assert_eq!(
        config_before, config_after,
        "~/.docker/config.json was changed"
    );
}

#[test]
fn a_wrong_token_fails_the_login_without_showing_the_password() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "image-wrong-token", 64);
    let password = format!("not-the-password-{}", unique("pw"));
    stack.set_behaviour(
        &world.access_key,
        serde_json::json!({ "ecr_password": password }),
    );
    let dir = tempfile::tempdir().unwrap();
    let name = unique("wrong-token");
    project(
        &stack,
        &world,
        dir.path(),
        &format!("ecs-migrate-it/{name}"),
        "x",
    );
    home(dir.path());

    let run = run_in(
        &stack,
        &world,
        dir.path(),
        &["run"],
        "0123456789abcdef0123456789abcdef01234567",
    );
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(
        run.stderr.contains("docker login to http://127.0.0.1:5001"),
        "{}",
        run.transcript()
    );
    assert!(run.stderr.contains("failed"), "{}", run.transcript());
    assert!(
        !run.transcript().contains(&password),
        "the password was printed"
    );
    assert!(
        !run.stderr.contains("Step 1/"),
        "built despite the failed login"
    );
    assert_eq!(count(&stack, &world, "RunTask"), 0);
}

#[test]
fn a_failing_dockerfile_step_exits_1_with_its_error() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "image-bad-dockerfile", 64);
    let dir = tempfile::tempdir().unwrap();
    let name = unique("bad-dockerfile");
    project(
        &stack,
        &world,
        dir.path(),
        &format!("ecs-migrate-it/{name}"),
        "x",
    );
    fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {}\nRUN echo about to fail; exit 7\n", stack.image),
    )
    .unwrap();
    home(dir.path());

    let run = run_in(
        &stack,
        &world,
        dir.path(),
        &["run"],
        "89abcdef0123456789abcdef0123456789abcdef",
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains("the image build failed"),
        "{}",
        run.transcript()
    );
    assert!(
        run.stderr.contains("returned a non-zero code: 7"),
        "{}",
        run.transcript()
    );
    assert!(run.stdout.contains("failed"), "{}", run.transcript());
    assert!(run.stdout.contains("image build"), "{}", run.transcript());
    assert_eq!(count(&stack, &world, "RunTask"), 0);
    assert_eq!(count(&stack, &world, "RegisterTaskDefinition"), 0);
}

#[test]
fn a_missing_repository_is_a_usage_error_naming_it() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "image-missing-repo", 64);
    let dir = tempfile::tempdir().unwrap();
    let repository = format!("ecs-migrate-it/{}", unique("missing"));
    project(&stack, &world, dir.path(), &repository, "x");
    home(dir.path());
    let config = fs::read_to_string(dir.path().join("ecs-migrate.yml")).unwrap();
    fs::write(
        dir.path().join("ecs-migrate.yml"),
        config.replace("  create_repository: true\n", ""),
    )
    .unwrap();

    let run = run_in(
        &stack,
        &world,
        dir.path(),
        &["run"],
        "0123456789abcdef0123456789abcdef01234567",
    );
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains(&repository) && run.stderr.contains("create_repository"),
        "{}",
        run.transcript()
    );
    assert_eq!(count(&stack, &world, "CreateRepository"), 0);
}
