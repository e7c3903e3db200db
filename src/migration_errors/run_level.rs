//! Failures of the run, not of a migration: the tool's own bookkeeping table, its lock, the
//! connection. A file named for these would be a wrong file, so such findings are dropped.

use crate::tools::{self, ToolId};

/// Lower-case fragments that mark a message as run-level, whatever the tool: locks and
/// connections. Each tool names its own bookkeeping (`MigrationTool::bookkeeping`).
const RUN_LEVEL: &[&str] = &[
    "another migration process is currently running",
    "connection refused",
    "econnrefused",
    "enotfound",
    "could not connect to server",
    "could not translate host name",
    "connection terminated unexpectedly",
    "server closed the connection unexpectedly",
    "terminating connection due to administrator command",
    "the database system is starting up",
    "the database system is shutting down",
    "timeout acquiring a connection",
    "error communicating with database",
    "password authentication failed",
    "authentication failed for user",
    "no pg_hba.conf entry",
    "access denied for user",
];

pub(super) fn is_run_level(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    let bookkeeping = ToolId::ALL
        .iter()
        .flat_map(|id| tools::tool(*id).bookkeeping());
    RUN_LEVEL
        .iter()
        .chain(bookkeeping)
        .any(|fragment| message.contains(fragment))
}
