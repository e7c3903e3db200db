//! One migration at a time per cluster and family. ECS has no atomic "run if none is running",
//! so the lock is an SSM parameter created with `Overwrite=false` (which fails when it exists):
//! of two runs started together exactly one creates it. The holder records its RunTask token
//! and, once started, its task, so a waiting run can tell a live holder from a stale one, and a
//! retried CI step (same token) takes its own lock back instead of waiting for itself.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::aws::errors::{AwsResultExt, error_code};

/// Where the lock of a migration lives: one per cluster and family, and per environment when one
/// was chosen (a family never contains `/`, so the two forms cannot meet).
pub fn parameter_name(cluster: &str, family: &str, environment: Option<&str>) -> String {
    match environment {
        Some(environment) => format!("/ecs-migrate/locks/{cluster}/{family}/{environment}"),
        None => format!("/ecs-migrate/locks/{cluster}/{family}"),
    }
}

/// What the lock parameter says about its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// The holder's RunTask client token.
    pub token: String,
    /// Its CI run, for people.
    pub run: Option<String>,
    /// Its task, once started.
    pub task: Option<String>,
    /// Epoch seconds when the task was recorded (just after RunTask answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<u64>,
    /// Epoch seconds after which the lock is stale whatever its task does.
    pub expires: u64,
}

impl Holder {
    pub fn describe(&self) -> String {
        let who = self.run.as_deref().unwrap_or("a run outside CI");
        match &self.task {
            Some(task) => format!("{who} (task {task})"),
            None => format!("{who} (starting its task)"),
        }
    }

    pub fn expired(&self) -> bool {
        now() > self.expires
    }

    /// Whether the holder's task, as DescribeTasks shows it `now`, has ended, which makes the lock
    /// stale. MISSING is not the end while the task is young: ECS's API is eventually consistent
    /// and may not show a task for a while after RunTask. Only past `MISSING_GRACE` (or for a
    /// lock past its expiry) is a MISSING task gone.
    pub fn task_over(&self, seen: HolderTask, now: u64) -> bool {
        match seen {
            HolderTask::Stopped => true,
            HolderTask::Alive => false,
            HolderTask::Missing => self
                .started
                .is_some_and(|started| now >= started + MISSING_GRACE.as_secs()),
        }
    }
}

/// How long after RunTask a task DescribeTasks calls MISSING may still be starting: ECS's
/// eventual consistency lasts seconds; STOPPED tasks stay visible for at least an hour.
pub const MISSING_GRACE: Duration = Duration::from_secs(180);

/// The lock holder's task as DescribeTasks showed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderTask {
    Alive,
    Stopped,
    /// In `failures[]` as MISSING (or absent): not visible yet, or long gone.
    Missing,
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The answer to one attempt at taking the lock.
#[derive(Debug)]
pub enum Attempt {
    Taken(Lock),
    HeldBy(Holder),
    /// SSM refused us (no `ssm:PutParameter`): run without the lock, with a warning.
    NotPermitted(String),
}

/// A lock we hold.
#[derive(Debug)]
pub struct Lock {
    ssm: aws_sdk_ssm::Client,
    name: String,
    holder: Holder,
}

/// Tries once to take the lock as `holder`; a lock already held with our own token is ours.
pub async fn try_take(ssm: &aws_sdk_ssm::Client, name: &str, holder: &Holder) -> Result<Attempt> {
    let created = put(ssm, name, holder, false).await;
    match created {
        Ok(()) => {}
        Err(error) if error_code(&error) == Some("ParameterAlreadyExists") => {
            let Some(current) = read(ssm, name).await? else {
                // Released between our put and our read: try again next round.
                return Ok(Attempt::HeldBy(holder.clone()));
            };
            if current.token != holder.token {
                return Ok(Attempt::HeldBy(current));
            }
        }
        Err(error) if crate::aws::errors::is_access_denied(&error) => {
            return Ok(Attempt::NotPermitted(crate::aws::errors::describe(&error)));
        }
        Err(error) => return Err(error).step(&format!("PutParameter {name}")),
    }
    Ok(Attempt::Taken(Lock {
        ssm: ssm.clone(),
        name: name.to_owned(),
        holder: holder.clone(),
    }))
}

/// Removes a stale lock so the next attempt can take it.
pub async fn break_stale(ssm: &aws_sdk_ssm::Client, name: &str) -> Result<()> {
    let deleted = ssm.delete_parameter().name(name).send().await;
    match deleted {
        Err(error) if error_code(&error) == Some("ParameterNotFound") => Ok(()),
        other => other.map(|_| ()).step(&format!("DeleteParameter {name}")),
    }
}

impl Lock {
    /// Records the task we started, so waiting runs can see whether it is still alive.
    pub async fn record_task(&mut self, task_arn: &str) -> Result<()> {
        self.holder.task = Some(task_arn.to_owned());
        self.holder.started = Some(now());
        put(&self.ssm, &self.name, &self.holder, true)
            .await
            .step(&format!("PutParameter {}", self.name))
    }

    /// Releases the lock if it is still ours.
    pub async fn release(self) -> Result<()> {
        match read(&self.ssm, &self.name).await? {
            Some(current) if current.token == self.holder.token => {
                break_stale(&self.ssm, &self.name).await
            }
            _ => Ok(()),
        }
    }
}

async fn put(
    ssm: &aws_sdk_ssm::Client,
    name: &str,
    holder: &Holder,
    overwrite: bool,
) -> Result<
    (),
    aws_sdk_ssm::error::SdkError<aws_sdk_ssm::operation::put_parameter::PutParameterError>,
> {
    let value = serde_json::to_string(holder).expect("a holder always serializes");
    ssm.put_parameter()
        .name(name)
        .value(value)
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .overwrite(overwrite)
        .description("ecs-migrate: a migration of this family is running")
        .send()
        .await
        .map(|_| ())
}

async fn read(ssm: &aws_sdk_ssm::Client, name: &str) -> Result<Option<Holder>> {
    let answer = ssm.get_parameter().name(name).send().await;
    if let Err(error) = &answer
        && error_code(error) == Some("ParameterNotFound")
    {
        return Ok(None);
    }
    let answer = answer.step(&format!("GetParameter {name}"))?;
    let value = answer
        .parameter()
        .and_then(|parameter| parameter.value())
        .unwrap_or_default();
    let holder = serde_json::from_str(value)
        .with_context(|| format!("{name} does not hold an ecs-migrate lock: {value:?}"))?;
    Ok(Some(holder))
}

#[cfg(test)]
#[path = "lock_tests.rs"]
mod tests;

/// How long a lock lives without its holder refreshing it: the wait's own timeout plus a margin
/// for registering and starting the task.
pub fn lifetime(timeout: Duration) -> Duration {
    timeout + Duration::from_secs(15 * 60)
}
