//! `ecs-migrate run`: register → run → wait while streaming logs → evaluate → report.

use std::time::Instant;

use anyhow::{Context, Result};
use aws_sdk_ecs::types::Task;

use crate::aws::Clients;
use crate::ci::CiContext;
use crate::cli::{GlobalArgs, MigrationArgs, OutputFormat};
use crate::config::Settings;
use crate::failure::TaskLeftBehind;
use crate::links;
use crate::logs::{self, LogTail};
use crate::outcome::{Outcome, Status};
use crate::progress::Progress;
use crate::task::evaluate::{ContainerResult, StoppedTask, evaluate};
use crate::task::launch::run_task_request;
use crate::task::{
    Interruption, RecentLines, Signals, Started, WaitEnd, WaitOptions, start_task, wait_for_stop,
};
use crate::taskdef::register_or_reuse;

use super::prepare::{Prepared, migration_container, prepare, resource_tags};
use super::{aws_target, load_settings};

pub async fn run(global: &GlobalArgs, args: &MigrationArgs) -> Result<u8> {
    let settings = load_settings(global, args)?;
    let ci = CiContext::from_env();
    let progress = Progress::new(&ci, global.verbose > 0);
    let mut signals = Signals::install()?;
    let clients = Clients::connect(&aws_target(global)).await?;
    let prepared = prepare(&settings, Some(&clients)).await?;
    let tags = resource_tags(&settings, &ci);

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
    outcome.task_definition_arn = Some(registration.arn.clone());
    let container = migration_container(&prepared);
    outcome.image = container["image"].as_str().map(str::to_owned);
    outcome.command = container["command"].as_array().map(|words| {
        words
            .iter()
            .filter_map(|word| word.as_str().map(str::to_owned))
            .collect()
    });

    let request = run_task_request(
        &settings,
        prepared.service.as_ref(),
        &prepared.derived.task_definition,
        &registration.arn,
        tags,
    )?;
    progress.step(format!(
        "starting the migration task in cluster {}",
        settings.cluster
    ));
    let started_at = Instant::now();
    let task_arn = match start_task(&clients.ecs, &request).await? {
        Started::Task { arn } => arn,
        Started::Refused(failures) => {
            outcome.reason = Some(format!(
                "ECS could not start the task: {}",
                failures.join("; ")
            ));
            return Ok(finish(global, &progress, outcome));
        }
    };
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
    let mut tails: Vec<LogTail> = sources
        .into_iter()
        .map(|source| LogTail::new(&clients, source))
        .collect();

    let options = wait_options(&settings, &ci);
    let mut recent = RecentLines::default();
    let end = wait_for_stop(
        &clients.ecs,
        &task_arn,
        &mut tails,
        &progress,
        &mut recent,
        &mut signals,
        &options,
    )
    .await
    .with_context(|| TaskLeftBehind {
        task_arn: task_arn.clone(),
        cluster: settings.cluster.clone(),
    })?;
    outcome.duration_seconds = Some(started_at.elapsed().as_secs());
    outcome.log_tail = recent.into_vec();
    judge(&mut outcome, &prepared, end);
    Ok(finish(global, &progress, outcome))
}

fn wait_options(settings: &Settings, ci: &CiContext) -> WaitOptions {
    WaitOptions {
        cluster: settings.cluster.clone(),
        timeout: settings.timeout,
        poll_interval: settings.poll_interval,
        on_cancel: settings.on_cancel,
        stopped_by: ci.run.clone().unwrap_or_else(|| "run by hand".to_owned()),
    }
}

/// Fills the outcome from how the wait ended.
fn judge(outcome: &mut Outcome, prepared: &Prepared, end: WaitEnd) {
    let status_for = |interruption: Interruption| match interruption {
        Interruption::TimedOut => Status::TimedOut,
        Interruption::Cancelled => Status::Cancelled,
    };
    match end {
        WaitEnd::LeftRunning { task, interruption } => {
            outcome.status = status_for(interruption);
            outcome.reason = Some(match interruption {
                Interruption::TimedOut => "timed out; the task was left running".to_owned(),
                Interruption::Cancelled => "cancelled; the task was left running".to_owned(),
            });
            if let Some(task) = task {
                record_task_times(outcome, &task);
            }
        }
        WaitEnd::Stopped { task, interrupted } => {
            outcome.stop_code = task.stop_code().map(|code| code.as_str().to_owned());
            outcome.stopped_reason = task.stopped_reason().map(str::to_owned);
            record_task_times(outcome, &task);
            let verdict = evaluate(&stopped_task(&task, prepared), &prepared.derived.container);
            outcome.exit_code = verdict.exit_code;
            match interrupted {
                Some(interruption) => {
                    outcome.status = status_for(interruption);
                    outcome.reason = Some(match interruption {
                        Interruption::TimedOut => "timed out; the task was stopped".to_owned(),
                        Interruption::Cancelled => "cancelled; the task was stopped".to_owned(),
                    });
                }
                None => {
                    outcome.status = if verdict.succeeded {
                        Status::Succeeded
                    } else {
                        Status::Failed
                    };
                    outcome.reason = verdict.reason;
                }
            }
        }
    }
}

/// The task's own run time, from ECS's timestamps, when it has them.
fn record_task_times(outcome: &mut Outcome, task: &Task) {
    if let (Some(created), Some(stopped)) = (task.created_at(), task.stopped_at()) {
        let seconds = stopped.secs() - created.secs();
        if let Ok(seconds) = u64::try_from(seconds) {
            outcome.duration_seconds = Some(seconds);
        }
    }
}

fn stopped_task(task: &Task, prepared: &Prepared) -> StoppedTask {
    let definitions = prepared.derived.task_definition["containerDefinitions"].as_array();
    let essential = |name: &str| {
        definitions
            .into_iter()
            .flatten()
            .find(|definition| definition["name"] == name)
            .is_none_or(|definition| definition["essential"] != false)
    };
    StoppedTask {
        stop_code: task.stop_code().map(|code| code.as_str().to_owned()),
        stopped_reason: task.stopped_reason().map(str::to_owned),
        containers: task
            .containers()
            .iter()
            .map(|container| {
                let name = container.name().unwrap_or_default().to_owned();
                ContainerResult {
                    essential: essential(&name),
                    exit_code: container.exit_code(),
                    reason: container.reason().map(str::to_owned),
                    name,
                }
            })
            .collect(),
    }
}

/// Prints the result and returns its exit code.
fn finish(global: &GlobalArgs, progress: &Progress, outcome: Outcome) -> u8 {
    progress.finish();
    match global.output {
        OutputFormat::Json => println!("{}", outcome.to_json()),
        OutputFormat::Text => print!("{}", outcome.text_block()),
    }
    outcome.status.exit_code()
}
