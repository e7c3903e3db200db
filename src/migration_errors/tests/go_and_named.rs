//! golang-migrate, goose, dbmate, sqlx and Prisma.

use super::*;

// golang-migrate/migrate: internal/cli/log.go (`-verbose` prints through `log.Printf`, with its
// timestamp; a fatal error is "error: " + err), migrate.go ("Read and execute %v" with
// LogString "<version>/<u|d> <identifier>"), database/error.go ("%v in line %v: %s (details: %v)")
// and database/postgres ("migration failed: <message> (column N)"); the message as users see it
// is in golang-migrate/migrate#1059.
const GOLANG_MIGRATE_FAILED: &str = r#"2024/03/20 10:15:01 Start buffering 1/u create_users_table
2024/03/20 10:15:01 Read and execute 1/u create_users_table
2024/03/20 10:15:01 Finished 1/u create_users_table (read 2.1ms, ran 8.3ms)
2024/03/20 10:15:01 Start buffering 2/u add_names
2024/03/20 10:15:01 Read and execute 2/u add_names
2024/03/20 10:15:01 error: migration failed: syntax error at or near ")" (column 1) in line 6: CREATE TABLE IF NOT EXISTS names (
    user_id bigserial PRIMARY KEY,
    created_at timestamp(0) with time zone NOT NULL DEFAULT NOW(),
    first_name text NOT NULL,
    last_name text NOT NULL,
) (details: pq: syntax error at or near ")")"#;

#[test]
fn golang_migrate_verbose_names_the_version_and_the_line() {
    assert_eq!(
        scan(GOLANG_MIGRATE_FAILED),
        vec![error(
            "golang-migrate",
            "2_add_names.up.*",
            Some(6),
            r#"migration failed: syntax error at or near ")" (column 1)"#
        )]
    );
}

#[test]
fn golang_migrate_without_a_reason_takes_the_driver_details() {
    // The MySQL driver sets only "migration failed" and line 0 (golang-migrate/migrate#944).
    let log = "Read and execute 3/u add_task\n\
               error: migration failed in line 0: BEGIN;\n\
               CREATE TABLE `task` (\n\
               ) ENGINE=InnoDB (details: Error 1064 (42000): You have an error in your SQL syntax)";
    assert_eq!(
        scan(log),
        vec![error(
            "golang-migrate",
            "3_add_task.up.*",
            None,
            "migration failed: Error 1064 (42000): You have an error in your SQL syntax"
        )]
    );
}

#[test]
fn golang_migrate_without_verbose_names_no_file_so_nothing_is_reported() {
    let log = "1/u create_users_table (10.4ms)\n\
               error: migration failed: syntax error at or near \")\" (column 1) in line 6: CREATE";
    assert_eq!(scan(log), vec![]);
}

// pressly/goose: migration.go returns "ERROR %v: failed to run SQL migration: %w" with the file's
// base name, cmd/goose prints it with log.Fatalf("goose run: %v"); the database part is as in
// thrasher-corp/gocryptotrader#550 and pressly/goose#829.
#[test]
fn goose_names_the_file() {
    let log = "2024/01/02 15:04:05 OK   00001_create_users.sql (12.5ms)\n\
               2024/01/02 15:04:05 goose run: ERROR 00002_add_email.sql: failed to run SQL \
               migration: failed to execute SQL query \"ALTER TABLE users ALTER COLUMN email SET \
               NULL;\\n\": pq: syntax error at or near \"NULL\"";
    assert_eq!(
        scan(log),
        vec![error(
            "goose",
            "00002_add_email.sql",
            None,
            "failed to execute SQL query \"ALTER TABLE users ALTER COLUMN email SET NULL;\\n\": \
             pq: syntax error at or near \"NULL\""
        )]
    );
    let library = "panic: ERROR 20240925020934_add_table_role_permission_map.sql: failed to run \
                   SQL migration: failed to insert new goose version: Error 1054 (42S22): \
                   Unknown column '$1' in 'field list'";
    // The migration ran; recording it in goose's own table failed: a failure of the run.
    assert_eq!(scan(library), vec![]);
}

