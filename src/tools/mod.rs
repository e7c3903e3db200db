//! What ecs-migrate knows about each migration tool, behind one small interface: how to recognise
//! it in a checkout, where its migrations live, its non-interactive up/down/status commands, how
//! to read which migrations its output says ran, are applied or pending, and how to recognise a
//! failed migration in its output (file, line, message). Adding a tool is adding one module here
//! (a file, or a directory with its failure recogniser in `failure.rs` when it grows long) and one
//! line to [`ToolId`]; [`crate::migration_errors`] asks every tool in [`ToolId::ALL`].
//!
//! Shared by several tools' recognisers: [`python_traceback`] (Alembic and Django) and
//! [`js_stack`] (knex, Sequelize, TypeORM). Their recorded output, passing and failing, is under
//! `src/tools/fixtures/<tool>/`.
//!
//! Everything here is pure (detection only reads a handful of files); running the commands is
//! the task runner's job.

mod alembic;
mod checkout;
mod custom;
mod dbmate;
pub mod detect;
mod django;
mod flyway;
mod golang_migrate;
mod goose;
pub mod id;
mod js_stack;
mod knex;
mod liquibase;
mod output;
mod prisma;
mod python_traceback;
mod rails;
mod sequelize;
mod sqlx;
mod typeorm;

#[cfg(test)]
mod fixtures;

pub use checkout::Checkout;
pub use id::ToolId;

use crate::migration_errors::{Found, Line};

/// Where `down` should take the schema: back a number of migrations, or to a named version
/// (which stays applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownTarget {
    Steps(u32),
    To(String),
}

/// The project settings a tool's default commands depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSettings {
    /// Where the migrations live, relative to the working directory of the task.
    pub migrations_dir: String,
    /// TypeORM's data source file (`-d`), found by detection or configured.
    pub data_source: Option<String>,
}

/// A command argv, ready for the container's `command`.
pub type Argv = Vec<String>;

/// Why a tool has no default command for what was asked; the message names the tool's own way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The tool cannot migrate down at all.
    #[error("{tool} cannot migrate down: {instead}")]
    NoDown { tool: ToolId, instead: &'static str },
    /// The tool can go down, but not to this target.
    #[error("{tool} cannot migrate down {asked}: {instead}")]
    UnsupportedDown {
        tool: ToolId,
        asked: String,
        instead: String,
    },
    /// The command needs a setting the project has not given.
    #[error("{tool} needs {setting}: {why}")]
    MissingSetting {
        tool: ToolId,
        setting: &'static str,
        why: &'static str,
    },
}

/// What a status command's output says about the database.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatusReport {
    /// Applied migrations in the tool's order, named as the tool names them.
    pub applied: Vec<String>,
    /// Migrations not applied yet, in the order they would run.
    pub pending: Vec<String>,
    /// The current schema version (the last applied migration), as the tool names it.
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub half_migrated: Option<HalfMigrated>,
    /// What the output could not say, e.g. that the tool lists only pending migrations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Which lists a tool's status output gives: golang-migrate prints only the version, Prisma only
/// the pending migrations, and a custom tool's output is not read. A list it does not give is
/// unknown, never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    pub applied: bool,
    pub pending: bool,
}

impl Listed {
    pub const BOTH: Listed = Listed {
        applied: true,
        pending: true,
    };
    pub const NEITHER: Listed = Listed {
        applied: false,
        pending: false,
    };
}

/// A database the tool considers stuck between two versions; it refuses to go on until fixed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HalfMigrated {
    /// The tool's own name for the state: "dirty", "failed", "partially applied", …
    pub state: &'static str,
    /// The migration concerned, when the output names it.
    pub migration: Option<String>,
    /// The tool's own fix, as a command to run once the database has been looked at.
    pub fix: String,
}

