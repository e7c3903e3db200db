//! `completions`, `man` and `schema`: what a shell, `man` and an editor need, generated from the
//! definitions themselves (clap_complete and clap_mangen from the command line, schemars from
//! the config types), so they never drift from the flags and keys.

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::failure::exit_code;

const BIN: &str = "ecs-migrate";

pub fn completions(shell: Shell) -> Result<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut script);
    out!("{}", String::from_utf8_lossy(&script));
    Ok(exit_code::SUCCEEDED)
}

pub fn man_page() -> Result<u8> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command().name(BIN))
        .render(&mut page)
        .context("rendering the man page")?;
    out!("{}", String::from_utf8_lossy(&page));
    Ok(exit_code::SUCCEEDED)
}

pub fn config_schema() -> Result<u8> {
    let schema = crate::config::schema::document();
    outln!("{}", serde_json::to_string_pretty(&schema)?);
    Ok(exit_code::SUCCEEDED)
}
