//! Sends RunTask. ECS reports placement problems as `failures[]` in a 200 answer, which is a
//! failed start, not an AWS error.

use anyhow::Result;

use crate::aws::errors::AwsResultExt;
use crate::aws::raw_json::ReplaceRequestBody;
use crate::ci::CiContext;

use super::launch::RunTaskRequest;

#[derive(Debug)]
pub enum Started {
    Task {
        arn: String,
    },
    /// ECS could not start the task; one line per failure, e.g. `RESOURCE:MEMORY (arn)`.
    Refused(Vec<String>),
}

/// Sends RunTask with `client_token`, so a repeated request (the SDK's own retries, or a retried
/// CI step with the same token) gets the task already started instead of a second one.
pub async fn start_task(
    ecs: &aws_sdk_ecs::Client,
    request: &RunTaskRequest,
    client_token: &str,
) -> Result<Started> {
    let mut body = serde_json::to_value(request)?;
    body["clientToken"] = client_token.into();
    let answer = ecs
        .run_task()
        .task_definition(&request.task_definition)
        .customize()
        .interceptor(ReplaceRequestBody::new(&body))
        .send()
        .await
        .step("RunTask")?;
    if let Some(arn) = answer.tasks().first().and_then(|task| task.task_arn()) {
        return Ok(Started::Task {
            arn: arn.to_owned(),
        });
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
        return Ok(Started::Refused(vec![
            "RunTask answered with neither a task nor a failure".to_owned(),
        ]));
    }
    Ok(Started::Refused(failures))
}

/// The RunTask idempotency token. In CI it is derived from the task definition revision, the
/// commit, the CI run and its attempt, so a retried step of the same attempt attaches to the task
/// it already started, while another step running another command (another revision) starts its
/// own; elsewhere it is unique to this invocation.
pub fn client_token(task_definition_arn: &str, ci: &CiContext) -> String {
    use sha2::{Digest, Sha256};

    let identity = match (&ci.commit, &ci.run) {
        (Some(commit), Some(run)) => format!(
            "{task_definition_arn}\n{commit}\n{run}\n{}",
            ci.attempt.as_deref().unwrap_or("1")
        ),
        _ => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|elapsed| elapsed.as_nanos())
                .unwrap_or_default();
            format!("{task_definition_arn}\n{}\n{nanos}", std::process::id())
        }
    };
    let digest = Sha256::digest(identity.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    // RunTask takes at most 64 characters.
    format!("ecs-migrate-{}", &hex[..40])
}

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
        }
    }

    #[test]
    fn a_retried_step_of_the_same_attempt_gets_the_same_token() {
        assert_eq!(
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
                &ci("r1", "1")
            ),
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
                &ci("r1", "1")
            )
        );
    }

    #[test]
    fn another_attempt_run_or_revision_gets_another_token() {
        let first = client_token(
            "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
            &ci("r1", "1"),
        );
        assert_ne!(
            first,
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
                &ci("r1", "2")
            )
        );
        assert_ne!(
            first,
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:7",
                &ci("r2", "1")
            )
        );
        assert_ne!(
            first,
            client_token(
                "arn:aws:ecs:eu-west-1:1:task-definition/app-migrate:8",
                &ci("r1", "1")
            )
        );
    }

    #[test]
    fn tokens_fit_runtask_limit() {
        assert!(client_token("f".repeat(255).as_str(), &ci("r", "1")).len() <= 64);
    }
}