/// One migration tool: all ecs-migrate knows about it.
pub trait MigrationTool: Sync {
    /// The id the registry ([`tool`]) files it under; its test checks the two agree.
    #[cfg_attr(not(test), allow(dead_code))]
    fn id(&self) -> ToolId;
    /// What in the checkout says this tool is used, or None.
    fn detect(&self, checkout: &Checkout) -> Option<String>;
    /// The migrations directory when the configuration names none.
    fn default_migrations_dir(&self) -> &'static str;
    fn up_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError>;
    fn down_command(
        &self,
        target: &DownTarget,
        settings: &CommandSettings,
    ) -> Result<Argv, CommandError>;
    /// A read-only command listing applied and pending migrations.
    fn status_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError>;
    /// The migrations an up command's output says it applied, in order.
    fn applied_by_up(&self, lines: &[&str]) -> Vec<String>;
    fn parse_status(&self, lines: &[&str]) -> StatusReport;
    /// Which lists [`MigrationTool::parse_status`] reads from the status output.
    fn status_lists(&self) -> Listed {
        Listed::BOTH
    }
    /// A half-migrated state named anywhere in the output of any of the tool's commands.
    fn half_migrated(&self, _lines: &[&str]) -> Option<HalfMigrated> {
        None
    }
    /// The schema version before an up command ran, where its own output says it (e.g. Alembic's
    /// first `Running upgrade A -> B`); None when the output does not say.
    fn before_by_up(&self, _lines: &[&str]) -> Option<String> {
        None
    }
    /// A status command that exited non-zero while its output is a valid status (Rails before its
    /// first migration); the migrations pending are then read from the checkout's
    /// `migrations_dir`. None: the failure is a failure.
    fn status_of_failure(
        &self,
        _lines: &[&str],
        _checkout: &Checkout,
        _migrations_dir: &str,
    ) -> Option<StatusReport> {
        None
    }
    /// Why a down command that exited 0 undid nothing, where its output says so (sqlx's
    /// "No migrations available to revert"); the down then fails with this reason.
    fn down_did_nothing(&self, _lines: &[&str]) -> Option<String> {
        None
    }
    /// The failed migrations this tool's output names in one container's log stream (lines
    /// already cleaned of colour and runner prefixes), pushed to `found` in the order read: the
    /// file (as the log gives it), the line where it says, and the error. Failures of the run
    /// itself are filtered out afterwards by [`crate::migration_errors::Recognizer`].
    fn failures(&self, _lines: &[Line<'_>], _found: &mut Vec<Found>) {}
    /// Lower-case fragments of messages about the tool's own bookkeeping (its migrations table,
    /// its lock): failures of the run, not of a migration, so no file is blamed for them.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &[]
    }
    /// The line of the migration file behind line `line` of the tool's error: the same line for
    /// most tools. `read` gives the file's text (None when unreadable), read only by a tool that
    /// needs it. None when the text cannot be the file the tool ran.
    fn file_line(&self, line: u32, _read: &dyn Fn() -> Option<String>) -> Option<u32> {
        Some(line)
    }
}

/// The tool behind an id.
pub fn tool(id: ToolId) -> &'static dyn MigrationTool {
    match id {
        ToolId::Rails => &rails::Rails,
        ToolId::Django => &django::Django,
        ToolId::Alembic => &alembic::Alembic,
        ToolId::Flyway => &flyway::Flyway,
        ToolId::Liquibase => &liquibase::Liquibase,
        ToolId::Prisma => &prisma::Prisma,
        ToolId::GolangMigrate => &golang_migrate::GolangMigrate,
        ToolId::Goose => &goose::Goose,
        ToolId::Dbmate => &dbmate::Dbmate,
        ToolId::Sqlx => &sqlx::Sqlx,
        ToolId::Knex => &knex::Knex,
        ToolId::Typeorm => &typeorm::Typeorm,
        ToolId::Sequelize => &sequelize::Sequelize,
        ToolId::Custom => &custom::Custom,
    }
}

/// Builds an argv from string literals and owned strings alike.
fn argv<const N: usize>(parts: [&str; N]) -> Argv {
    parts.iter().map(|part| (*part).to_owned()).collect()
}

/// `down --steps N` for a tool whose CLI undoes exactly one migration per call.
fn one_step_only(
    tool: ToolId,
    target: &DownTarget,
    one_step: Argv,
    instead: &str,
) -> Result<Argv, CommandError> {
    match target {
        DownTarget::Steps(1) => Ok(one_step),
        DownTarget::Steps(steps) => Err(CommandError::UnsupportedDown {
            tool,
            asked: format!("{steps} steps"),
            instead: format!("its CLI undoes one migration per call; {instead}"),
        }),
        DownTarget::To(version) => Err(CommandError::UnsupportedDown {
            tool,
            asked: format!("to {version}"),
            instead: format!("its CLI has no target version; {instead}"),
        }),
    }
}

#[cfg(test)]
mod tests;
