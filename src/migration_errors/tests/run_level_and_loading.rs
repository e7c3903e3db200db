//! Failures of the run that must name no file (the database went away or refused the login),
//! Node's load failures of a migration and dbmate's section lines, on samples shaped like the
//! tools' real output (the stack fixtures, with the cause swapped).

use super::*;

#[test]
fn a_connection_lost_or_refused_during_a_migration_names_nothing() {
    // Umzug 3 wraps whatever the migration threw; node-postgres' refused connection.
    let umzug = "MigrationError: Migration 20240103120000-backfill-widget-prices.js (up) failed: \
                 Original error: connect ECONNREFUSED 10.0.3.7:5432";
    assert_eq!(scan(umzug), vec![]);
    // knex: the pool could not reach the database while the migration ran.
    let knex = "migration file \"20240103120000_backfill_widget_prices.js\" failed\n\
                migration failed with error: Knex: Timeout acquiring a connection. The pool is \
                probably full. Are you missing a .transacting(trx) call?";
    assert_eq!(scan(knex), vec![]);
    // TypeORM 0.3: node-postgres lost the connection mid-migration.
    let typeorm = "Migration \"BackfillWidgetPrices1704283200000\" failed, error: Connection \
                   terminated unexpectedly";
    assert_eq!(scan(typeorm), vec![]);
    // dbmate: the database restarted under the migration.
    let dbmate = "Applying: 20240103120000_backfill_widget_prices.sql\n\
                  Applied: 20240103120000_backfill_widget_prices.sql in 2.1s\n\
                  Error: pq: terminating connection due to administrator command";
    assert_eq!(scan(dbmate), vec![]);
}

#[test]
fn a_refused_login_or_a_held_lock_names_nothing() {
    let django = concat!(
        "  Applying inventory.0003_backfill_widget_names...Traceback (most recent call last):\n",
        "  File \"/app/inventory/migrations/0003_backfill_widget_names.py\", line 6, in backfill_names\n",
        "    schema_editor.execute(\n",
        "django.db.utils.OperationalError: FATAL:  no pg_hba.conf entry for host \"10.0.3.9\", ",
        "user \"app\", database \"shop\", SSL off",
    );
    assert_eq!(scan(django), vec![]);
    let rails = "rails aborted!\n\
                 ActiveRecord::ConcurrentMigrationError:\n\
                 \n\
                 Cannot run migrations because another migration process is currently running.";
    assert_eq!(scan(rails), vec![]);
    let sqlx = "error: while executing migration 20240103120000: error communicating with \
                database: Connection refused (os error 111)";
    assert_eq!(scan(sqlx), vec![]);
}

#[test]
fn node_names_a_migration_that_does_not_compile_for_the_tool_loading_it() {
    // The knex fixture's header, error and loader frame; the same shape through Umzug.
    let umzug = "/app/migrations/20240103120000-add-sku-to-widgets.js:7\n\
                 \x20   await queryInterface.addIndex('widgets', ['sku'], { unique: true };\n\
                 \x20                                                                     ^\n\
                 \n\
                 SyntaxError: missing ) after argument list\n\
                 \x20   at internalCompileFunction (node:internal/vm:76:18)\n\
                 \x20   at Module._compile (node:internal/modules/cjs/loader:1328:27)\n\
                 \x20   at resolve (/app/node_modules/umzug/lib/umzug.js:166:32)";
    assert_eq!(
        scan_with(&[("/app", ".")], umzug),
        vec![error(
            "sequelize",
            "migrations/20240103120000-add-sku-to-widgets.js",
            Some(7),
            "SyntaxError: missing ) after argument list"
        )]
    );
}

#[test]
fn a_load_failure_outside_the_migrations_or_without_a_tool_names_nothing() {
    // A broken data source is a configuration failure, not a migration's.
    let data_source = "Error during migration run:\n\
                       /app/data-source.js:5\n\
                       \x20 entities: [Widget,\n\
                       \x20           ^\n\
                       \n\
                       SyntaxError: Unexpected identifier\n\
                       \x20   at tryToRequire (/app/node_modules/typeorm/util/ImportUtils.js:20:17)";
    assert_eq!(scan(data_source), vec![]);
    // A header inside node_modules, and one no migration tool's stack or output surrounds.
    let dependency = "/app/node_modules/pg/lib/client.js:12\n\n\
                      SyntaxError: Unexpected token '?'\n\
                      \x20   at /app/node_modules/knex/lib/migrations/migrate/Migrator.js:86:15";
    assert_eq!(scan(dependency), vec![]);
    let script = "/app/migrations/20240103120000_x.js:4\n\n\
                  ReferenceError: knex is not defined\n\
                  \x20   at Object.<anonymous> (/app/scripts/seed.js:3:1)";
    assert_eq!(scan(script), vec![]);
}

#[test]
fn dbmate_gives_a_line_only_for_the_first_section() {
    let first = "Applying: 20240103120000_x.sql\n\
                 Applied: 20240103120000_x.sql in 1ms\n\
                 Error: line: 3, column: 8, position: 40: pq: column \"y\" does not exist";
    assert_eq!(
        scan(first),
        vec![error(
            "dbmate",
            "db/migrations/20240103120000_x.sql",
            Some(3),
            "pq: column \"y\" does not exist"
        )]
    );
    let second = "Applying: 20240103120000_x.sql\n\
                  Applied: 20240103120000_x.sql in 1ms\n\
                  Applied: 20240103120000_x.sql in 2ms\n\
                  Error: line: 3, column: 8, position: 40: pq: column \"y\" does not exist";
    assert_eq!(scan(second)[0].line, None);
}
