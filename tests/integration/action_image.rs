//! The Action's image, built from the repository's own Dockerfile and run as the GitHub runner
//! runs a container action (support/container_action.rs) against the ECS stand-in: a plan, then
//! a run that builds and pushes the migration image with the Docker CLI inside the Action's
//! image (through the engine socket the runner mounts), runs it as an ECS task and reports.
//!
//! What is built here: the Dockerfile's runtime stage (apt-get of ca-certificates, the Docker
//! CLI and buildx paths copied from the docker-cli stage, the binary, the ENTRYPOINT), with the
//! base images as build arguments: RUNTIME_IMAGE and DOCKER_CLI_IMAGE made from Debian's packages
//! by tests/stack/action-image-bases.sh (no public registry is reachable here; Debian 12 has no
//! buildx, so that path holds a placeholder), and BINARY_FROM an image holding the binary cargo
//! built for these tests (debug info stripped); tests/stack/action-image.sh builds it, as it
//! does for the benchmark.
//!
//! What is NOT built here: the cargo build stage (`FROM rust:1-bookworm`, `cargo build
//! --release` with LTO), which takes many minutes on this 2-core machine and needs a Rust image
//! no registry here serves. BuildKit builds only the stages the image needs, so with BINARY_FROM
//! set that stage is skipped; the release workflow (.github/workflows/release.yml) builds it.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::actions::StepFiles;
use crate::support::aws::World;
use crate::support::binary::Run;
use crate::support::container_action::{Job, run_step};
use crate::support::fake_github::FakeGitHub;
use crate::support::stack::{Stack, require_stack};

const DOCKERFILE_DIR: &str = env!("CARGO_MANIFEST_DIR");
const SHA: &str = "3c5e8d1f0a9b7c6d5e4f3a2b1c0d9e8f7a6b5c4d";
const TOKEN: &str = "ghs_job_token_of_the_container_step";

/// Images this test made in the stack's engine, removed when it ends.
struct Images(Vec<String>);

impl Drop for Images {
    fn drop(&mut self) {
        for image in &self.0 {
            let _ = Command::new("docker")
                .args(["image", "rm", "-f", image])
                .output();
        }
    }
}

fn succeeded(what: &str, output: Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{what} failed:\n{text}");
    text
}

/// `tests/stack/action-image.sh`: the Dockerfile's image as `tag` (and `tag-binary`) with the
/// binary under test, its debug info stripped; returns the build's log.
fn action_image(tag: &str) -> String {
    let context = tempfile::tempdir().unwrap();
    let binary = context.path().join("ecs-migrate");
    succeeded(
        "objcopy --strip-debug (binutils)",
        Command::new("objcopy")
            .arg("--strip-debug")
            .arg(env!("CARGO_BIN_EXE_ecs-migrate"))
            .arg(&binary)
            .output()
            .expect("objcopy (binutils)"),
    );
    let script = Path::new(DOCKERFILE_DIR).join("tests/stack/action-image.sh");
    succeeded(
        "tests/stack/action-image.sh",
        Command::new("bash")
            .arg(script)
            .arg(&binary)
            .arg(tag)
            .output()
            .expect("bash"),
    )
}

