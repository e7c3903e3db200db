//! Rails (Active Record migrations): `bin/rails db:migrate` and friends. Migrations are named by
//! their version, the 14-digit timestamp Rails prints.

use std::sync::LazyLock;

use regex::Regex;

use super::output::{captured, plain};
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, MigrationTool, StatusReport, ToolId,
    argv,
};

pub struct Rails;

/// `== 20240502101240 CreateWidgets: migrated (0.0019s) ====`
static MIGRATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^== (\d+) \S+: migrated \(").expect("valid regex"));
/// `   up     20240502101240  Create widgets` in `db:migrate:status`.
static STATUS_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(up|down)\s+(\d+)\s").expect("valid regex"));

impl MigrationTool for Rails {
    fn id(&self) -> ToolId {
        ToolId::Rails
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
        let mut report = StatusReport::default();
        for line in lines.iter().map(|line| plain(line)) {
            if line.contains("Schema migrations table does not exist yet") {
                report.note = Some(
                    "the schema_migrations table does not exist yet: nothing is applied, and \
                     Rails lists no pending migrations before the first db:migrate"
                        .to_owned(),
                );
            }
            if let Some(row) = STATUS_ROW.captures(&line) {
                let list = if &row[1] == "up" {
                    &mut report.applied
                } else {
                    &mut report.pending
                };
                list.push(row[2].to_owned());
            }
        }
        report.version = report.applied.last().cloned();
        report
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
