//! `ecs-migrate run`: register → run → wait while streaming logs → evaluate → report.

use std::time::Instant;

use anyhow::{Context, Result};

use crate::aws::Clients;
use crate::ci::{CiContext, Runner};
use crate::cli::{GlobalArgs, MigrationArgs, OutputFormat};
use crate::config::Settings;
use crate::failure::TaskLeftBehind;
use crate::hints;
use crate::image::{self, Delivered};
use crate::links;
use crate::lock::Lock;
use crate::logs::{self, LogTail};
use crate::outcome::{Outcome, Status};
use crate::preflight;
use crate::progress::Progress;
use crate::report;
use crate::report::github::GitHubReport;
use crate::task::earlier_runs::{mark_reported, start_unreported};
use crate::task::launch::{Tag, run_task_request};
use crate::task::token::{STEP_TAG, client_token, invocation_client_token};
use crate::task::{KeptLog, Signals, Started, WaitEnd, WaitOptions, token_conflict, wait_for_stop};
use crate::taskdef::register_or_reuse;

use super::job::Job;
use super::local;
use super::prepare::{Prepared, migration_container, prepare, resource_tags};
use super::turn::{Claim, Turn, wait_for_turn};
use super::verdict::judge;
use super::verify::{self, Verifier};
use super::{aws_target, load_settings};

pub async fn run(global: &GlobalArgs, args: &MigrationArgs) -> Result<u8> {
    let settings = load_settings(global, args)?;
    verify::preflight(&settings)?;
    run_job(global, args, settings, &Job::Up).await
}

/// Starts a one-off task of the migration task definition for `job`, waits for it while
/// streaming its logs, judges and reports it; `run`, `status` and `down` all come through here.
pub async fn run_job(
    global: &GlobalArgs,
    args: &MigrationArgs,
    mut settings: Settings,
    job: &Job,
) -> Result<u8> {
    if args.local {
        return local::run_job(global, settings, job).await;
    }
    let ci = CiContext::current();
    let progress = Progress::new(ci, global.chatter());
    let mut github = GitHubReport::connect(&settings, ci, &args.github.access(), &progress).await;
    let clients = Clients::connect(&aws_target(global)).await?;
    let outcome = one_off_task(&clients, args, &mut settings, job, &progress, &mut github).await?;
    let stopped_task = outcome
        .task_arn
        .clone()
        .filter(|_| outcome.task_stopped && job.attaches_across_runs(ci));
    let code = finish(global, &settings, &progress, outcome, &mut github).await;
    // Told everywhere: the next run of this CI step starts its own task instead of this one.
    if let Some(task_arn) = stopped_task
        && let Err(error) = mark_reported(&clients.ecs, &task_arn).await
    {
        progress.warn(format!(
            "could not tag {task_arn} as reported ({error:#}): a later run of this CI step \
             with the same task definition would report this task again instead of starting its own"
        ));
    }
    Ok(code)
}

