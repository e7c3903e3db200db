//! goose: `goose -dir DIR up`. The database comes from goose's own environment variables
//! (GOOSE_DRIVER, GOOSE_DBSTRING), so no shell is needed. Migrations are named by file name.

use std::sync::LazyLock;

use regex::Regex;

use super::output::{leading_version, plain_go_log};
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, MigrationTool, StatusReport, ToolId,
};
use crate::migration_errors::{Found, Line};

pub struct Goose;

/// `OK   00297_initial_warehouse_version.sql (13.48ms)`
static OK_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^OK\s+(\S+\.(?:sql|go))").expect("valid regex"));
/// `    Pending                  -- 000761_add_rollup_table.sql` /
/// `    Fri Mar 20 02:38:41 2017 -- 000001_baseline_schema.sql`
static STATUS_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+(\S.*?)\s+-- (\S+)$").expect("valid regex"));

fn goose(settings: &CommandSettings, command: &[&str]) -> Argv {
    let mut argv = vec![
        "goose".to_owned(),
        "-dir".to_owned(),
        settings.migrations_dir.clone(),
    ];
    argv.extend(command.iter().map(|part| (*part).to_owned()));
    argv
}

impl MigrationTool for Goose {
    fn id(&self) -> ToolId {
        ToolId::Goose
    }

    /// Its table.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &["goose_db_version", "failed to insert new goose version"]
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        let is_sql = |name: &str| name.ends_with(".sql");
        ["migrations", "db/migrations"].into_iter().find_map(|dir| {
            checkout
                .file_with_marker(dir, is_sql, "-- +goose", 3)
                .map(|file| format!("{dir}/{file} with -- +goose"))
        })
    }

    fn default_migrations_dir(&self) -> &'static str {
        "migrations"
    }

    fn up_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(goose(settings, &["up"]))
    }

    fn down_command(
        &self,
        target: &DownTarget,
        settings: &CommandSettings,
    ) -> Result<Argv, CommandError> {
        match target {
            DownTarget::Steps(1) => Ok(goose(settings, &["down"])),
            DownTarget::Steps(steps) => Err(CommandError::UnsupportedDown {
                tool: ToolId::Goose,
                asked: format!("{steps} steps"),
                instead: "goose goes down one migration per call, or down to a version: use \
                          --to VERSION"
                    .to_owned(),
            }),
            DownTarget::To(version) => Ok(goose(settings, &["down-to", version])),
        }
    }

    fn status_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(goose(settings, &["status"]))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        lines
            .iter()
            .filter_map(|line| {
                OK_LINE
                    .captures(&plain_go_log(line))
                    .map(|found| found[1].to_owned())
            })
            .collect()
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        let mut report = StatusReport::default();
        for line in lines.iter().map(|line| plain_go_log(line)) {
            let Some(row) = STATUS_ROW.captures(&line) else {
                continue;
            };
            if &row[1] == "Pending" {
                report.pending.push(row[2].to_owned());
            } else if &row[1] != "Applied At" {
                report.applied.push(row[2].to_owned());
            }
        }
        report.version = report.applied.last().map(|name| leading_version(name));
        report
    }

    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        scan_failures(lines, found);
    }
}

const TOOL: &str = ToolId::Goose.as_str();

/// goose: `goose run: ERROR 00002_add_email.sql: failed to run SQL migration: <error>`
/// (also after `panic: ` when goose is used as a library). It names only the file.
fn scan_failures(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static FAILED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\bERROR (\S+\.(?:sql|go)): (failed to (?:run|parse) (?:SQL|Go) migration.*)")
            .expect("valid")
    });
    for line in lines {
        if !line.text.contains("ERROR ") || !line.text.contains(" migration") {
            continue;
        }
        if let Some(captures) = FAILED.captures(line.text) {
            let message = captures[2]
                .strip_prefix("failed to run SQL migration: ")
                .unwrap_or(&captures[2]);
            found.push(Found::new(line.at, TOOL, &captures[1], None, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{borrowed, lines, names};
    use super::*;

    fn status(case: &str) -> StatusReport {
        Goose.parse_status(&borrowed(&lines("goose", case)))
    }

    #[test]
    fn reads_recorded_goose_outputs() {
        let mixed = status("status-mixed");
        assert_eq!(mixed.applied, names(&["000001_baseline_schema.sql"]));
        assert_eq!(mixed.pending, names(&["000761_add_rollup_table.sql"]));
        assert_eq!(mixed.version.as_deref(), Some("000001"));

        let after = status("status-after");
        assert_eq!(after.applied.len(), 2);
        assert!(after.pending.is_empty());
        assert_eq!(after.version.as_deref(), Some("20240112120057"));

        assert_eq!(
            Goose.applied_by_up(&borrowed(&lines("goose", "up"))),
            names(&["00297_initial_warehouse_version.sql"])
        );
        assert_eq!(
            Goose.applied_by_up(&borrowed(&lines("goose", "up-new"))),
            names(&["00002_1_29_alter_table.sql"])
        );
        assert!(
            Goose
                .applied_by_up(&borrowed(&lines("goose", "up-nothing")))
                .is_empty()
        );
    }

    #[test]
    fn down_is_one_step_or_down_to() {
        let settings = CommandSettings {
            migrations_dir: "migrations".into(),
            data_source: None,
        };
        assert_eq!(
            Goose
                .down_command(&DownTarget::Steps(1), &settings)
                .unwrap(),
            ["goose", "-dir", "migrations", "down"]
        );
        assert_eq!(
            Goose
                .down_command(&DownTarget::To("3".into()), &settings)
                .unwrap(),
            ["goose", "-dir", "migrations", "down-to", "3"]
        );
        assert!(
            Goose
                .down_command(&DownTarget::Steps(2), &settings)
                .is_err()
        );
    }
}
