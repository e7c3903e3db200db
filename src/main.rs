//! `ecs-migrate`: run a database migration as a one-off Amazon ECS task and report what happened.
//!
//! `main` stays thin: parse the command line, run the command, print the error chain once and
//! turn the outcome into one of the documented exit codes.

mod aws;
mod ci;
mod cli;
mod commands;
mod config;
mod failure;
mod hints;
mod image;
mod links;
mod lock;
mod logs;
mod migration_errors;
mod outcome;
mod preflight;
mod progress;
mod redact;
mod task;
mod taskdef;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(failure::exit_code::INFRASTRUCTURE);
        }
    };
    match runtime.block_on(commands::execute(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(failure::exit_code_for(&error))
        }
    }
}
