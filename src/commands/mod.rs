//! One module per subcommand; this one routes to them and holds what they share: finding and
//! layering the config, and knowing where AWS is.

mod down;
mod job;
mod local;
mod on_target;
mod plan;
mod prepare;
mod prune;
mod render;
mod run;
mod shell_files;
mod status;
mod turn;
mod verdict;
mod verify;

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::aws::Target;
use crate::cli::{Cli, Command, GlobalArgs, MigrationArgs};
use crate::config::{self, RawConfig, Settings};

/// The config file read when `--config` is not given, if it exists.
const DEFAULT_CONFIG: &str = "ecs-migrate.yml";

/// Runs the command; `Ok` carries the exit code of a command that finished (including a failed
/// migration), `Err` a command that could not.
pub async fn execute(cli: Cli) -> Result<u8> {
    match &cli.command {
        Command::Run(args) => run::run(&cli.global, args).await,
        Command::Plan(args) => plan::plan(&cli.global, &args.migration, args.status).await,
        Command::Render(args) => render::render(&cli.global, args).await,
        Command::Prune(args) => prune::prune(&cli.global, args).await,
        Command::Status(args) => status::status(&cli.global, args).await,
        Command::Down(args) => down::down(&cli.global, args).await,
        Command::Completions { shell } => shell_files::completions(*shell),
        Command::Man => shell_files::man_page(),
        Command::Schema => shell_files::config_schema(),
    }
}

fn aws_target(global: &GlobalArgs) -> Target {
    Target {
        region: global.region.clone(),
        profile: global.profile.clone(),
    }
}

/// The config file, interpolated, with the command-line flags layered over it.
fn load_settings(global: &GlobalArgs, args: &MigrationArgs) -> Result<Settings> {
    let path: Option<PathBuf> = global.config.clone().or_else(|| {
        let default = Path::new(DEFAULT_CONFIG);
        default.exists().then(|| default.to_path_buf())
    });
    let file_layer = match &path {
        Some(path) => config::load_file(path, &|name| std::env::var(name).ok())?,
        None => RawConfig::default(),
    };
    let chosen =
        file_layer.choose_environment(args.environment_name.as_deref(), path.as_deref())?;
    let mut settings = chosen
        .layer
        .merge(args.to_raw_config())
        .resolve(path.as_deref())
        .map_err(|error| error.in_environment(chosen.environment.as_deref()))?;
    settings.environment_name = chosen.environment;
    Ok(settings)
}
