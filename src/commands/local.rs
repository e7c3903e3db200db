//! `run`, `status` and `down` with `--local`, and `plan --local`: the derived migration task
//! definition's container run on the local Docker engine (see `crate::local`) and judged,
//! printed and reported like a task. Nothing is registered or started in ECS: AWS is read only
//! for the base (a service or a registered task definition; nothing for a file base) and for
//! secrets with no local value.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::aws::Clients;
use crate::ci::{CiContext, Runner};
use crate::cli::{GlobalArgs, OutputFormat};
use crate::config::Settings;
use crate::image::build::{BuildRequest, Builder, build_args, printable};
use crate::image::stream;
use crate::local::{DockerRun, container_secrets, docker_run, read_env_file, resolve};
use crate::outcome::{Outcome, Status};
use crate::progress::Progress;
use crate::report;
use crate::task::evaluate::container_exited;
use crate::task::{KeptLog, Printer, Signals};

use super::aws_target;
use super::job::Job;
use super::prepare::{Prepared, migration_container, needs_aws, prepare};
use super::verdict::{failed_migrations, name_failed_migration};

/// Seconds `docker stop` gives the container after SIGTERM, as ECS's default `stopTimeout`.
const STOP_TIMEOUT: &str = "30";

pub async fn run_job(global: &GlobalArgs, mut settings: Settings, job: &Job) -> Result<u8> {
    let job_command = job.command(&settings)?;
    let ci = CiContext::current();
    let progress = Progress::new(ci, global.chatter());
    let mut signals = Signals::install()?;
    let mut clients = match needs_aws(&settings) {
        true => Some(Clients::connect(&aws_target(global)).await?),
        false => None,
    };
    if let Some(reference) = build_image(&settings, ci, &progress).await? {
        settings.image.uri = Some(reference);
    }
    let prepared = prepare(&settings, clients.as_ref()).await?;
    let container = migration_container(&prepared).clone();
    let given = local_values(&settings)?;
    let secrets = container_secrets(&container);
    if clients.is_none()
        && secrets
            .iter()
            .any(|secret| !given.contains_key(&secret.name))
    {
        clients = Some(Clients::connect(&aws_target(global)).await?);
    }
    let mut values = resolve(&secrets, &given, clients.as_ref()).await?;
    // In Actions the runner masks them in every later line, the container's output included.
    for value in values.values() {
        report::workflow::mask(value);
    }
    for (name, value) in given {
        values.entry(name).or_insert(value);
    }
    let name = container_name()?;
    let run = docker_run(
        &prepared.derived.task_definition,
        &container,
        job_command.as_deref(),
        &settings.local.network,
        &name,
        &values,
    );
    for warning in &run.warnings {
        progress.warn(warning);
    }
    progress.step(format!(
        "running the {} locally: {}",
        job.name(),
        run.printable()
    ));

    let mut outcome = Outcome::new(&settings.name, Status::Failed);
    outcome.environment.clone_from(&settings.environment_name);
    outcome.image = container["image"].as_str().map(str::to_owned);
    outcome.command = job_command.clone().or_else(|| {
        let words = container["command"].as_array()?;
        Some(
            words
                .iter()
                .filter_map(|w| w.as_str().map(str::to_owned))
                .collect(),
        )
    });
    let started = Instant::now();
    let mut kept = KeptLog::default();
    progress.group(format!("logs of container {name}"));
    let ended = follow(&run, &name, &progress, &mut kept, &mut signals, &settings).await;
    progress.end_group();
    let inspected = inspect(&name).await;
    remove(&name).await;
    let ended = ended?;
    outcome.duration_seconds = Some(started.elapsed().as_secs());
    outcome.log_tail = kept.report_tail();
    let log = kept.into_lines();
    judge(&mut outcome, &prepared, ended, inspected, &settings, &log);
    job.read_output(&settings, &mut outcome, &log);
    progress.finish();
    report::run_finished(&settings, &outcome, &|warning| progress.warn(warning)).await;
    match global.output {
        OutputFormat::Json => outln!("{}", outcome.to_json()),
        OutputFormat::Text => out!("{}", outcome.text_block()),
    }
    Ok(outcome.status.exit_code())
}

