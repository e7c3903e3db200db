use std::fs;

use super::*;

fn file(path: &str, status: FileStatus) -> ChangedFile {
    ChangedFile {
        path: path.to_owned(),
        status,
        previous: None,
    }
}

/// A checkout with these files (path, text).
fn checkout(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn rules(review: &Review) -> Vec<(String, u32, Level)> {
    review
        .findings
        .iter()
        .map(|f| (format!("{}:{}", f.path, f.rule), f.line, f.level))
        .collect()
}

#[test]
fn a_new_sql_migration_is_linted_at_its_lines_and_other_files_are_not_migrations() {
    let tree = checkout(&[
        ("migrations/001_init.sql", "CREATE TABLE t (id bigint);\n"),
        (
            "migrations/002_index.sql",
            "-- speed up lookups\nCREATE INDEX t_id ON t (id);\n",
        ),
        ("app/main.py", "print('hi')\n"),
    ]);
    let changed = [
        file("migrations/002_index.sql", FileStatus::Added),
        file("app/main.py", FileStatus::Modified),
    ];
    let review = review(
        &changed,
        "migrations",
        tree.path(),
        &LintSettings::default(),
    );
    assert_eq!(review.migrations.len(), 1);
    let found = rules(&review);
    assert!(
        found.contains(&(
            "migrations/002_index.sql:require-concurrent-index-creation".to_owned(),
            2,
            Level::Warning
        )),
        "{found:?}"
    );
    // Squawk's other default rules (timeouts, robust statements) are warnings too; nothing
    // is reported for the file that is not a migration.
    assert!(
        found.iter().all(
            |(rule, _, level)| rule.starts_with("migrations/002_index.sql:")
                && *level == Level::Warning
        ),
        "{found:?}"
    );
    assert!(!review.rejected(FailOn::Error));
    assert!(review.rejected(FailOn::Warning));
    assert!(!review.rejected(FailOn::Never));
}

#[test]
fn changing_renaming_or_deleting_an_existing_migration_is_an_error() {
    let tree = checkout(&[
        ("db/migrate/1_a.rb", "class A; end\n"),
        ("db/migrate/2_b2.rb", "class B; end\n"),
    ]);
    let mut renamed = file("db/migrate/2_b2.rb", FileStatus::Renamed);
    renamed.previous = Some("db/migrate/2_b.rb".into());
    let changed = [
        file("db/migrate/1_a.rb", FileStatus::Modified),
        renamed,
        file("db/migrate/3_c.rb", FileStatus::Removed),
    ];
    let review = review(
        &changed,
        "db/migrate",
        tree.path(),
        &LintSettings::default(),
    );
    let found = rules(&review);
    assert_eq!(
        found,
        [
            (
                "db/migrate/1_a.rb:changed-migration".to_owned(),
                1,
                Level::Error
            ),
            (
                "db/migrate/2_b2.rb:renamed-migration".to_owned(),
                1,
                Level::Error
            ),
            (
                "db/migrate/3_c.rb:removed-migration".to_owned(),
                1,
                Level::Error
            ),
        ]
    );
    assert!(review.findings[1].message.contains("db/migrate/2_b.rb"));
    assert!(review.rejected(FailOn::Error));
}

#[test]
fn a_duplicate_version_is_an_error_and_an_older_one_a_warning() {
    let tree = checkout(&[
        ("migrations/20240101_a.up.sql", "SELECT 1;\n"),
        ("migrations/20240101_a.down.sql", "SELECT 1;\n"),
        ("migrations/20240301_c.sql", "SELECT 1;\n"),
        ("migrations/20240301_dup.sql", "SELECT 1;\n"),
        ("migrations/20240201_late.sql", "SELECT 1;\n"),
    ]);
    let changed = [
        file("migrations/20240301_dup.sql", FileStatus::Added),
        file("migrations/20240201_late.sql", FileStatus::Added),
    ];
    let review = review(
        &changed,
        "migrations",
        tree.path(),
        &LintSettings::default(),
    );
    let found = rules(&review);
    assert!(
        found.contains(&(
            "migrations/20240301_dup.sql:duplicate-version".to_owned(),
            1,
            Level::Error
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "migrations/20240201_late.sql:out-of-order".to_owned(),
            1,
            Level::Warning
        )),
        "{found:?}"
    );
    // The .up/.down halves of one migration are not a duplicate.
    assert!(
        !found.iter().any(|(rule, _, _)| rule.contains("20240101")),
        "{found:?}"
    );
}
