//! One CI step may run ecs-migrate more than once (`run`, `down`, `run` in one shell step, or in
//! one CodeBuild build), and every run of the step has the step's RunTask token. A task whose
//! result was reported is tagged so when its run ends; the next run of the step then moves on to
//! the next generation of the token instead of attaching to a task that is over and told, while
//! a retry after a crash (nothing reported yet) still attaches to the task it started.

use anyhow::{Result, bail};
use aws_sdk_ecs::types::TaskField;

use crate::aws::errors::AwsResultExt;
use crate::progress::Progress;

use super::launch::{RunTaskRequest, Tag};
use super::start::{Started, start_task, token_conflict};
use super::token::{TOKEN_TAG, derived_token};

/// The tag a task gets once its run has reported its result; the value is when.
pub const REPORTED_TAG: &str = "ecs-migrate:reported";

/// More runs of one step than any workflow makes: past it, something is wrong.
const MOST_GENERATIONS: u32 = 100;

/// Starts `request`'s task with the first generation of `step_token` whose task has not been
/// reported, and returns what RunTask did with the token it used. A generation whose token ECS
/// refuses as used with other settings (ConflictException) is skipped too when every task it
/// started was reported: that was an earlier run of the step with other flags, not a retry.
/// Without `shared` (a token no earlier run can have used) the first RunTask's answer is taken
/// as it is, with no check.
pub async fn start_unreported(
    ecs: &aws_sdk_ecs::Client,
    request: &RunTaskRequest,
    step_token: &str,
    shared: bool,
    progress: &Progress,
) -> Result<(Started, String)> {
    let mut request = request.clone();
    for generation in 0..MOST_GENERATIONS {
        let token = match generation {
            0 => step_token.to_owned(),
            n => derived_token(step_token, &format!("generation {n}")),
        };
        progress.detail(format_args!("RunTask clientToken {token}"));
        request.tags.retain(|tag| tag.key != TOKEN_TAG);
        request.tags.push(Tag {
            key: TOKEN_TAG.to_owned(),
            value: token.clone(),
        });
        let started = start_task(ecs, &request, &token, progress).await?;
        let earlier = match &started {
            Started::Task { arn } => std::slice::from_ref(arn),
            Started::Conflict { earlier } if !earlier.is_empty() => earlier.as_slice(),
            Started::Conflict { earlier } => return Err(token_conflict(&token, earlier)),
            Started::Refused(_) => return Ok((started, token)),
        };
        if !shared || !all_reported(ecs, &request.cluster, earlier, progress).await {
            return match started {
                Started::Conflict { earlier } => Err(token_conflict(&token, &earlier)),
                started => Ok((started, token)),
            };
        }
        progress.detail(format_args!(
            "{} (clientToken {token}) is an earlier run of this step, already reported: taking \
             the next token",
            earlier.join(", ")
        ));
    }
    bail!(
        "this CI step has already started {MOST_GENERATIONS} tasks of this task definition \
         (RunTask token {step_token}); nothing more was started. Re-run the workflow (a new \
         attempt gets new tokens)"
    )
}

/// Marks `task_arn` as reported, so the next run of the same step starts its own task. Only for
/// a task whose migration has exited: a task left running must be attached to, never run beside.
pub async fn mark_reported(ecs: &aws_sdk_ecs::Client, task_arn: &str) -> Result<()> {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    ecs.tag_resource()
        .resource_arn(task_arn)
        .tags(
            aws_sdk_ecs::types::Tag::builder()
                .key(REPORTED_TAG)
                .value(now)
                .build(),
        )
        .send()
        .await
        .step("TagResource")?;
    Ok(())
}

/// Whether every one of `tasks` carries [`REPORTED_TAG`]. A task DescribeTasks does not show
/// (MISSING right after RunTask) is a new one, not reported; so is one that cannot be described
/// (AWS failing after the SDK's retries): following the task we were given is never wrong for a
/// retry, and never leaves a task started and unwatched.
async fn all_reported(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    tasks: &[String],
    progress: &Progress,
) -> bool {
    let described = ecs
        .describe_tasks()
        .cluster(cluster)
        .set_tasks(Some(tasks.to_vec()))
        .include(TaskField::Tags)
        .send()
        .await
        .step("DescribeTasks");
    let described = match described {
        Ok(described) => described,
        Err(error) => {
            progress.warn(format!(
                "could not tell whether {} was reported by an earlier run of this step \
                 ({error:#}); following it",
                tasks.join(", ")
            ));
            return false;
        }
    };
    let reported = described
        .tasks()
        .iter()
        .filter(|task| {
            task.tags()
                .iter()
                .any(|tag| tag.key() == Some(REPORTED_TAG))
        })
        .count();
    reported == tasks.len()
}