/// A workspace whose app image the step builds: `cat /marker` prints what its RUN wrote.
fn workspace(dir: &Path) {
    std::fs::create_dir_all(dir.join("app")).unwrap();
    std::fs::write(
        dir.join("app/Dockerfile"),
        format!(
            "FROM {}\nRUN echo built by the docker CLI of the action image > /marker\n",
            std::env::var("ECS_MIGRATE_TEST_IMAGE").expect("ECS_MIGRATE_TEST_IMAGE")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("ecs-migrate.yml"),
        "poll_interval: 250ms\nimage:\n  create_repository: true\n",
    )
    .unwrap();
}

/// The job around the step: AWS credentials and endpoint from the workflow's env, the github
/// context, the fake GitHub as the API.
fn job<'a>(stack: &Stack, world: &World, github: &FakeGitHub) -> Job<'a> {
    let env = [
        ("AWS_ENDPOINT_URL", stack.endpoint.clone()),
        ("AWS_ACCESS_KEY_ID", world.access_key.clone()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("GITHUB_API_URL", github.uri()),
        ("GITHUB_SERVER_URL", "https://github.com".to_owned()),
        ("GITHUB_REPOSITORY", "acme/app".to_owned()),
        ("GITHUB_RUN_ID", "9191".to_owned()),
        ("GITHUB_RUN_ATTEMPT", "1".to_owned()),
        ("GITHUB_SHA", SHA.to_owned()),
        ("GITHUB_REF", "refs/heads/main".to_owned()),
        ("GITHUB_EVENT_NAME", "push".to_owned()),
        ("GITHUB_WORKFLOW", "migrate".to_owned()),
        ("GITHUB_JOB", "migrate".to_owned()),
    ];
    Job {
        env: env
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
        token: TOKEN,
    }
}

fn assert_step(run: &Run, files: &StepFiles, code: i32, status: &str) {
    assert_eq!(run.code, code, "{}", run.transcript());
    assert_eq!(files.outputs()["status"], status, "{}", run.transcript());
}

#[test]
fn the_dockerfile_image_plans_then_builds_and_runs_a_migration_as_a_container_action() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "action-image", 64);
    let suffix = std::process::id();
    let tag = format!("ecs-migrate-action-test:{suffix}");
    let _images = Images(vec![tag.clone(), format!("{tag}-binary")]);
    let build_log = action_image(&tag);
    assert!(
        !build_log.contains("cargo build"),
        "the build stage ran:\n{build_log}"
    );

    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path());
    let (_runtime, github) = FakeGitHub::start_blocking();
    let job = job(&stack, &world, &github);
    let repository = world.family.clone();
    let inputs = [
        ("config", "ecs-migrate.yml"),
        ("cluster", world.cluster.as_str()),
        ("service", world.service.as_str()),
        ("command", "cat /marker"),
        ("repository", repository.as_str()),
        ("build-context", "app"),
        ("timeout", "5m"),
    ];

    // dry-run: true plans the build and the task and changes nothing.
    let files = StepFiles::new();
    let mut plan_inputs = inputs.to_vec();
    plan_inputs.push(("dry-run", "true"));
    let plan = run_step(&tag, &job, dir.path(), &files, &plan_inputs);
    assert_step(&plan, &files, 0, "planned");
    assert!(
        files
            .summary()
            .contains(&format!("### 📝 Migration ` {} ` planned", world.service)),
        "{}",
        files.summary()
    );
    let mutating = ["CreateRepository", "RegisterTaskDefinition", "RunTask"];
    let sent = stack.actions(&world.access_key);
    assert!(
        sent.iter()
            .all(|action| !mutating.contains(&action.as_str())),
        "{sent:?}"
    );

    // The run: build and push with the image's Docker CLI, then the task.
    let files = StepFiles::new();
    let run = run_step(&tag, &job, dir.path(), &files, &inputs);
    assert_step(&run, &files, 0, "succeeded");
    let outputs = files.outputs();
    assert_eq!(outputs["exit-code"], "0", "{outputs:?}");
    let pushed = format!("{}/{repository}@sha256:", stack.registry);
    assert!(outputs["image"].starts_with(&pushed), "{outputs:?}");
    assert!(
        outputs["task-definition-arn"]
            .contains(&format!(":task-definition/{}-migrate:", world.family)),
        "{outputs:?}"
    );
    let summary = files.summary();
    for expected in [
        format!("### ✅ Migration ` {} ` succeeded", world.service),
        "built by the docker CLI of the action image".to_owned(),
    ] {
        assert!(
            summary.contains(&expected),
            "missing {expected:?} in\n{summary}"
        );
    }

    // The task really ran in the stand-in, as the outputs say: one task, its container exited 0.
    let task = stack.task_in(&world.access_key, "STOPPED");
    assert_eq!(stack.tasks(&world.access_key).len(), 1, "{task}");
    assert_eq!(task["task_arn"], outputs["task-arn"].as_str(), "{task}");
    let containers = task["containers"].as_array().expect("containers");
    let app = containers
        .iter()
        .find(|container| container["name"] == "app");
    assert_eq!(app.expect("the app container")["exit_code"], 0, "{task}");
    let check_runs = github.check_runs();
    let reported = check_runs
        .iter()
        .find(|check| check["conclusion"] == "success")
        .unwrap_or_else(|| panic!("{check_runs:?}\n{}", run.transcript()));
    assert_eq!(reported["head_sha"], SHA);
    run.assert_hides(TOKEN);
    github.assert_no_problems();
}