/// The one-off task of `job` from image to judged result, reporting its start (and a lost
/// track of it) to `github`; the caller reports the result: `run_job` as the command's own,
/// `plan --status` inside the plan.
pub async fn one_off_task(
    clients: &Clients,
    args: &MigrationArgs,
    settings: &mut Settings,
    job: &Job,
    progress: &Progress,
    github: &mut GitHubReport,
) -> Result<Outcome> {
    let job_command = job.command(settings)?;
    let ci = CiContext::current();
    let mut signals = Signals::install()?;
    let image = image::locate(clients, settings, args.image_args.rebuild).await?;
    if let Some(image) = &image {
        settings.image.uri = Some(image.reference());
    }
    let mut prepared = prepare(settings, Some(clients)).await?;
    let tags = resource_tags(settings, ci);

    // Names the family until the revision to run is registered; pre-flight checks it as is.
    let mut request = run_task_request(
        settings,
        prepared.service.as_ref(),
        &prepared.derived.task_definition,
        &prepared.derived.family,
        tags.clone(),
    )?;
    if let Some(command) = &job_command {
        request.overrides = Some(Job::overrides(&prepared.derived.container, command));
    }
    let findings = preflight::check(
        clients,
        &request,
        &prepared.derived.task_definition,
        image.is_none(),
    )
    .await;
    preflight::enforce(&findings, |note| progress.warn(note))?;
    if let Some(image) = image {
        let in_actions = ci.runner == Runner::GitHubActions;
        match image
            .deliver(clients, &settings.name, in_actions, progress)
            .await?
        {
            Delivered::Pinned(reference) => {
                let derived = &mut prepared.derived;
                image::pin(&mut derived.task_definition, &derived.container, &reference);
            }
            Delivered::BuildFailed(outcome) => {
                return Ok(*outcome);
            }
        }
    }

    progress.step(format!(
        "task definition family {} (base: {})",
        prepared.derived.family, prepared.base_origin
    ));
    let tag_pairs: Vec<(String, String)> = tags
        .iter()
        .map(|tag| (tag.key.clone(), tag.value.clone()))
        .collect();
    let registration = register_or_reuse(
        &clients.ecs,
        &prepared.derived.task_definition,
        &prepared.derived.family,
        &tag_pairs,
    )
    .await?;
    progress.step(if registration.reused {
        format!("unchanged, reusing {}", registration.arn)
    } else {
        format!("registered {}", registration.arn)
    });

    let mut outcome = Outcome::new(&settings.name, Status::Failed);
    outcome.environment.clone_from(&settings.environment_name);
    outcome.task_definition_arn = Some(registration.arn.clone());
    let container = migration_container(&prepared);
    outcome.image = container["image"].as_str().map(str::to_owned);
    outcome.command = job_command.clone().or_else(|| {
        container["command"].as_array().map(|words| {
            words
                .iter()
                .filter_map(|word| word.as_str().map(str::to_owned))
                .collect()
        })
    });

    request.task_definition = registration.arn.clone();
    let environment = settings.environment_name.as_deref();
    let step_token = match job {
        Job::Up => client_token(&registration.arn, environment, ci),
        // Read-only, so never attached to an earlier try's task: that status may predate a
        // migration run since in the same step.
        Job::Status => invocation_client_token(&registration.arn, environment),
        // Not the migration's token: other overrides with it would be a conflict.
        Job::Down(_) => client_token(
            &format!("{}#{}", registration.arn, job.name()),
            environment,
            ci,
        ),
    };
    request.tags.push(Tag {
        key: STEP_TAG.to_owned(),
        value: step_token.clone(),
    });
    let claim = Claim {
        settings,
        family: &prepared.derived.family,
        token: &step_token,
        run: ci.run.clone(),
    };
    let turn = if job.takes_lock() {
        wait_for_turn(clients, &claim, progress, &mut signals).await?
    } else {
        Turn::Ours(None)
    };
    let mut lock = match turn {
        Turn::Ours(lock) => lock,
        Turn::Busy(holder) => {
            outcome.reason = Some(format!(
                "another run of this migration is under way (on_conflict: fail): {holder}"
            ));
            return Ok(outcome);
        }
        Turn::TimedOut(holder) => {
            outcome.status = Status::TimedOut;
            outcome.reason = Some(format!(
                "timed out waiting for another run of this migration: {holder}"
            ));
            return Ok(outcome);
        }
        Turn::Cancelled => {
            outcome.status = Status::Cancelled;
            outcome.reason = Some("cancelled before the task was started".to_owned());
            return Ok(outcome);
        }
    };

    progress.step(format!(
        "starting the {} task in cluster {}",
        job.name(),
        settings.cluster
    ));
    let started_at = Instant::now();
    let started = start_unreported(
        &clients.ecs,
        &request,
        &step_token,
        job.attaches_across_runs(ci),
        progress,
    )
    .await;
    let (task_arn, token) = match started {
        Ok((Started::Task { arn }, token)) => (arn, token),
        Ok((Started::Conflict { earlier }, token)) => {
            release(lock, progress).await;
            return Err(token_conflict(&token, &earlier));
        }
        Ok((Started::Refused(failures), _)) => {
            release(lock, progress).await;
            outcome.reason = Some(format!(
                "ECS could not start the task: {}",
                failures.join("; ")
            ));
            let mut fixes: Vec<String> = failures
                .iter()
                .filter_map(|failure| hints::for_run_task_failure(failure))
                .collect();
            fixes.dedup();
            outcome.hint = (!fixes.is_empty()).then(|| fixes.join("; "));
            return Ok(outcome);
        }
        Err(error) => {
            release(lock, progress).await;
            return Err(error);
        }
    };
    if let Some(lock) = &mut lock
        && let Err(error) = lock.record_task(&task_arn).await
    {
        progress.warn(format!(
            "could not record the task in the migration lock: {error:#}"
        ));
    }
    progress.step(format!("started {task_arn}"));
    outcome.task_arn = Some(task_arn.clone());
    let task_id = links::task_id(&task_arn).to_owned();
    outcome.task_url = Some(links::task_url(
        &clients.region,
        &settings.cluster,
        &task_id,
    ));

    let (sources, warnings) = logs::sources(&prepared.derived.task_definition, &task_id);
    for warning in warnings {
        progress.warn(warning);
    }
    outcome.log_url = sources
        .iter()
        .find(|source| source.container == prepared.derived.container)
        .or(sources.first())
        .map(|source| {
            let region = source.region.as_deref().unwrap_or(&clients.region);
            links::log_stream_url(region, &source.group, &source.stream)
        });
    github.task_started(&outcome, progress).await;
    let mut tails: Vec<LogTail> = sources
        .into_iter()
        .map(|source| LogTail::new(clients, source))
        .collect();

    let options = wait_options(settings, &prepared, ci);
    let mut kept = KeptLog::default();
    progress.group(format!("logs of task {task_id}"));
    let end = wait_for_stop(
        &clients.ecs,
        &task_arn,
        &mut tails,
        progress,
        &mut kept,
        &mut signals,
        &options,
    )
    .await
    .with_context(|| TaskLeftBehind {
        task_arn: task_arn.clone(),
        cluster: settings.cluster.clone(),
    });
    progress.end_group();
    let end = match end {
        Ok(end) => end,
        Err(error) => {
            // The wait lost track of the task: the check run must not stay in progress.
            outcome.reason = Some(format!("{error:#}"));
            github.finish(&outcome, progress).await;
            return Err(error);
        }
    };
    outcome.duration_seconds = Some(started_at.elapsed().as_secs());
    outcome.log_tail = kept.report_tail();
    let ended = matches!(end, WaitEnd::Ended { .. });
    outcome.task_stopped = ended;
    let log = kept.into_lines();
    judge(&mut outcome, &prepared, end, &settings.report, &log);
    job.read_output(settings, &mut outcome, &log);
    // `verify:` runs while the lock is still held: no other migration changes the schema under
    // a check.
    let verified = if *job == Job::Up
        && outcome.status == Status::Succeeded
        && verify::anything_after(settings)
    {
        let verifier = Verifier {
            clients,
            settings,
            prepared: &prepared,
            request: &request,
            options: &options,
            progress,
            migration_token: &token,
        };
        verifier.verify(&mut outcome, &mut signals).await
    } else {
        Ok(())
    };
    // The migration has exited (the task may still be tearing down, which is harmless to the
    // next run): release the lock. A task left running keeps the lock (with its ARN), so the
    // next run waits for it.
    if ended {
        release(lock, progress).await;
    }
    if let Err(error) = verified {
        outcome.reason = Some(format!("{error:#}"));
        github.finish(&outcome, progress).await;
        return Err(error);
    }
    Ok(outcome)
}

