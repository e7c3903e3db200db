//! Sends RunTask. ECS reports placement problems as `failures[]` in a 200 answer, which is a
//! failed start, not an AWS error. A lost answer (a timeout, a dropped connection, a 5xx after the
//! SDK's retries) may still have started the task: RunTask is sent again with the same
//! `clientToken` (ECS answers with the task it already started, never a second one), and the task
//! is looked for by its token tag before giving up, so it is never left running unreported.

use std::time::Duration;

use anyhow::{Context, Result};
use aws_sdk_ecs::operation::run_task::{RunTaskError, RunTaskOutput};
use aws_smithy_runtime_api::client::result::SdkError;

use crate::aws::errors::{AwsResultExt, may_have_taken_effect};
use crate::aws::raw_json::ReplaceRequestBody;
use crate::failure::usage;
use crate::progress::Progress;

use super::launch::RunTaskRequest;
use super::recover::find_by_token;

#[derive(Debug)]
pub enum Started {
    Task {
        arn: String,
    },
    /// ECS could not start the task; one line per failure, e.g. `RESOURCE:MEMORY (arn)`.
    Refused(Vec<String>),
    /// ECS's ConflictException: the token was used in the last 24 hours with other parameters,
    /// by the tasks named (when ECS names them). Nothing was started.
    Conflict {
        earlier: Vec<String>,
    },
}

/// How often RunTask is sent (each time with the SDK's own retries) while its answer is lost.
const ROUNDS: u32 = 3;

/// Sends RunTask with `client_token`, so a repeated request (the SDK's own retries, ours after a
/// lost answer, or a retried CI step with the same token) gets the task already started instead
/// of a second one.
pub async fn start_task(
    ecs: &aws_sdk_ecs::Client,
    request: &RunTaskRequest,
    client_token: &str,
    progress: &Progress,
) -> Result<Started> {
    let mut round = 1;
    loop {
        let error = match send(ecs, request, client_token).await {
            Ok(answer) => return Ok(read(&answer)),
            Err(error) => error,
        };
        if let SdkError::ServiceError(service) = &error
            && let RunTaskError::ConflictException(conflict) = service.err()
        {
            return Ok(Started::Conflict {
                earlier: conflict.resource_ids().to_vec(),
            });
        }
        if !may_have_taken_effect(&error) {
            return Err(error).step("RunTask");
        }
        let lost = Err::<(), _>(error).step("RunTask").unwrap_err();
        progress.warn(format!(
            "{lost:#}: the task may have started anyway; looking for it by its clientToken"
        ));
        let cluster = &request.cluster;
        match find_by_token(ecs, cluster, &request.task_definition, client_token).await {
            Ok(Some(arn)) => {
                progress.warn(format!(
                    "RunTask's answer was lost, but it started {arn} (tagged with this run's \
                     clientToken): following that task"
                ));
                return Ok(Started::Task { arn });
            }
            Ok(None) if round < ROUNDS => {}
            Ok(None) => {
                return Err(lost).context(format!(
                    "RunTask failed {ROUNDS} times and no task tagged with clientToken \
                     {client_token} exists in cluster {cluster}: none was started"
                ));
            }
            Err(search) => {
                return Err(lost).context(format!(
                    "a task may have been started and could not be looked for ({search:#}); \
                     check with: aws ecs list-tasks --cluster {cluster} --started-by {}",
                    request.started_by
                ));
            }
        }
        tokio::time::sleep(Duration::from_secs(2u64.pow(round))).await;
        round += 1;
    }
}

async fn send(
    ecs: &aws_sdk_ecs::Client,
    request: &RunTaskRequest,
    client_token: &str,
) -> Result<RunTaskOutput, SdkError<RunTaskError, aws_smithy_runtime_api::http::Response>> {
    let mut body = serde_json::to_value(request).expect("a RunTask request always serializes");
    body["clientToken"] = client_token.into();
    ecs.run_task()
        .task_definition(&request.task_definition)
        .customize()
        .interceptor(ReplaceRequestBody::new(&body))
        .send()
        .await
}

/// The usage error (exit 2) of a [`Started::Conflict`] for `token`.
pub fn token_conflict(token: &str, earlier: &[String]) -> anyhow::Error {
    usage(conflict_message(token, earlier))
}

fn conflict_message(token: &str, earlier: &[String]) -> String {
    let tasks = if earlier.is_empty() {
        String::new()
    } else {
        format!(" (it started {})", earlier.join(", "))
    };
    format!(
        "RunTask refused clientToken {token}: ECS already ran a task with this token and other \
         parameters within the last 24 hours{tasks}. The token comes from the task definition \
         revision, the commit, the CI run attempt and its step, so this is a retried try of the \
         same step whose RunTask settings (network, overrides, launch type, tags...) changed \
         since. Nothing was started. Re-run the whole workflow (a new attempt gets a new token), \
         or restore the settings the first try used"
    )
}

fn read(answer: &RunTaskOutput) -> Started {
    if let Some(arn) = answer.tasks().first().and_then(|task| task.task_arn()) {
        return Started::Task {
            arn: arn.to_owned(),
        };
    }
    let failures: Vec<String> = answer
        .failures()
        .iter()
        .map(|failure| {
            let mut line = failure.reason().unwrap_or("unknown reason").to_owned();
            if let Some(detail) = failure.detail() {
                line.push_str(&format!(": {detail}"));
            }
            if let Some(arn) = failure.arn() {
                line.push_str(&format!(" ({arn})"));
            }
            line
        })
        .collect();
    if failures.is_empty() {
        return Started::Refused(vec![
            "RunTask answered with neither a task nor a failure".to_owned(),
        ]);
    }
    Started::Refused(failures)
}
