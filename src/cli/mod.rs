//! The command line: clap definitions only. Commands receive plain values; nothing past
//! `commands` sees clap.

mod down_args;
mod github_args;
mod image_args;
mod migration_args;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use down_args::DownArgs;
pub use github_args::GitHubArgs;
pub use migration_args::MigrationArgs;

#[derive(Debug, Parser)]
#[command(
    name = "ecs-migrate",
    version,
    about = "Run a database migration as a one-off Amazon ECS task, wait for it, and report what happened",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Config file [default: ecs-migrate.yml when present]
    #[arg(
        short,
        long,
        env = "ECS_MIGRATE_CONFIG",
        global = true,
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,
    /// AWS region (else the SDK's usual chain: AWS_REGION, the profile, ...)
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// AWS shared-config profile
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// How to print the result on stdout
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, global = true)]
    pub output: OutputFormat,
    /// More detail on stderr (repeat for more)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Print only the result: no progress and no task log lines on stderr (warnings and errors
    /// still show)
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

impl GlobalArgs {
    /// How much goes to stderr besides the result.
    pub fn chatter(&self) -> crate::progress::Chatter {
        use crate::progress::Chatter;
        match (self.quiet, self.verbose) {
            (true, _) => Chatter::Quiet,
            (false, 0) => Chatter::Normal,
            (false, _) => Chatter::Verbose,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Register the migration task definition, run it, wait while streaming its logs, report
    Run(MigrationArgs),
    /// Show what `run` would do; sends no mutating AWS call (but see --status)
    Plan(PlanArgs),
    /// Print the resolved migration task definition as JSON
    Render(MigrationArgs),
    /// Deregister old revisions of the migration family (never the latest, never one in use)
    Prune(PruneArgs),
    /// Run the migration tool's read-only status command as a one-off task: applied, pending, version
    Status(MigrationArgs),
    /// Roll back through the tool's own down command as a one-off task (needs --yes)
    Down(DownArgs),
    /// Print the shell completion script (e.g. `ecs-migrate completions bash > /etc/bash_completion.d/ecs-migrate`)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `ecs-migrate man > ecs-migrate.1`
    Man,
    /// Print the JSON Schema of the config file, for editors (e.g. `ecs-migrate schema > ecs-migrate.schema.json`)
    Schema,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Also run the tool's read-only status task on the target (registers or reuses the
    /// migration revision, pushes a configured image build): what merging would apply
    #[arg(long)]
    pub status: bool,
    #[command(flatten)]
    pub migration: MigrationArgs,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// How many of the newest revisions to keep (at least 1)
    #[arg(long, default_value_t = 5)]
    pub keep: usize,
    /// List what would be deregistered, and deregister nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub migration: MigrationArgs,
}
