//! Failures of the run, not of a migration: the tool's own bookkeeping table, its lock, the
//! connection. A file named for these would be a wrong file, so such findings are dropped.

/// Lower-case fragments that mark a message as run-level.
const RUN_LEVEL: &[&str] = &[
    // Bookkeeping tables of the tools (and their locks).
    "sequelizemeta",
    "sequelize_meta",
    "knex_migrations",
    "schema_migrations",
    "ar_internal_metadata",
    "alembic_version",
    "django_migrations",
    "flyway_schema_history",
    "databasechangelog",
    "_prisma_migrations",
    "goose_db_version",
    "_sqlx_migrations",
    "failed to insert new goose version",
    "relation \"migrations\"",
    "table \"migrations\"",
    "`migrations`",
    // Locks and connections.
    "could not acquire change log lock",
    "migration table is already locked",
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
    RUN_LEVEL.iter().any(|fragment| message.contains(fragment))
}
