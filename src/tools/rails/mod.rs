//! Rails (Active Record migrations): `bin/rails db:migrate` and friends. Migrations are named by
//! their version, the 14-digit timestamp Rails prints.

use std::sync::LazyLock;

use regex::Regex;

use super::output::{captured, plain, status_rows};
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, MigrationTool, StatusReport, ToolId,
    argv,
};
use crate::migration_errors::{Found, Line};

mod failure;

pub struct Rails;

/// `== 20240502101240 CreateWidgets: migrated (0.0019s) ====`
static MIGRATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^== (\d+) \S+: migrated \(").expect("valid regex"));
/// `   up     20240502101240  Create widgets` in `db:migrate:status`.
static STATUS_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(up|down)\s+(\d+)\s").expect("valid regex"));
/// A migration file: `20240502101240_create_widgets.rb`.
static MIGRATION_FILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d+)_\w+\.rb$").expect("valid regex"));
/// What `db:migrate:status` prints (exit 1) before the first `db:migrate`.
const NO_TABLE_YET: &str = "Schema migrations table does not exist yet";

impl MigrationTool for Rails {
    fn id(&self) -> ToolId {
        ToolId::Rails
    }

    /// Its tables.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &["schema_migrations", "ar_internal_metadata"]
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        (checkout.is_dir("db/migrate") && checkout.is_file("Gemfile"))
            .then(|| "db/migrate/ and Gemfile".to_owned())
    }

    fn default_migrations_dir(&self) -> &'static str {
        "db/migrate"
    }

    fn up_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["bin/rails", "db:migrate"]))
    }

    fn down_command(&self, target: &DownTarget, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(match target {
            DownTarget::Steps(steps) => {
                argv(["bin/rails", "db:rollback", &format!("STEP={steps}")])
            }
            // Migrates down until VERSION is the last one applied.
            DownTarget::To(version) => {
                argv(["bin/rails", "db:migrate", &format!("VERSION={version}")])
            }
        })
    }

    fn status_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["bin/rails", "db:migrate:status"]))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        captured(lines, &MIGRATED)
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        let mut report = status_rows(lines, &STATUS_ROW, "up");
        if lines.iter().any(|line| plain(line).contains(NO_TABLE_YET)) {
            report.note = Some(
                "the schema_migrations table does not exist yet: nothing is applied, and Rails \
                 lists no pending migrations before the first db:migrate"
                    .to_owned(),
            );
        }
        report
    }

    /// Before the first migration, `db:migrate:status` exits 1 saying the schema_migrations
    /// table does not exist yet: nothing is applied, and every migration of the checkout's
    /// migrations directory is pending (Rails lists none itself).
    fn status_of_failure(
        &self,
        lines: &[&str],
        checkout: &Checkout,
        migrations_dir: &str,
    ) -> Option<StatusReport> {
        if !lines.iter().any(|line| plain(line).contains(NO_TABLE_YET)) {
            return None;
        }
        let mut pending: Vec<String> = checkout
            .files_in(migrations_dir)
            .iter()
            .filter_map(|name| {
                MIGRATION_FILE
                    .captures(name)
                    .map(|found| found[1].to_owned())
            })
            .collect();
        pending.sort_by_key(|version| version.parse::<u128>().unwrap_or(u128::MAX));
        Some(StatusReport {
            pending,
            note: Some(format!(
                "the schema_migrations table does not exist yet: nothing is applied, and the \
                 migrations pending are those in {migrations_dir} of the checkout"
            )),
            ..StatusReport::default()
        })
    }

    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        failure::scan(lines, found);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{borrowed, lines, names};
    use super::*;

    fn status(case: &str) -> StatusReport {
        Rails.parse_status(&borrowed(&lines("rails", case)))
    }

    #[test]
    fn reads_the_real_rails_6_1_outputs() {
        let before = status("status-before");
        assert_eq!((before.applied.len(), before.pending.len()), (0, 0));
        assert!(before.note.unwrap().contains("does not exist yet"));

        let up = lines("rails", "up");
        assert_eq!(
            Rails.applied_by_up(&borrowed(&up)),
            names(&["20240502101240", "20240509160311"])
        );
        let after = status("status-after");
        assert_eq!(after.applied, names(&["20240502101240", "20240509160311"]));
        assert!(after.pending.is_empty());
        assert_eq!(after.version.as_deref(), Some("20240509160311"));

        // A rollback reverts; it applies nothing.
        assert!(
            Rails
                .applied_by_up(&borrowed(&lines("rails", "down")))
                .is_empty()
        );
        let after_down = status("status-after-down");
        assert_eq!(after_down.applied, names(&["20240502101240"]));
        assert_eq!(after_down.pending, names(&["20240509160311"]));
        assert_eq!(after_down.version.as_deref(), Some("20240502101240"));
    }

    #[test]
    fn before_the_first_migration_everything_in_the_checkout_is_pending() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("db/migrate")).unwrap();
        for name in [
            "20240509160311_add_price.rb",
            "20240502101240_create.rb",
            "x.txt",
        ] {
            std::fs::write(dir.path().join("db/migrate").join(name), "").unwrap();
        }
        let checkout = Checkout::new(dir.path());
        let before = lines("rails", "status-before");
        let report = Rails
            .status_of_failure(&borrowed(&before), &checkout, "db/migrate")
            .unwrap();
        assert_eq!(report.pending, names(&["20240502101240", "20240509160311"]));
        assert!(report.applied.is_empty() && report.version.is_none());
        // Any other failure of the status command stays a failure.
        let other = ["ActiveRecord::ConnectionNotEstablished"];
        assert!(
            Rails
                .status_of_failure(&other, &checkout, "db/migrate")
                .is_none()
        );
    }

    #[test]
    fn commands_are_the_verified_ones() {
        let settings = CommandSettings {
            migrations_dir: "db/migrate".into(),
            data_source: None,
        };
        assert_eq!(
            Rails
                .down_command(&DownTarget::Steps(2), &settings)
                .unwrap(),
            argv(["bin/rails", "db:rollback", "STEP=2"])
        );
        assert_eq!(
            Rails
                .down_command(&DownTarget::To("20240502101240".into()), &settings)
                .unwrap(),
            argv(["bin/rails", "db:migrate", "VERSION=20240502101240"])
        );
    }
}
