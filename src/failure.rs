//! Why a command could not finish, classified so `main` can pick the documented exit code.
//!
//! Errors travel as `anyhow::Error`; the markers here ride inside them so the
//! classification survives any amount of added context.

use std::fmt;

/// The exit codes of DESIGN.md, in one place.
pub mod exit_code {
    pub const SUCCEEDED: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const INFRASTRUCTURE: u8 = 3;
    pub const TIMED_OUT: u8 = 124;
    pub const CANCELLED: u8 = 130;
}

/// Bad input found before anything was started: a missing service, an unknown container,
/// a task definition file that does not parse. Exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Builds an `anyhow::Error` carrying a [`UsageError`].
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// An AWS or infrastructure step failed after a task was started: the user must be told
/// which task may still be running. Exit code 3.
#[derive(Debug)]
pub struct TaskLeftBehind {
    pub task_arn: String,
    pub cluster: String,
}

impl fmt::Display for TaskLeftBehind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "task {} may still be running; check it with: aws ecs describe-tasks --cluster {} --tasks {}",
            self.task_arn, self.cluster, self.task_arn
        )
    }
}

impl std::error::Error for TaskLeftBehind {}

/// The exit code for an error that ended a command.
pub fn exit_code_for(error: &anyhow::Error) -> u8 {
    let is_usage = error.chain().any(|cause| {
        cause.is::<UsageError>()
            || cause.is::<crate::config::ConfigError>()
            || cause.is::<crate::taskdef::derive::DeriveError>()
            || cause.is::<clap::Error>()
    });
    if is_usage {
        exit_code::USAGE
    } else {
        exit_code::INFRASTRUCTURE
    }
}
