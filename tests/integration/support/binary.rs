//! Runs the real binary as a user would: in a scratch directory, colour off, with only the
//! environment we give it (no stray GitHub or AWS settings from the machine).

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use super::aws::World;
use super::stack::Stack;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Everything the user saw, for assertion messages.
    pub fn transcript(&self) -> String {
        format!(
            "exit code {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// Fails unless `secret` is absent from everything shown, but for the `::add-mask::` line
    /// that tells the GitHub runner to hide it.
    pub fn assert_hides(&self, secret: &str) {
        let mask = format!("::add-mask::{secret}");
        let shown = self.stderr.lines().filter(|line| *line != mask);
        assert!(
            !self.stdout.contains(secret) && !shown.into_iter().any(|line| line.contains(secret)),
            "{secret} leaked:\n{}",
            self.transcript()
        );
    }

    /// The lines of stderr (where the task's log goes) that start with `prefix`, in order.
    pub fn lines_starting_with(&self, prefix: &str) -> Vec<String> {
        self.stderr
            .lines()
            .filter(|line| line.starts_with(prefix))
            .map(str::to_owned)
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}):\n{}", self.transcript()))
    }
}

/// `ecs-migrate <args>` in `dir` with no AWS at all.
pub fn offline(dir: &Path, args: &[&str]) -> Run {
    offline_with_env(dir, args, &[])
}

/// [`offline`] with extra environment variables (e.g. a GitHub Actions job's).
pub fn offline_with_env(dir: &Path, args: &[&str], env: &[(String, String)]) -> Run {
    let mut command = base_command(dir);
    command
        .args(args)
        .envs(env.iter().map(|(name, value)| (name, value)));
    Run::from(command.output().expect("run ecs-migrate"))
}

/// [`offline`] with nobody reading stdout (`ecs-migrate plan | true`): its output meets a
/// closed pipe. The exit code and stderr.
pub fn offline_stdout_closed(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = base_command(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ecs-migrate");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait for ecs-migrate");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `ecs-migrate <args>` in `dir`, talking to the stand-in as `access_key`.
pub fn against(stack: &Stack, access_key: &str, dir: &Path, args: &[&str]) -> Run {
    against_with_env(stack, access_key, dir, args, &[])
}

/// The same, with extra environment variables (e.g. a GitHub Actions run).
pub fn against_with_env(
    stack: &Stack,
    access_key: &str,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Run {
    let mut command = aws_command(stack, access_key, dir, args, env);
    Run::from(command.output().expect("run ecs-migrate"))
}

/// `run --output json` of `world`'s service with `command`, polling every 250 ms.
pub fn run_args<'a>(world: &'a World, command: &'a str) -> Vec<&'a str> {
    let mut args = service_run(world, command);
    args.extend_from_slice(&["--poll-interval", "250ms"]);
    args
}

fn service_run<'a>(world: &'a World, command: &'a str) -> Vec<&'a str> {
    vec![
        "run",
        "--output",
        "json",
        "--cluster",
        &world.cluster,
        "--service",
        &world.service,
        "--command",
        command,
    ]
}

/// `ecs-migrate run --output json` of `world`'s service with `command` in a scratch directory,
/// as `world`'s access key, with `extra` flags (and `--poll-interval 250ms` unless they set one).
pub fn migrate(stack: &Stack, world: &World, command: &str, extra: &[&str]) -> Run {
    migrate_with_env(stack, world, command, extra, &[])
}

/// [`migrate`] with extra environment variables (e.g. a GitHub Actions run).
pub fn migrate_with_env(
    stack: &Stack,
    world: &World,
    command: &str,
    extra: &[&str],
    env: &[(String, String)],
) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut args = if extra.contains(&"--poll-interval") {
        service_run(world, command)
    } else {
        run_args(world, command)
    };
    args.extend_from_slice(extra);
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    against_with_env(stack, &world.access_key, dir.path(), &args, &env)
}

/// Starts `ecs-migrate <args>` in the background; collect it with [`collect`].
pub fn spawn(
    stack: &Stack,
    access_key: &str,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Child {
    aws_command(stack, access_key, dir, args, env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ecs-migrate")
}

/// Sends signal `name` (`TERM`, `KILL`, ...) to a spawned run.
pub fn signal(child: &Child, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success(), "kill -{name} {}", child.id());
}

pub fn collect(child: Child) -> Run {
    Run::from(child.wait_with_output().expect("wait for ecs-migrate"))
}

fn aws_command(
    stack: &Stack,
    access_key: &str,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Command {
    let mut command = base_command(dir);
    command
        .env("AWS_ENDPOINT_URL", &stack.endpoint)
        .env("AWS_ACCESS_KEY_ID", access_key)
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .envs(env.iter().copied())
        .args(args);
    command
}

fn base_command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecs-migrate"));
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CI", "true");
    for (name, _) in std::env::vars() {
        let foreign = name.starts_with("AWS_")
            || name.starts_with("GITHUB_")
            || name.starts_with("CODEBUILD_")
            || name.starts_with("ECS_MIGRATE_")
            || name == "RUNNER_TEMP";
        if foreign {
            command.env_remove(&name);
        }
    }
    // No shared config or credentials file of the machine may leak in.
    command
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true");
    command
}
