//! `ecs-migrate render`: the migration task definition as it would be registered.

use anyhow::Result;

use crate::aws::Clients;
use crate::cli::{GlobalArgs, MigrationArgs};
use crate::failure::exit_code;
use crate::redact::redacted;

use super::prepare::{needs_aws, prepare};
use super::{aws_target, load_settings};

pub async fn render(global: &GlobalArgs, args: &MigrationArgs) -> Result<u8> {
    let settings = load_settings(global, args)?;
    let clients = if needs_aws(&settings) {
        Some(Clients::connect(&aws_target(global)).await?)
    } else {
        None
    };
    let prepared = prepare(&settings, clients.as_ref()).await?;
    outln!(
        "{}",
        serde_json::to_string_pretty(&redacted(&prepared.derived.task_definition))?
    );
    Ok(exit_code::SUCCEEDED)
}
