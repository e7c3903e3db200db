//! The container contract: the binary in a `FROM scratch` image, started the way the runner
//! starts a container action (`--workdir /github/workspace`, the workspace and the file-command
//! directory mounted, `INPUT_*` and `GITHUB_*` in the environment, `action` as its argument),
//! against the ECS stand-in. The image holds the binary cargo built for the tests (stripped of
//! debug info) plus the shared libraries `ldd` lists for it: a release build would add many
//! minutes to a cold CI run on 2 cores, and the contract under test (environment, mounts, file
//! commands, working directory) does not depend on the optimisation level.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::actions::parse_outputs;
use crate::support::aws::World;
use crate::support::fake_github::FakeGitHub;
use crate::support::stack::require_stack;

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("the docker CLI (DOCKER_HOST from .stack/env)")
}

/// A build context with the binary at /usr/local/bin and its shared libraries at their paths.
fn scratch_context(dir: &Path) {
    let binary = env!("CARGO_BIN_EXE_ecs-migrate");
    let target = dir.join("usr/local/bin/ecs-migrate");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let stripped = Command::new("objcopy")
        .args(["--strip-debug", binary])
        .arg(&target)
        .status()
        .is_ok_and(|status| status.success());
    if !stripped {
        std::fs::copy(binary, &target).unwrap();
    }
    let ldd = Command::new("ldd").arg(binary).output().expect("ldd");
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
        let path = line
            .split("=>")
            .last()
            .and_then(|rest| rest.split_whitespace().next())
            .filter(|path| path.starts_with('/'));
        if let Some(path) = path {
            let inside = dir.join(path.trim_start_matches('/'));
            std::fs::create_dir_all(inside.parent().unwrap()).unwrap();
            std::fs::copy(path, &inside).unwrap();
        }
    }
    let certs = Path::new("/etc/ssl/certs/ca-certificates.crt");
    if certs.exists() {
        std::fs::create_dir_all(dir.join("etc/ssl/certs")).unwrap();
        std::fs::copy(certs, dir.join("etc/ssl/certs/ca-certificates.crt")).unwrap();
    }
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nCOPY . /\nENTRYPOINT [\"/usr/local/bin/ecs-migrate\"]\n",
    )
    .unwrap();
}

struct Image(String);

impl Drop for Image {
    fn drop(&mut self) {
        let _ = docker(&["image", "rm", "-f", &self.0]);
    }
}

#[test]
fn the_action_container_writes_outputs_and_summary_through_the_mounted_file_commands() {
    let stack = require_stack!();
    let world = World::new(&stack, "action-container");
    world.app_service(&stack, 64);

    let context = tempfile::tempdir().unwrap();
    scratch_context(context.path());
    let image = Image(format!("ecs-migrate-action-test:{}", std::process::id()));
    let built = docker(&[
        "build",
        "-q",
        "-t",
        &image.0,
        &context.path().display().to_string(),
    ]);
    assert!(
        built.status.success(),
        "docker build: {}",
        String::from_utf8_lossy(&built.stderr)
    );

    let workspace = tempfile::tempdir().unwrap();
    std::fs::write(
        workspace.path().join("ecs-migrate.yml"),
        format!("cluster: {}\npoll_interval: 250ms\n", world.cluster),
    )
    .unwrap();
    let file_commands = tempfile::tempdir().unwrap();
    let (_runtime, github) = FakeGitHub::start_blocking();
    let mount = |host: &Path, inside: &str| format!("{}:{inside}", host.display());
    let env = [
        "INPUT_CONFIG=ecs-migrate.yml".to_owned(),
        format!("INPUT_SERVICE={}", world.service),
        "INPUT_COMMAND=sh -c 'echo from the container action; exit 0'".to_owned(),
        "INPUT_TASK-DEFINITION=".to_owned(),
        "INPUT_DRY-RUN=false".to_owned(),
        "INPUT_GITHUB-TOKEN=ghs_fake".to_owned(),
        "HOME=/github/home".to_owned(),
        "CI=true".to_owned(),
        "GITHUB_ACTIONS=true".to_owned(),
        "GITHUB_WORKSPACE=/github/workspace".to_owned(),
        "GITHUB_REPOSITORY=acme/app".to_owned(),
        "GITHUB_SERVER_URL=https://github.com".to_owned(),
        "GITHUB_RUN_ID=777".to_owned(),
        "GITHUB_SHA=2f1c9e0".to_owned(),
        format!("GITHUB_API_URL={}", github.uri()),
        "GITHUB_OUTPUT=/github/file_commands/set_output_5e1f".to_owned(),
        "GITHUB_STEP_SUMMARY=/github/file_commands/step_summary_5e1f".to_owned(),
        format!("AWS_ENDPOINT_URL={}", stack.endpoint),
        format!("AWS_ACCESS_KEY_ID={}", world.access_key),
        "AWS_SECRET_ACCESS_KEY=test".to_owned(),
        "AWS_REGION=us-east-1".to_owned(),
    ];
    let mut args: Vec<String> = [
        "run",
        "--rm",
        "--network",
        "host",
        "--workdir",
        "/github/workspace",
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend([
        "-v".to_owned(),
        mount(workspace.path(), "/github/workspace"),
    ]);
    args.extend([
        "-v".to_owned(),
        mount(file_commands.path(), "/github/file_commands"),
    ]);
    for pair in &env {
        args.extend(["-e".to_owned(), pair.clone()]);
    }
    args.extend([image.0.clone(), "action".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let ran = docker(&args);
    let transcript = format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        ran.status.code(),
        String::from_utf8_lossy(&ran.stdout),
        String::from_utf8_lossy(&ran.stderr)
    );
    assert_eq!(ran.status.code(), Some(0), "{transcript}");
    assert!(
        transcript.contains("from the container action"),
        "{transcript}"
    );

    let read = |name: &str| -> String {
        let path: PathBuf = file_commands.path().join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{name} missing\n{transcript}"))
    };
    let outputs = parse_outputs(&read("set_output_5e1f"));
    assert_eq!(outputs["status"], "succeeded", "{outputs:?}");
    assert_eq!(outputs["exit-code"], "0");
    assert!(outputs["task-arn"].contains(":task/"), "{outputs:?}");
    let summary = read("step_summary_5e1f");
    assert!(
        summary.contains(&format!("### ✅ Migration ` {} ` succeeded", world.service)),
        "{summary}"
    );
    assert!(summary.contains("from the container action"), "{summary}");
    // The static binary reached GitHub (here the fake, on the host network) from FROM scratch.
    let check_runs = github.check_runs();
    assert_eq!(check_runs.len(), 1, "{transcript}");
    assert_eq!(check_runs[0]["conclusion"], "success");
    github.assert_no_problems();
}
