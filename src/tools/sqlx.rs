//! sqlx-cli: `sqlx migrate run`. Migrations are named by version (the number sqlx keys them by
//! and prints, `20240101120000`). Reverting needs reversible migrations (`.up.sql`/`.down.sql`):
//! with simple ones, `sqlx migrate revert` prints "No migrations available to revert" and exits 0.

use std::sync::LazyLock;

use regex::Regex;

use super::output::{captured, plain};
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, HalfMigrated, MigrationTool,
    StatusReport, ToolId,
};
use crate::migration_errors::{Found, Line};

pub struct Sqlx;

const DEFAULT_DIR: &str = "migrations";
/// What `sqlx migrate revert` prints, exiting 0, when it reverts nothing.
const NOTHING_TO_REVERT: &str = "No migrations available to revert";

/// `Applied 20240101120000/migrate create widgets (1.784771ms)`
static APPLIED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^Applied (\d+)/migrate ").expect("valid regex"));
/// `20240102120000/installed (different checksum) add price` in `sqlx migrate info`.
static INFO_ROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d+)/(installed|pending)( \(different checksum\))? ").expect("valid regex")
});
static PARTIALLY_APPLIED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"migration (\d+) is partially applied").expect("valid regex"));
/// `migration 20240101120000 was previously applied but has been modified` (its checksum changed),
/// a half-migrated state and, in `migrate run`'s output, the file to look at.
static MODIFIED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bmigration (\d+) was previously applied but has been modified")
        .expect("valid regex")
});
/// sqlx's own file naming: `<version>_<description>.sql`, versions being timestamps, or a
/// reversible pair's `.up.sql`/`.down.sql`.
static SQLX_FILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{14}_[^.]+(\.up|\.down)?\.sql$").expect("valid regex"));

fn sqlx(settings: &CommandSettings, command: &str) -> Argv {
    let mut argv: Argv = ["sqlx", "migrate", command].map(str::to_owned).into();
    if settings.migrations_dir != DEFAULT_DIR {
        argv.extend(["--source".to_owned(), settings.migrations_dir.clone()]);
    }
    argv
}

impl MigrationTool for Sqlx {
    fn id(&self) -> ToolId {
        ToolId::Sqlx
    }

    /// Its table.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &["_sqlx_migrations"]
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        let files = checkout.files_in(DEFAULT_DIR);
        let first = files.iter().find(|name| name.ends_with(".sql"))?;
        if checkout.mentions("Cargo.toml", "sqlx") {
            return Some(format!("{DEFAULT_DIR}/ and sqlx in Cargo.toml"));
        }
        // Without Cargo.toml (an image built from the migrations alone), sqlx's simple naming
        // is the evidence, unless another tool's marker is in the file.
        let path = format!("{DEFAULT_DIR}/{first}");
        let foreign = ["-- +goose", "-- migrate:up"];
        (SQLX_FILE.is_match(first)
            && !checkout
                .read(&path)
                .is_some_and(|text| foreign.iter().any(|marker| text.contains(marker))))
        .then(|| format!("{path} named as sqlx names migrations (no Cargo.toml to confirm)"))
    }

    fn default_migrations_dir(&self) -> &'static str {
        DEFAULT_DIR
    }

    fn up_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(sqlx(settings, "run"))
    }

    fn down_command(
        &self,
        target: &DownTarget,
        settings: &CommandSettings,
    ) -> Result<Argv, CommandError> {
        let mut revert = sqlx(settings, "revert");
        match target {
            DownTarget::Steps(1) => Ok(revert),
            DownTarget::Steps(steps) => Err(CommandError::UnsupportedDown {
                tool: ToolId::Sqlx,
                asked: format!("{steps} steps"),
                instead: "sqlx reverts one migration per call, or down to a version: use --to \
                          VERSION (0 reverts all)"
                    .to_owned(),
            }),
            DownTarget::To(version) => {
                revert.extend(["--target-version".to_owned(), version.clone()]);
                Ok(revert)
            }
        }
    }

    fn status_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(sqlx(settings, "info"))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        captured(lines, &APPLIED)
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        let mut report = StatusReport::default();
        for line in lines.iter().map(|line| plain(line)) {
            if let Some(row) = INFO_ROW.captures(&line) {
                let list = if &row[2] == "installed" {
                    &mut report.applied
                } else {
                    &mut report.pending
                };
                list.push(row[1].to_owned());
            }
        }
        report.version = report.applied.last().cloned();
        report.half_migrated = self.half_migrated(lines);
        report
    }

    /// With nothing reversible applied (simple migrations, or all reverted), `sqlx migrate
    /// revert` prints this and exits 0: nothing went down, so the down fails.
    fn down_did_nothing(&self, lines: &[&str]) -> Option<String> {
        lines
            .iter()
            .any(|line| plain(line).contains(NOTHING_TO_REVERT))
            .then(|| {
                format!(
                    "sqlx says \"{NOTHING_TO_REVERT}\": no applied migration is reversible \
                     (a reversible one is a <version>_<name>.up.sql/.down.sql pair, `sqlx \
                     migrate add -r`)"
                )
            })
    }

    fn half_migrated(&self, lines: &[&str]) -> Option<HalfMigrated> {
        lines.iter().map(|line| plain(line)).find_map(|line| {
            if let Some(found) = PARTIALLY_APPLIED.captures(&line) {
                return Some(HalfMigrated {
                    state: "partially applied",
                    migration: Some(found[1].to_owned()),
                    fix: format!(
                        "finish or undo migration {} by hand, then `DELETE FROM _sqlx_migrations \
                         WHERE version = {}` and run the migration again",
                        &found[1], &found[1]
                    ),
                });
            }
            let changed = MODIFIED
                .captures(&line)
                .map(|found| found[1].to_owned())
                .or_else(|| {
                    INFO_ROW
                        .captures(&line)
                        .filter(|row| row.get(3).is_some())
                        .map(|row| row[1].to_owned())
                })?;
            Some(HalfMigrated {
                state: "checksum changed",
                migration: Some(changed.clone()),
                fix: format!(
                    "restore migration {changed} as it was applied (sqlx refuses to run while an \
                     applied migration differs) and put the change in a new migration"
                ),
            })
        })
    }

    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        scan_failures(lines, found);
    }
}

