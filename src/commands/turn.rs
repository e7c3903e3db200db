//! Before RunTask: wait for our turn. Another run of the same migration may hold the lock, or a
//! task of the family may be running that ecs-migrate did not start; `on_conflict` says whether
//! to wait for them (bounded by `timeout`) or fail.

use std::time::{Duration, Instant};

use anyhow::Result;
use aws_sdk_ecs::types::{DesiredStatus, TaskField};

use crate::aws::Clients;
use crate::aws::errors::AwsResultExt;
use crate::config::{OnConflict, Settings};
use crate::lock::{self, Attempt, Holder, HolderTask, Lock};
use crate::progress::Progress;
use crate::task::Signals;
use crate::task::token::STEP_TAG;

pub enum Turn {
    /// Go ahead; `None` when SSM refused the lock and we run with the ListTasks check only.
    Ours(Option<Lock>),
    /// `on_conflict: fail` and someone else is running.
    Busy(String),
    TimedOut(String),
    Cancelled,
}

pub struct Claim<'a> {
    pub settings: &'a Settings,
    pub family: &'a str,
    pub token: &'a str,
    pub run: Option<String>,
}

pub async fn wait_for_turn(
    clients: &Clients,
    claim: &Claim<'_>,
    progress: &Progress,
    signals: &mut Signals,
) -> Result<Turn> {
    let settings = claim.settings;
    let name = lock::parameter_name(
        &settings.cluster,
        claim.family,
        settings.environment_name.as_deref(),
    );
    let holder = Holder {
        token: claim.token.to_owned(),
        run: claim.run.clone(),
        task: None,
        started: None,
        expires: lock::now() + lock::lifetime(settings.timeout).as_secs(),
    };
    let deadline = Instant::now() + settings.timeout;
    let mut announced: Option<String> = None;
    loop {
        let blocker = match lock::try_take(&clients.ssm, &name, &holder).await? {
            Attempt::Taken(lock) => match foreign_task(clients, claim).await? {
                None => return Ok(Turn::Ours(Some(lock))),
                Some(task) => {
                    lock.release().await?;
                    format!("task {task} of this family, started without ecs-migrate's lock")
                }
            },
            Attempt::NotPermitted(why) => {
                progress.warn(format!(
                    "cannot take the migration lock {name} ({why}); grant ssm:PutParameter, \
                     ssm:GetParameter and ssm:DeleteParameter on it. Checking running tasks only"
                ));
                match foreign_task(clients, claim).await? {
                    None => return Ok(Turn::Ours(None)),
                    Some(task) => format!("task {task} of this family"),
                }
            }
            Attempt::HeldBy(current) => {
                if current.expired() || holder_done(clients, settings, &current, progress).await? {
                    progress.step(format!(
                        "taking over a stale lock from {}",
                        current.describe()
                    ));
                    lock::break_stale(&clients.ssm, &name).await?;
                    continue;
                }
                current.describe()
            }
        };
        if settings.on_conflict == OnConflict::Fail {
            return Ok(Turn::Busy(blocker));
        }
        if announced.as_ref() != Some(&blocker) {
            progress.step(format!(
                "another run of this migration is under way: {blocker}; waiting (on_conflict: wait)"
            ));
            announced = Some(blocker.clone());
        }
        let pause = settings
            .poll_interval
            .unwrap_or(Duration::from_secs(2))
            .min(Duration::from_secs(10));
        tokio::select! {
            biased;
            () = signals.received() => return Ok(Turn::Cancelled),
            () = tokio::time::sleep_until(deadline.into()) => return Ok(Turn::TimedOut(blocker)),
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// A PENDING or RUNNING task of the family that no run of this CI step (by its step token)
/// started.
async fn foreign_task(clients: &Clients, claim: &Claim<'_>) -> Result<Option<String>> {
    let listed = clients
        .ecs
        .list_tasks()
        .cluster(&claim.settings.cluster)
        .family(claim.family)
        .desired_status(DesiredStatus::Running)
        .send()
        .await
        .step("ListTasks")?;
    if listed.task_arns().is_empty() {
        return Ok(None);
    }
    let described = clients
        .ecs
        .describe_tasks()
        .cluster(&claim.settings.cluster)
        .set_tasks(Some(listed.task_arns().to_vec()))
        .include(TaskField::Tags)
        .send()
        .await
        .step("DescribeTasks")?;
    let ours = |task: &aws_sdk_ecs::types::Task| {
        task.tags()
            .iter()
            .any(|tag| tag.key() == Some(STEP_TAG) && tag.value() == Some(claim.token))
    };
    let running = described
        .tasks()
        .iter()
        .find(|task| !ours(task) && task.last_status() != Some("STOPPED"))
        .and_then(|task| task.task_arn().map(str::to_owned));
    // ListTasks listed it as running but DescribeTasks does not show it yet (MISSING right
    // after RunTask): whose it is cannot be told, and ours is not started yet, so it is not ours.
    let unseen = described
        .failures()
        .iter()
        .find_map(|failure| failure.arn().map(str::to_owned));
    Ok(running.or(unseen))
}

/// Whether the holder's task has ended, which makes its lock stale. A task DescribeTasks calls
/// MISSING shortly after it was started is still starting (`Holder::task_over`).
async fn holder_done(
    clients: &Clients,
    settings: &Settings,
    holder: &Holder,
    progress: &Progress,
) -> Result<bool> {
    let Some(task) = &holder.task else {
        return Ok(false);
    };
    let described = clients
        .ecs
        .describe_tasks()
        .cluster(&settings.cluster)
        .tasks(task)
        .send()
        .await
        .step("DescribeTasks")?;
    let seen = match described.tasks().first() {
        Some(found) if found.last_status() == Some("STOPPED") => HolderTask::Stopped,
        Some(_) => HolderTask::Alive,
        None => HolderTask::Missing,
    };
    let over = holder.task_over(seen, lock::now());
    if seen == HolderTask::Missing && !over {
        progress.detail(format_args!(
            "the lock holder's task {task} is MISSING in DescribeTasks; it was started moments \
             ago (ECS is eventually consistent), so it counts as running"
        ));
    }
    Ok(over)
}
