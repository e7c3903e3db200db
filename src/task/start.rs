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
use crate::ci::CiContext;
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
            return Err(usage(conflict_message(
                client_token,
                conflict.resource_ids(),
            )));
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

/// ECS's ConflictException: the token was used in the last 24 hours with other parameters.
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

/// The RunTask idempotency token of a task that a later try may attach to. In CI it is derived
/// from the task definition revision, the commit, the CI run, its attempt and (Actions) the step,
/// so a retried try of the same step attaches to the task it already started, while another step
/// (a `run` after a `down`, say) or another command (another revision) starts its own; elsewhere
/// it is unique to this invocation. An `environment` is part of the identity and is shown in the
/// token (`ecs-migrate-staging-…`): staging and production runs of one commit are two tasks even
/// when they share a cluster and a revision.
pub fn client_token(
    task_definition_arn: &str,
    environment: Option<&str>,
    ci: &CiContext,
) -> String {
    let identity = match (&ci.commit, &ci.run) {
        (Some(commit), Some(run)) => {
            let attempt = ci.attempt.as_deref().unwrap_or("1");
            let mut identity = format!("{task_definition_arn}\n{commit}\n{run}\n{attempt}");
            if let Some(step) = &ci.step {
                identity.push_str(&format!("\nstep {step}"));
            }
            identity
        }
        _ => invocation_identity(task_definition_arn),
    };
    token_of(identity, environment)
}

/// A RunTask token unique to this invocation, for a task no later invocation may attach to: a
/// status must say what the database is now, not what an earlier status of the same step saw.
/// Within the invocation it still keeps a lost RunTask answer from starting a second task.
pub fn invocation_client_token(task_definition_arn: &str, environment: Option<&str>) -> String {
    token_of(invocation_identity(task_definition_arn), environment)
}

fn invocation_identity(task_definition_arn: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};

    // Two tokens asked for within one clock tick still differ.
    static ASKED: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    let asked = ASKED.fetch_add(1, Ordering::Relaxed);
    format!(
        "{task_definition_arn}\n{}\n{nanos}\n{asked}",
        std::process::id()
    )
}

fn token_of(mut identity: String, environment: Option<&str>) -> String {
    use sha2::{Digest, Sha256};

    let prefix = match environment {
        Some(environment) => {
            identity.push_str(&format!("\nenvironment {environment}"));
            format!("ecs-migrate-{environment}-")
        }
        None => "ecs-migrate-".to_owned(),
    };
    let digest = Sha256::digest(identity.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    // RunTask takes at most 64 characters; an environment name has at most 32, which leaves at
    // least 19 hex digits (76 bits) of digest.
    let digits = RUN_TASK_TOKEN_LIMIT.saturating_sub(prefix.len()).min(40);
    format!("{prefix}{}", &hex[..digits])
}

/// The longest `clientToken` RunTask accepts.
const RUN_TASK_TOKEN_LIMIT: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::Runner;

    fn ci(run: &str, attempt: &str) -> CiContext {
        CiContext {
            runner: Runner::GitHubActions,
            commit: Some("abc123".into()),
            run: Some(run.into()),
            attempt: Some(attempt.into()),
            step: Some("migrate/__run".into()),
        }
    }

    #[test]
    fn a_retried_step_of_the_same_attempt_gets_the_same_token() {
        assert_eq!(
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
                None,
                &ci("r1", "1")
            ),
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
                None,
                &ci("r1", "1")
            )
        );
    }

    #[test]
    fn another_attempt_run_or_revision_gets_another_token() {
        let first = client_token(
            "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
            None,
            &ci("r1", "1"),
        );
        assert_ne!(
            first,
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
                None,
                &ci("r1", "2")
            )
        );
        assert_ne!(
            first,
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
                None,
                &ci("r2", "1")
            )
        );
        assert_ne!(
            first,
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:8",
                None,
                &ci("r1", "1")
            )
        );
    }

    #[test]
    fn tokens_fit_runtask_limit() {
        assert!(client_token("f".repeat(255).as_str(), None, &ci("r", "1")).len() <= 64);
        let longest = "e".repeat(32);
        let token = client_token("f".repeat(255).as_str(), Some(&longest), &ci("r", "1"));
        assert_eq!(token.len(), 64, "{token}");
    }

    #[test]
    fn the_environment_is_shown_in_the_token_and_changes_it() {
        let arn = "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7";
        let plain = client_token(arn, None, &ci("r1", "1"));
        let staging = client_token(arn, Some("staging"), &ci("r1", "1"));
        let production = client_token(arn, Some("production"), &ci("r1", "1"));
        assert!(
            plain.starts_with("ecs-migrate-") && plain.len() == 52,
            "{plain}"
        );
        assert!(staging.starts_with("ecs-migrate-staging-"), "{staging}");
        assert!(
            production.starts_with("ecs-migrate-production-"),
            "{production}"
        );
        assert_eq!(staging, client_token(arn, Some("staging"), &ci("r1", "1")));
        // Not only the prefix: the digest differs too.
        assert_ne!(
            &staging["ecs-migrate-staging-".len()..],
            &plain["ecs-migrate-".len()..]
        );
    }

    #[test]
    fn another_step_of_the_same_attempt_gets_another_token() {
        let arn = "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7";
        let later = CiContext {
            step: Some("migrate/__run_2".into()),
            ..ci("r1", "1")
        };
        assert_ne!(
            client_token(arn, None, &ci("r1", "1")),
            client_token(arn, None, &later)
        );
    }

    #[test]
    fn an_invocation_token_is_never_given_twice() {
        let arn = "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7";
        let first = invocation_client_token(arn, Some("staging"));
        assert!(first.starts_with("ecs-migrate-staging-"), "{first}");
        assert_ne!(first, invocation_client_token(arn, Some("staging")));
    }
}