// amacneil/dbmate: pkg/dbmate/db.go prints "Applying: %s" and then "Applied: %s in %s" even when
// the migration failed; main.go prints the error as "Error: %s" (as in amacneil/dbmate#50).
#[test]
fn dbmate_blames_the_file_it_was_applying() {
    let log = "Applying: 20240101120000_create_users.sql\n\
               Applied: 20240101120000_create_users.sql in 10.2ms\n\
               Applying: 20240102120000_add_email.sql\n\
               Applied: 20240102120000_add_email.sql in 1.1ms\n\
               Error: pq: column \"email\" of relation \"users\" already exists";
    assert_eq!(
        scan(log),
        vec![error(
            "dbmate",
            "db/migrations/20240102120000_add_email.sql",
            None,
            "pq: column \"email\" of relation \"users\" already exists"
        )]
    );
}

// transact-rs/sqlx#3130 (sqlx-cli 0.7.4+): the message, and the version it names.
#[test]
fn sqlx_names_the_version() {
    let log = "Applied 20240301000000/migrate create customers (10.4ms)\n\
               error: while executing migration 20240314125700: error returned from database: \
               column \"email\" of relation \"customer_status_extended\" already exists";
    assert_eq!(
        scan(log),
        vec![error(
            "sqlx",
            "migrations/20240314125700_*.sql",
            None,
            "error returned from database: column \"email\" of relation \
             \"customer_status_extended\" already exists"
        )]
    );
}

// prisma/orm#12856 (the "found in" and "Applying migration" lines, P3009) and
// SOZ-Faut-etre-Sub/SOZ-FiveM-Server#175 (P3018), whose "Migration name:" line is in Prisma's
// error template for P3018.
const PRISMA_FAILED: &str = "Prisma schema loaded from db/schema.prisma
Datasource \"db\": MySQL database \"app\" at \"db.example.internal:3306\"

2 migrations found in db/migrations

Applying migration `20230401120000_init`
Applying migration `20230414162927_add_events`
Error: P3018

A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve

Migration name: 20230414162927_add_events

Database error code: 1067

Database error:
Invalid default value for 'end'

Please check the query number 13 from the migration file.";

#[test]
fn prisma_p3018_names_the_migration_directory() {
    assert_eq!(
        scan(PRISMA_FAILED),
        vec![error(
            "prisma",
            "db/migrations/20230414162927_add_events/migration.sql",
            None,
            "Invalid default value for 'end' (database error code 1067)"
        )]
    );
}

#[test]
fn prisma_p3009_points_at_the_migration_that_failed_before() {
    let log = "Error: P3009\n\
               migrate found failed migrations in the target database, new migrations will not \
               be applied. Read more about how to resolve migration issues in a production \
               database: https://pris.ly/d/migrate-resolve\n\
               The `20220414162927_prisma_upgrade` migration started at 2022-04-16 16:28:01.302 \
               UTC failed";
    let found = scan(log);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].path,
        "prisma/migrations/20220414162927_prisma_upgrade/migration.sql"
    );
    assert!(found[0].message.contains("P3009"));
}

#[test]
fn successful_runs_of_these_tools_report_nothing() {
    let golang_migrate = "1/u create_users_table (10.4ms)\n2/u add_names (3.2ms)";
    let goose = "2024/01/02 15:04:05 OK   00001_create_users.sql (12.5ms)\n\
                 2024/01/02 15:04:05 goose: successfully migrated database to version: 1";
    let dbmate = "Applying: 20240101120000_create_users.sql\n\
                  Applied: 20240101120000_create_users.sql in 10.2ms\n\
                  Writing: ./db/schema.sql";
    let sqlx = "Applied 20240314125700/migrate create customers (10.4ms)";
    let prisma = "3 migrations found in prisma/migrations\n\
                  Applying migration `20230414162927_add_events`\n\
                  The following migration(s) have been applied:\n\
                  All migrations have been successfully applied.";
    for log in [golang_migrate, goose, dbmate, sqlx, prisma] {
        assert_eq!(scan(log), vec![], "for {log}");
    }
}
