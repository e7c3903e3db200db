//! Registers the derived migration task definition only when it differs from the family's
//! latest ACTIVE revision, so re-runs do not pile up identical revisions.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::aws::errors::AwsResultExt;
use crate::aws::raw_json::{CaptureResponseBody, ReplaceRequestBody};

use super::normalise::same_definition;
use super::source::describe_task_definition;

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
    if let Some(latest) = describe_task_definition(ecs, family).await?
        && same_definition(derived, &latest)
    {
        let arn = latest["taskDefinitionArn"]
            .as_str()
            .context("DescribeTaskDefinition answered without a taskDefinitionArn")?;
        return Ok(Registration {
            arn: arn.to_owned(),
            reused: true,
        });
    }

    let mut body = derived.clone();
    if !tags.is_empty() {
        body["tags"] = tags
            .iter()
            .map(|(key, value)| json!({ "key": key, "value": value }))
            .collect();
    }
    let capture = CaptureResponseBody::default();
    // The typed input only satisfies the builder's required fields; the body sent is `body`.
    ecs.register_task_definition()
        .family(family)
        .customize()
        .interceptor(ReplaceRequestBody::new(&body))
        .interceptor(capture.clone())
        .send()
        .await
        .step(&format!("RegisterTaskDefinition {family}"))?;
    let answer = capture
        .json()?
        .context("RegisterTaskDefinition returned no body")?;
    let arn = answer["taskDefinition"]["taskDefinitionArn"]
        .as_str()
        .context("RegisterTaskDefinition answered without a taskDefinitionArn")?;
    Ok(Registration {
        arn: arn.to_owned(),
        reused: false,
    })
}
