//! Reads a base task definition from a JSON/YAML file or from ECS, as the raw document.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::aws::errors::{AwsResultExt, error_code};
use crate::aws::raw_json::CaptureResponseBody;
use crate::failure::usage;

use super::derive::unwrap_document;

/// A task definition file: bare, or wrapped as `aws ecs describe-task-definition` prints it.
pub fn read_file(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        usage(format!(
            "cannot read task definition file {}: {error}",
            path.display()
        ))
    })?;
    let is_yaml = matches!(
        path.extension().and_then(|ext| ext.to_str()),
        Some("yml" | "yaml")
    );
    let document: Value = if is_yaml {
        serde_yaml::from_str(&text).map_err(|error| {
            usage(format!(
                "{}: not a valid YAML task definition: {error}",
                path.display()
            ))
        })?
    } else {
        serde_json::from_str(&text).map_err(|error| {
            usage(format!(
                "{}:{}: not a valid JSON task definition: {error}",
                path.display(),
                error.line()
            ))
        })?
    };
    let document = unwrap_document(document);
    if !document.is_object() || document.get("containerDefinitions").is_none() {
        return Err(usage(format!(
            "{}: no `containerDefinitions` found; expected a task definition as \
             `aws ecs describe-task-definition` prints it (bare or under \"taskDefinition\")",
            path.display()
        )));
    }
    Ok(document)
}

/// Describes `name` (family, family:revision or ARN); `Ok(None)` when ECS has no such definition.
pub async fn describe_task_definition(
    ecs: &aws_sdk_ecs::Client,
    name: &str,
) -> Result<Option<Value>> {
    let capture = CaptureResponseBody::default();
    let result = ecs
        .describe_task_definition()
        .task_definition(name)
        .customize()
        .interceptor(capture.clone())
        .send()
        .await;
    if let Err(error) = &result {
        // ECS answers ClientException ("Unable to describe task definition.") for an unknown one.
        if error_code(error) == Some("ClientException") {
            return Ok(None);
        }
    }
    result.step(&format!("DescribeTaskDefinition {name}"))?;
    let body = capture
        .json()?
        .context("DescribeTaskDefinition returned no body")?;
    Ok(Some(unwrap_document(body)))
}