/// `plan --local`: the `docker run` a local run would do (names of the values only).
pub async fn plan(
    global: &GlobalArgs,
    settings: &Settings,
    job_command: Option<&[String]>,
) -> Result<u8> {
    let clients = match needs_aws(settings) {
        true => Some(Clients::connect(&aws_target(global)).await?),
        false => None,
    };
    let prepared = prepare(settings, clients.as_ref()).await?;
    let container = migration_container(&prepared).clone();
    let mut values: BTreeMap<String, String> = local_values(settings)?;
    for secret in container_secrets(&container) {
        values.entry(secret.name).or_default();
    }
    let run = docker_run(
        &prepared.derived.task_definition,
        &container,
        job_command,
        &settings.local.network,
        "ecs-migrate-local-<id>",
        &values,
    );
    let image_note = match &settings.image.build {
        Some(_) => "\n(the image is built locally first with `image.build`, not pushed)",
        None => "",
    };
    match global.output {
        OutputFormat::Json => outln!(
            "{}",
            serde_json::json!({"status": "planned", "local": true, "docker-run": run.args,
                               "environment": run.env.keys().collect::<Vec<_>>(),
                               "warnings": run.warnings})
        ),
        OutputFormat::Text => {
            outln!(
                "Plan for running migration {:?} locally:\n{}{image_note}",
                settings.name,
                run.printable()
            );
            for warning in &run.warnings {
                outln!("warning: {warning}");
            }
        }
    }
    Ok(Status::Planned.exit_code())
}

/// `local.env_file`'s values, then `local.env`'s over them.
fn local_values(settings: &Settings) -> Result<BTreeMap<String, String>> {
    let mut values = match &settings.local.env_file {
        Some(path) => read_env_file(path)?,
        None => BTreeMap::new(),
    };
    values.extend(settings.local.env.clone());
    Ok(values)
}

/// With `image.build`, builds the image into the local engine (never pushed) and returns its
/// tag.
async fn build_image(
    settings: &Settings,
    ci: &CiContext,
    progress: &Progress,
) -> Result<Option<String>> {
    let Some(build) = &settings.image.build else {
        return Ok(None);
    };
    let repository = settings
        .image
        .repository
        .as_deref()
        .unwrap_or(&settings.name);
    let reference = format!(
        "ecs-migrate-local/{}:latest",
        repository.to_ascii_lowercase()
    );
    let builder = Builder::detect(std::env::var("DOCKER_BUILDKIT").ok().as_deref()).await;
    let request = BuildRequest {
        settings: build,
        reference: &reference,
        commit: None,
        source: None,
    };
    let args = build_args(builder, &request);
    let mut command = Command::new("docker");
    command.args(&args);
    let title = format!("building {reference}: {}", printable(&args));
    let built = stream::run_streamed(
        command,
        &title,
        ci.runner == Runner::GitHubActions,
        progress,
    )
    .await?;
    if !built.success {
        bail!(
            "the local image build failed ({}); last lines:\n{}",
            built
                .code
                .map_or_else(|| "killed".to_owned(), |code| format!("exit {code}")),
            built.lines.join("\n")
        );
    }
    Ok(Some(reference))
}

/// A name no other local run uses.
fn container_name() -> Result<String> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    let suffix: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(format!("ecs-migrate-local-{suffix}"))
}

/// How the container's run ended.
struct Ended {
    /// `docker run`'s exit code: the container's, or 125+ when Docker could not run it.
    code: Option<i32>,
    interrupted: Option<Status>,
}

