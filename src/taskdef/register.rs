//! Registers the derived migration task definition only when it differs from the family's
//! latest ACTIVE revision, so re-runs (and retries after a lost answer) do not pile up identical
//! revisions.

use std::time::Duration;

use anyhow::{Context, Result};
use aws_sdk_ecs::config::retry::RetryConfig;
use serde_json::{Value, json};

use crate::aws::errors::{AwsResultExt, may_have_taken_effect};
use crate::aws::raw_json::{CaptureResponseBody, ReplaceRequestBody};

use super::normalise::same_definition;
use super::source::describe_task_definition;

/// RegisterTaskDefinition attempts while its answers are lost or AWS fails (as the SDK's 5).
const ATTEMPTS: u32 = 5;

#[derive(Debug, Clone)]
pub struct Registration {
    pub arn: String,
    /// True when the latest revision already matched and nothing was registered.
    pub reused: bool,
}

pub async fn register_or_reuse(
    ecs: &aws_sdk_ecs::Client,
    derived: &Value,
    family: &str,
    tags: &[(String, String)],
) -> Result<Registration> {
    if let Some(arn) = latest_if_same(ecs, derived, family).await? {
        return Ok(Registration { arn, reused: true });
    }

    let mut body = derived.clone();
    if !tags.is_empty() {
        body["tags"] = tags
            .iter()
            .map(|(key, value)| json!({ "key": key, "value": value }))
            .collect();
    }
    let mut attempt = 1;
    loop {
        let capture = CaptureResponseBody::default();
        // The typed input only satisfies the builder's required fields; the body sent is `body`.
        // Registering is not idempotent: the SDK's own retry after a lost answer would add a
        // second, identical revision, so the retries are ours, each after a look at the latest.
        let sent = ecs
            .register_task_definition()
            .family(family)
            .customize()
            .config_override(
                aws_sdk_ecs::config::Builder::default().retry_config(RetryConfig::disabled()),
            )
            .interceptor(ReplaceRequestBody::new(&body))
            .interceptor(capture.clone())
            .send()
            .await;
        match sent {
            Ok(_) => {
                let answer = capture
                    .json()?
                    .context("RegisterTaskDefinition returned no body")?;
                let arn = answer["taskDefinition"]["taskDefinitionArn"]
                    .as_str()
                    .context("RegisterTaskDefinition answered without a taskDefinitionArn")?;
                return Ok(Registration {
                    arn: arn.to_owned(),
                    reused: false,
                });
            }
            Err(error) if attempt < ATTEMPTS && may_have_taken_effect(&error) => {
                tokio::time::sleep(Duration::from_secs(1 << (attempt - 1))).await;
                // The answer was lost or AWS failed: the revision may exist all the same. A look
                // that fails too just means registering again.
                if let Ok(Some(arn)) = latest_if_same(ecs, derived, family).await {
                    return Ok(Registration { arn, reused: false });
                }
                attempt += 1;
            }
            Err(error) => {
                return Err(error).step(&format!("RegisterTaskDefinition {family}"));
            }
        }
    }
}

/// The family's latest ACTIVE revision when it is the same definition as `derived`.
async fn latest_if_same(
    ecs: &aws_sdk_ecs::Client,
    derived: &Value,
    family: &str,
) -> Result<Option<String>> {
    let Some(latest) = describe_task_definition(ecs, family).await? else {
        return Ok(None);
    };
    if !same_definition(derived, &latest) {
        return Ok(None);
    }
    let arn = latest["taskDefinitionArn"]
        .as_str()
        .context("DescribeTaskDefinition answered without a taskDefinitionArn")?;
    Ok(Some(arn.to_owned()))
}
