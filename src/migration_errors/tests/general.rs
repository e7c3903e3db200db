//! What holds for every tool: the user's pattern, several containers' prefixed lines, repeated
//! reports, locating files the log names only in part, and huge logs.

use std::collections::BTreeMap;

use super::*;
use crate::migration_errors::locate;

const KNEX_PATTERN: &str =
    r"migration file (?P<file>\S+\.js) failed.*?line (?P<line>\d+): (?P<message>.+)";

#[test]
fn the_user_pattern_reads_file_line_and_message() {
    let map = BTreeMap::from([("/srv/app".to_owned(), ".".to_owned())]);
    let recognizer = Recognizer::new(Some(KNEX_PATTERN), &map).expect("valid pattern");
    let log = lines(
        "Batch 3 run: 1 migrations\n\
         migration file /srv/app/migrations/20240101_add_email.js failed at line 12: relation \
         \"users\" does not exist",
    );
    assert_eq!(
        recognizer.scan(&log),
        vec![error(
            "error_pattern",
            "migrations/20240101_add_email.js",
            Some(12),
            "relation \"users\" does not exist"
        )]
    );
}

#[test]
fn a_user_pattern_must_compile_and_name_file_and_message() {
    let none = BTreeMap::new();
    let broken = Recognizer::new(Some("(?P<file>[a-z"), &none).expect_err("invalid");
    assert!(broken.contains("invalid regular expression"), "{broken}");
    let missing =
        Recognizer::new(Some(r"(?P<file>\S+):(?P<line>\d+)"), &none).expect_err("no message");
    assert!(missing.contains("(?P<message>…)"), "{missing}");
    assert!(!missing.contains("(?P<file>…)"), "{missing}");
}

#[test]
fn several_containers_lines_are_read_per_container() {
    // The log follower prefixes "[container] " when a task has several log streams
    // (src/task/wait.rs); here the sidecar's lines interleave with dbmate's.
    let log = "[app] Applying: 20240102120000_add_email.sql\n\
               [envoy] [2024-01-02 10:00:00.000][1][info][main] starting main dispatch loop\n\
               [app] Applied: 20240102120000_add_email.sql in 1.1ms\n\
               [envoy] Error: upstream connect error\n\
               [app] Error: pq: column \"email\" of relation \"users\" already exists";
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

#[test]
fn the_same_failure_reported_twice_is_kept_once() {
    let line = "goose run: ERROR 00002_add_email.sql: failed to run SQL migration: boom";
    assert_eq!(scan(&format!("{line}\n{line}")).len(), 1);
}

#[test]
fn locate_finds_files_named_in_part() {
    let root = tempfile::tempdir().expect("temp dir");
    let file = |path: &str| {
        let path = root.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
        std::fs::write(path, "-- sql\n").expect("write");
    };
    file("db/migrations/000002_add_names.up.sql");
    file("db/migrations/000002_add_names.down.sql");
    file("api/migrations/20240314125700_customers.sql");
    file("sql/00002_add_email.sql");
    file("node_modules/pkg/00002_add_email.sql");
    file("db/migrate/20160901175936_prevent_3_state_booleans.rb");
    let mut errors = vec![
        error("golang-migrate", "2_add_names.up.*", Some(6), "x"),
        error("sqlx", "migrations/20240314125700_*.sql", None, "x"),
        error("goose", "00002_add_email.sql", None, "x"),
        error("rails", "db/migrate/20160901175936_*.rb", None, "x"),
        error(
            "dbmate",
            "db/migrations/20990101000000_missing.sql",
            None,
            "x",
        ),
    ];
    locate::resolve_in(root.path(), &mut errors);
    let paths: Vec<&str> = errors.iter().map(|error| error.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "db/migrations/000002_add_names.up.sql",
            "api/migrations/20240314125700_customers.sql",
            "sql/00002_add_email.sql",
            "db/migrate/20160901175936_prevent_3_state_booleans.rb",
            "db/migrations/20990101000000_missing.sql",
        ]
    );
}

#[test]
fn a_huge_log_is_scanned_in_one_pass() {
    // 100k lines of busy output, with near misses for every recogniser, then one failure.
    let noise = [
        "Applying: 20240101120000_create_users.sql",
        "Applied: 20240101120000_create_users.sql in 10.2ms",
        "  Applying auth.0001_initial... OK",
        "INFO  [alembic.runtime.migration] Running upgrade a -> b, step",
        "== 20240101120000 AddEmailToUsers: migrating =====",
        "Read and execute 1/u create_users_table",
        "ERROR in request handler: the migration helper failed",
        "Migration of schema \"public\" to version \"2\" failed! Changes rolled back.",
        "2024/01/02 15:04:05 OK   00001_create_users.sql (12.5ms)",
        "select * from users where note like '%in line 3: x%' and x = 'error: in line'",
    ];
    let mut log: Vec<String> = (0..100_000)
        .map(|index| noise[index % noise.len()].to_owned())
        .collect();
    log.push("goose run: ERROR 00002_add_email.sql: failed to run SQL migration: boom".into());
    let recognizer = Recognizer::new(Some(KNEX_PATTERN), &BTreeMap::new()).expect("valid");
    let found = recognizer.scan(&log);
    assert_eq!(
        found,
        vec![error("goose", "00002_add_email.sql", None, "boom")],
        "near misses must not be reported"
    );
}

#[test]
fn an_alembic_revision_frame_far_up_a_long_prefixed_traceback_is_found() {
    let mut log = vec![
        "2024-05-01T10:00:00.000Z INFO  [alembic.runtime.migration] Running upgrade a1 -> b2, add"
            .to_owned(),
        "2024-05-01T10:00:00.001Z Traceback (most recent call last):".to_owned(),
        "2024-05-01T10:00:00.002Z   File \"/app/migrations/versions/b2_add.py\", line 21, in upgrade"
            .to_owned(),
        "2024-05-01T10:00:00.003Z     op.add_column(\"users\", sa.Column(\"email\", sa.Text()))"
            .to_owned(),
    ];
    for depth in 0..150 {
        log.push(format!(
            "2024-05-01T10:00:00.004Z   File \"/usr/lib/python3.12/site-packages/sqlalchemy/x{depth}.py\", line {depth}, in f"
        ));
        log.push("2024-05-01T10:00:00.005Z     call()".to_owned());
    }
    log.push(
        "2024-05-01T10:00:00.006Z sqlalchemy.exc.ProgrammingError: column \"email\" exists"
            .to_owned(),
    );
    let found = Recognizer::new(None, &BTreeMap::new())
        .expect("no pattern")
        .scan(&log);
    assert_eq!(found[0].path, "/app/migrations/versions/b2_add.py");
    assert_eq!(found[0].line, Some(21));
}
