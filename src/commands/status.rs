//! `ecs-migrate status`: the migration tool's read-only status command, run as a one-off task of
//! the same migration task definition (only the container's command differs), read into applied
//! and pending migrations and the current version. It takes no migration lock.

use anyhow::Result;

use crate::cli::{GlobalArgs, MigrationArgs};

use super::job::Job;
use super::load_settings;
use super::run::run_job;

pub async fn status(global: &GlobalArgs, args: &MigrationArgs) -> Result<u8> {
    let settings = load_settings(global, args)?;
    // Refused before anything is built or started when there is no status command.
    Job::Status.command(&settings)?;
    run_job(global, args, settings, &Job::Status).await
}
