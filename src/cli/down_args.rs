//! The flags of `ecs-migrate down`: how far to go back, and the `--yes` it needs to do anything.

use clap::Args;

use super::MigrationArgs;
use crate::tools::DownTarget;

#[derive(Debug, Args)]
pub struct DownArgs {
    /// How many migrations to undo [default: 1]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "to")]
    pub steps: Option<u32>,
    /// Undo every migration after this version (which stays applied)
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    /// Really run the down command (without it, nothing is started and the command is shown)
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub migration: MigrationArgs,
}

impl DownArgs {
    /// Where `down` goes, as the plain value the commands take.
    pub fn target(&self) -> DownTarget {
        match &self.to {
            Some(version) => DownTarget::To(version.clone()),
            None => DownTarget::Steps(self.steps.unwrap_or(1)),
        }
    }
}
