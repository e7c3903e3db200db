//! Progress on stderr: plain one-line steps in CI (and GitHub's `::warning::` syntax there),
//! a spinner on a terminal. The task's own log lines go through here too, so the spinner never
//! tears them, `--quiet` silences them with the steps, and `NO_COLOR` takes their colours out.

use std::borrow::Cow;
use std::fmt::Display;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::ci::{CiContext, Runner};

/// How much goes to stderr besides warnings and the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chatter {
    /// `--quiet`: warnings only.
    Quiet,
    Normal,
    /// `-v`: every poll and request decision too.
    Verbose,
}

pub struct Progress {
    spinner: Option<ProgressBar>,
    github: bool,
    chatter: Chatter,
    /// `NO_COLOR` is set (to anything but nothing): the task's colour escapes are removed.
    no_color: bool,
    /// A `::group::` is open (GitHub Actions folds the task's log lines in it).
    grouped: AtomicBool,
}

impl Progress {
    pub fn new(ci: &CiContext, chatter: Chatter) -> Self {
        let interactive =
            chatter != Chatter::Quiet && !ci.is_ci() && std::io::stderr().is_terminal();
        let spinner = interactive.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self {
            spinner,
            github: ci.runner == Runner::GitHubActions,
            chatter,
            no_color: std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty()),
            grouped: AtomicBool::new(false),
        }
    }

    /// A step starts: a line in CI, the spinner's message on a terminal.
    pub fn step(&self, message: impl Display) {
        if self.chatter == Chatter::Quiet {
            return;
        }
        match &self.spinner {
            Some(spinner) => {
                spinner.println(format!("• {message}"));
                spinner.set_message(message.to_string());
            }
            None => errln!("ecs-migrate: {message}"),
        }
    }

    /// One line of the task's output.
    pub fn log_line(&self, line: &str) {
        if self.chatter == Chatter::Quiet {
            return;
        }
        let line: Cow<'_, str> = if self.no_color {
            crate::migration_errors::clean::without_escapes(line).into()
        } else {
            line.into()
        };
        match &self.spinner {
            Some(spinner) => spinner.println(line),
            None => errln!("{line}"),
        }
    }

    /// Detail shown only with `-v`: every poll, every request decision.
    pub fn detail(&self, message: impl Display) {
        if self.chatter == Chatter::Verbose {
            self.log_line(&format!("ecs-migrate: {message}"));
        }
    }

    pub fn warn(&self, message: impl Display) {
        let text = if self.github {
            format!("::warning::{message}")
        } else {
            format!("warning: {message}")
        };
        match &self.spinner {
            Some(spinner) => spinner.println(text),
            None => errln!("{text}"),
        }
    }

    /// In GitHub Actions, folds what follows (the task's log lines) under `title`.
    pub fn group(&self, title: impl Display) {
        if self.chatter == Chatter::Quiet {
            return;
        }
        if self.github && !self.grouped.swap(true, Ordering::Relaxed) {
            errln!("::group::{title}");
        }
    }

    pub fn end_group(&self) {
        if self.grouped.swap(false, Ordering::Relaxed) {
            errln!("::endgroup::");
        }
    }

    pub fn finish(&self) {
        self.end_group();
        if let Some(spinner) = &self.spinner {
            spinner.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
