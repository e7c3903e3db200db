//! Sends RunTask. ECS reports placement problems as `failures[]` in a 200 answer, which is a
//! failed start, not an AWS error.

use anyhow::Result;

use crate::aws::errors::AwsResultExt;
use crate::aws::raw_json::ReplaceRequestBody;

use super::launch::RunTaskRequest;

#[derive(Debug)]
pub enum Started {
    Task {
        arn: String,
    },
    /// ECS could not start the task; one line per failure, e.g. `RESOURCE:MEMORY (arn)`.
    Refused(Vec<String>),
}

pub async fn start_task(ecs: &aws_sdk_ecs::Client, request: &RunTaskRequest) -> Result<Started> {
    let mut body = serde_json::to_value(request)?;
    // One token per invocation: the SDK's own retries of this call then cannot start a second task.
    body["clientToken"] = client_token().into();
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

fn client_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    format!("ecs-migrate-{}-{nanos}", std::process::id())
}
