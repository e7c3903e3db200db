//! `ecs-migrate down`: the migration tool's own down command (`--steps N` or `--to VERSION`), run
//! as a one-off task of the migration task definition like `run`, lock included. Without `--yes`
//! nothing is started: the command that would run is shown instead (exit 2), so a script cannot
//! roll a database back by accident.

use anyhow::Result;

use crate::cli::{DownArgs, GlobalArgs};
use crate::failure::usage;

use super::job::Job;
use super::load_settings;
use super::run::run_job;

pub async fn down(global: &GlobalArgs, args: &DownArgs) -> Result<u8> {
    let settings = load_settings(global, &args.migration)?;
    let job = Job::Down(args.target());
    let command = job.command(&settings)?.unwrap_or_default();
    if !args.yes {
        return Err(usage(format!(
            "refusing to migrate down without --yes; nothing was started. It would run `{}` \
             ({}) as a one-off task in cluster {} (add --yes to run it)",
            shell_words::join(&command),
            settings.tool.describe(),
            settings.cluster
        )));
    }
    run_job(global, &args.migration, settings, &job).await
}
