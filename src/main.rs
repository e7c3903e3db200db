//! `ecs-migrate`: run a database migration as a one-off Amazon ECS task and report what happened.
//!
//! `main` stays thin: parse the command line, run the command, print the error chain once and
//! turn the outcome into one of the documented exit codes.

#[macro_use]
mod console;

mod action_inputs;
mod aws;
mod ci;
mod cli;
mod commands;
mod config;
mod failure;
mod file_tree;
mod hints;
mod image;
mod links;
mod local;
mod lock;
mod logs;
mod migration_errors;
mod outcome;
mod preflight;
mod progress;
mod redact;
mod report;
mod review;
mod task;
mod taskdef;
mod text;
mod tools;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let invocation = match action_inputs::command_line(std::env::args_os().collect(), &|name| {
        std::env::var(name).ok()
    }) {
        Ok(invocation) => invocation,
        Err(error) => {
            report::annotate_error(&error.to_string());
            errln!("error: {error}");
            return ExitCode::from(failure::exit_code::USAGE);
        }
    };
    for (name, value) in invocation.env {
        // SAFETY: no other thread exists yet (the runtime is built below), so nothing can be
        // reading the environment while it changes.
        unsafe { std::env::set_var(name, value) };
    }
    let cli = cli::Cli::parse_from(invocation.args);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            errln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(failure::exit_code::INFRASTRUCTURE);
        }
    };
    match runtime.block_on(commands::execute(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            report::annotate_error(&format!("{error:#}"));
            errln!("error: {error}");
            for cause in error.chain().skip(1) {
                errln!("  caused by: {cause}");
            }
            ExitCode::from(failure::exit_code_for(&error))
        }
    }
}
