//! `completions` and `man`: what a shell and `man` need, generated from the command-line
//! definition itself (clap_complete, clap_mangen), so they never drift from the flags.

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