/// Runs the container, printing its output as it comes; a signal or the timeout stops it
/// (`docker stop`, then `docker kill` on a second signal).
async fn follow(
    run: &DockerRun,
    name: &str,
    progress: &Progress,
    kept: &mut KeptLog,
    signals: &mut Signals,
    settings: &Settings,
) -> Result<Ended> {
    let mut child = Command::new("docker")
        .args(&run.args)
        .envs(&run.env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("cannot run the Docker CLI `docker` (install it, or put it on PATH)")?;
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let mut stderr = BufReader::new(child.stderr.take().expect("piped stderr")).lines();
    let mut printer = Printer {
        progress,
        kept,
        prefixed: false,
    };
    let deadline = tokio::time::Instant::now() + settings.timeout;
    let mut interrupted: Option<Status> = None;
    let (mut out_open, mut err_open) = (true, true);
    while out_open || err_open {
        tokio::select! {
            line = stdout.next_line(), if out_open => match line {
                Ok(Some(line)) => printer.print("", vec![line]),
                _ => out_open = false,
            },
            line = stderr.next_line(), if err_open => match line {
                Ok(Some(line)) => printer.print("", vec![line]),
                _ => err_open = false,
            },
            () = signals.received() => {
                if interrupted.is_some() {
                    progress.warn(format!("second signal: killing container {name}"));
                    docker(&["kill", name]).await;
                    let _ = child.start_kill();
                } else {
                    progress.step(format!("cancelled: stopping container {name}"));
                    interrupted = Some(Status::Cancelled);
                    stop(&mut child, name).await;
                }
            }
            () = tokio::time::sleep_until(deadline), if interrupted.is_none() => {
                progress.step(format!("timed out: stopping container {name}"));
                interrupted = Some(Status::TimedOut);
                stop(&mut child, name).await;
            }
        }
    }
    let status = child.wait().await.context("waiting for `docker run`")?;
    Ok(Ended {
        code: status.code(),
        interrupted,
    })
}

/// Stops the container (SIGTERM, then SIGKILL after [`STOP_TIMEOUT`], as ECS does). When there
/// is no container yet (Docker still pulling the image), `docker run` itself is ended, so it
/// never starts one; the caller removes whatever exists afterwards.
async fn stop(child: &mut tokio::process::Child, name: &str) {
    if !docker(&["stop", "--time", STOP_TIMEOUT, name]).await {
        let _ = child.start_kill();
    }
}

/// Whether the kernel's OOM killer stopped the container, as Docker recorded it.
async fn inspect(name: &str) -> Option<bool> {
    let output = Command::new("docker")
        .args(["inspect", "--format", "{{.State.OOMKilled}}", name])
        .stdin(Stdio::null())
        .output()
        .await
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim() == "true")
}

async fn remove(name: &str) {
    let _ = docker(&["rm", "--force", name]).await;
}

/// A Docker command whose output does not matter (stop, kill, rm): whether it worked.
async fn docker(args: &[&str]) -> bool {
    let status = Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await;
    status.is_ok_and(|status| status.success())
}

/// The outcome of the container's run, judged as a task's: exit 0 succeeds, anything else
/// fails with the container and code named (and the failed migration, from the log).
fn judge(
    outcome: &mut Outcome,
    prepared: &Prepared,
    ended: Ended,
    oom_killed: Option<bool>,
    settings: &Settings,
    log: &[String],
) {
    let container = &prepared.derived.container;
    if let (Some(status), None) = (ended.interrupted, oom_killed) {
        // Stopped before Docker had a container (still pulling the image).
        outcome.status = status;
        outcome.reason = Some(match status {
            Status::TimedOut => "timed out before the container started".to_owned(),
            _ => "cancelled before the container started".to_owned(),
        });
        return;
    }
    if oom_killed.is_none() {
        // No container: Docker could not create or start it (its error is in the log).
        outcome.reason = Some(format!(
            "docker could not run container {container:?} (docker run exited with {})",
            ended
                .code
                .map_or_else(|| "a signal".to_owned(), |code| code.to_string())
        ));
        return;
    }
    outcome.exit_code = ended.code;
    if let Some(status) = ended.interrupted {
        outcome.status = status;
        outcome.reason = Some(match status {
            Status::TimedOut => "timed out; the container was stopped".to_owned(),
            _ => "cancelled; the container was stopped".to_owned(),
        });
        return;
    }
    if ended.code == Some(0) {
        outcome.status = Status::Succeeded;
        return;
    }
    outcome.migration_errors = failed_migrations(log, &settings.report);
    let reason = match (oom_killed, ended.code) {
        (Some(true), _) => format!(
            "container {container:?} was killed for using more memory than its limit \
             (OutOfMemoryError)"
        ),
        (_, Some(code)) => container_exited(container, code),
        (_, None) => format!("container {container:?} was killed by a signal"),
    };
    outcome.reason = Some(name_failed_migration(reason, &outcome.migration_errors));
}