fn wait_options(settings: &Settings, prepared: &Prepared, ci: &CiContext) -> WaitOptions {
    WaitOptions {
        cluster: settings.cluster.clone(),
        container: prepared.derived.container.clone(),
        timeout: settings.timeout,
        poll_interval: settings.poll_interval,
        on_cancel: settings.on_cancel,
        max_outage: settings.max_outage,
        log_drain: settings.log_drain,
        stopped_by: ci.run.clone().unwrap_or_else(|| "run by hand".to_owned()),
    }
}

async fn release(lock: Option<Lock>, progress: &Progress) {
    if let Some(lock) = lock
        && let Err(error) = lock.release().await
    {
        progress.warn(format!("could not release the migration lock: {error:#}"));
    }
}

/// Reports and prints the result; returns its exit code.
async fn finish(
    global: &GlobalArgs,
    settings: &Settings,
    progress: &Progress,
    mut outcome: Outcome,
    github: &mut GitHubReport,
) -> u8 {
    // Every result of this migration names its environment, whichever step produced it.
    outcome.environment.clone_from(&settings.environment_name);
    github.finish(&outcome, progress).await;
    progress.finish();
    report::run_finished(settings, &outcome, &|warning| progress.warn(warning)).await;
    match global.output {
        OutputFormat::Json => outln!("{}", outcome.to_json()),
        OutputFormat::Text => out!("{}", outcome.text_block()),
    }
    outcome.status.exit_code()
}