const TOOL: &str = ToolId::Sqlx.as_str();

/// `sqlx migrate run` (0.7.4 and later): `error: while executing migration 20240314125700:
/// error returned from database: …`; or, for any version, `error: migration 20240314125700 was
/// previously applied but has been modified` (its checksum changed: the file is what to look at).
/// The file is `migrations/<version>_<description>.sql` (or `.up.sql`), and the description is
/// not in the message. A version `missing in the resolved migrations` has no file to name.
fn scan_failures(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static FAILED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"while executing migration (\d+): (.*)").expect("valid"));
    for line in lines {
        let (version, message) = if line.text.contains("while executing migration ") {
            match FAILED.captures(line.text) {
                Some(captures) => (captures[1].to_owned(), captures[2].to_owned()),
                None => continue,
            }
        } else if line.text.contains(" has been modified") {
            match MODIFIED.captures(line.text) {
                Some(captures) => (captures[1].to_owned(), captures[0].to_owned()),
                None => continue,
            }
        } else {
            continue;
        };
        let path = format!("migrations/{version}_*.sql");
        found.push(Found::new(line.at, TOOL, &path, None, &message));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{borrowed, lines, names};
    use super::*;

    fn status(case: &str) -> StatusReport {
        Sqlx.parse_status(&borrowed(&lines("sqlx", case)))
    }

    #[test]
    fn reads_the_real_sqlx_cli_0_8_6_outputs() {
        let both = names(&["20240101120000", "20240102120000"]);
        let before = status("status-before");
        assert_eq!((before.applied.len(), &before.pending), (0, &both));

        assert_eq!(Sqlx.applied_by_up(&borrowed(&lines("sqlx", "up"))), both);
        let after = status("status-after");
        assert_eq!((&after.applied, after.pending.len()), (&both, 0));
        assert_eq!(after.version.as_deref(), Some("20240102120000"));
        assert_eq!(after.half_migrated, None);

        // Recorded with the same migrations made reversible (.up.sql/.down.sql).
        assert!(
            Sqlx.applied_by_up(&borrowed(&lines("sqlx", "down")))
                .is_empty()
        );
        assert_eq!(
            Sqlx.down_did_nothing(&borrowed(&lines("sqlx", "down"))),
            None
        );
        let nothing = Sqlx.down_did_nothing(&borrowed(&lines("sqlx", "down-irreversible")));
        assert!(
            nothing
                .unwrap()
                .contains("No migrations available to revert")
        );
        let after_down = status("status-after-down");
        assert_eq!(after_down.applied, names(&["20240101120000"]));
        assert_eq!(after_down.pending, names(&["20240102120000"]));
    }

    #[test]
    fn names_partially_applied_and_changed_checksums() {
        let up = lines("sqlx", "up-partially-applied");
        let half = Sqlx.half_migrated(&borrowed(&up)).unwrap();
        assert_eq!(
            (half.state, half.migration.as_deref()),
            ("partially applied", Some("20240102120000"))
        );
        assert!(
            half.fix
                .contains("DELETE FROM _sqlx_migrations WHERE version = 20240102120000")
        );
        // `sqlx migrate info` does not show a partially applied migration at all.
        assert_eq!(status("status-partially-applied").half_migrated, None);

        let changed = status("status-checksum-changed");
        assert_eq!(changed.applied.len(), 2);
        let half = changed.half_migrated.unwrap();
        assert_eq!(
            (half.state, half.migration.as_deref()),
            ("checksum changed", Some("20240102120000"))
        );
        let up = lines("sqlx", "up-checksum-changed");
        assert_eq!(
            Sqlx.half_migrated(&borrowed(&up)).unwrap().state,
            "checksum changed"
        );
    }

    #[test]
    fn down_is_one_step_or_to_a_version() {
        let settings = CommandSettings {
            migrations_dir: "migrations".into(),
            data_source: None,
        };
        assert_eq!(
            Sqlx.down_command(&DownTarget::Steps(1), &settings).unwrap(),
            ["sqlx", "migrate", "revert"]
        );
        assert_eq!(
            Sqlx.down_command(&DownTarget::To("0".into()), &settings)
                .unwrap(),
            ["sqlx", "migrate", "revert", "--target-version", "0"]
        );
        assert!(Sqlx.down_command(&DownTarget::Steps(2), &settings).is_err());
    }
}
