//! Flyway: `flyway migrate`. Migrations are named by version (`2`, `1.01`). Flyway Community has
//! no undo; `flyway info` is the status, one table row per migration with its state.

use std::sync::LazyLock;

use regex::Regex;

use super::output::{captured, plain};
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, HalfMigrated, MigrationTool,
    StatusReport, ToolId, argv,
};
use crate::migration_errors::{Found, Line};

mod failure;

pub struct Flyway;

/// `Migrating schema "public" to version "15 - notification …"` (Flyway ≥ 7 quotes it) or
/// `… to version 1 - Init` (older).
static MIGRATING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"Migrating schema \S+ to version "?([^\s"]+)(?: - |"|$)"#).expect("valid regex")
});
/// `Current version of schema "public": 14` (or `<< Empty Schema >>`), printed before migrating.
static CURRENT_VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"Current version of schema "[^"]*": (\S+)"#).expect("valid regex")
});
static FAILED_MIGRATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Detected failed migration to version ([^\s(]+)").expect("valid regex")
});

/// Flyway's MigrationState display names that count as applied.
const APPLIED_STATES: [&str; 7] = [
    "Success",
    "Out of Order",
    "Baseline",
    "Missing",
    "Future",
    "Outdated",
    "Superseded",
];
const PENDING_STATES: [&str; 3] = ["Pending", "Above Target", "Ignored"];

impl MigrationTool for Flyway {
    fn id(&self) -> ToolId {
        ToolId::Flyway
    }

    /// Its table.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &["flyway_schema_history"]
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        let configs = [
            "flyway.conf",
            "flyway.toml",
            "conf/flyway.conf",
            "conf/flyway.toml",
        ];
        if let Some(config) = checkout.first_file(&configs) {
            return Some(config.to_owned());
        }
        ["sql", "db/migration", "src/main/resources/db/migration"]
            .into_iter()
            .find_map(|dir| {
                let files = checkout.files_in(dir);
                let versioned = files.iter().find(|name| is_versioned(name))?;
                Some(format!("{dir}/{versioned}"))
            })
    }

    fn default_migrations_dir(&self) -> &'static str {
        // The command line's default location, `filesystem:sql`.
        "sql"
    }

    fn up_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["flyway", "migrate"]))
    }

    fn down_command(&self, _: &DownTarget, _: &CommandSettings) -> Result<Argv, CommandError> {
        Err(CommandError::NoDown {
            tool: ToolId::Flyway,
            instead: "Flyway Community has no undo; write a new versioned migration that reverts \
                      the change (or, with Flyway Teams/Enterprise, set commands.down to \
                      [flyway, undo])",
        })
    }

    fn status_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["flyway", "info"]))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        captured(lines, &MIGRATING)
    }

    /// `flyway migrate` prints the schema's current version before migrating.
    fn before_by_up(&self, lines: &[&str]) -> Option<String> {
        lines
            .iter()
            .find_map(|line| {
                CURRENT_VERSION
                    .captures(line)
                    .map(|found| found[1].to_owned())
            })
            .filter(|version| version != "<<")
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        let mut report = StatusReport::default();
        let mut failed = None;
        for line in lines.iter().map(|line| plain(line)) {
            let Some((version, state)) = info_row(&line) else {
                continue;
            };
            if APPLIED_STATES.contains(&state.as_str()) {
                report.applied.push(version);
            } else if PENDING_STATES.contains(&state.as_str()) {
                report.pending.push(version);
            } else if state.starts_with("Failed") {
                failed.get_or_insert(version);
            }
        }
        report.version = report.applied.last().cloned();
        report.half_migrated = failed
            .map(failed_entry)
            .or_else(|| self.half_migrated(lines));
        report
    }

    fn half_migrated(&self, lines: &[&str]) -> Option<HalfMigrated> {
        lines.iter().find_map(|line| {
            FAILED_MIGRATION
                .captures(&plain(line))
                .map(|found| failed_entry(found[1].to_owned()))
        })
    }

    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        failure::scan(lines, found);
    }
}

fn failed_entry(version: String) -> HalfMigrated {
    HalfMigrated {
        state: "failed",
        fix: format!(
            "undo what migration {version} changed, then `flyway repair` to remove its failed \
             entry from the schema history, and migrate again"
        ),
        migration: Some(version),
    }
}

/// `| Versioned | 2 | desc | SQL | 2024-… | Success | No |` → (version, state).
fn info_row(line: &str) -> Option<(String, String)> {
    let cells: Vec<&str> = line.strip_prefix('|')?.split('|').map(str::trim).collect();
    let [
        category,
        version,
        _description,
        _type,
        _installed_on,
        state,
        ..,
    ] = cells.as_slice()
    else {
        return None;
    };
    if *category == "Category" {
        return None;
    }
    // Repeatable migrations have no version; they are named by description elsewhere.
    let name = if version.is_empty() {
        _description
    } else {
        version
    };
    Some(((*name).to_owned(), (*state).to_owned()))
}

fn is_versioned(name: &str) -> bool {
    name.strip_prefix('V')
        .and_then(|rest| rest.split_once("__"))
        .is_some_and(|(version, _)| {
            !version.is_empty()
                && version
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
        })
        && name.ends_with(".sql")
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{borrowed, lines, names};
    use super::*;

    fn status(case: &str) -> StatusReport {
        Flyway.parse_status(&borrowed(&lines("flyway", case)))
    }

    #[test]
    fn reads_recorded_flyway_info_tables() {
        let pending = status("info-pending");
        assert_eq!(
            (pending.applied.len(), pending.pending),
            (0, names(&["1.01", "2", "3"]))
        );
        assert_eq!(pending.version, None);

        let applied = status("info-applied");
        assert_eq!(applied.applied.len(), 8);
        assert!(applied.pending.is_empty());
        // Out-of-order rows count as applied; the version is the last row Flyway lists.
        assert_eq!(applied.version.as_deref(), Some("201803280919"));

        let failed = status("info-failed");
        assert_eq!(
            (failed.applied, failed.pending),
            (names(&["1"]), names(&["3"]))
        );
        let half = failed.half_migrated.unwrap();
        assert_eq!(
            (half.state, half.migration.as_deref()),
            ("failed", Some("2"))
        );
        assert!(half.fix.contains("`flyway repair`"));
    }

    #[test]
    fn reads_recorded_migrate_outputs() {
        assert_eq!(
            Flyway.applied_by_up(&borrowed(&lines("flyway", "up"))),
            names(&["1"])
        );
        assert_eq!(
            Flyway.applied_by_up(&borrowed(&lines("flyway", "up-cli"))),
            names(&["15", "16"])
        );
        // The version before: from an empty schema none, else the one Flyway names.
        assert_eq!(Flyway.before_by_up(&borrowed(&lines("flyway", "up"))), None);
        assert_eq!(
            Flyway
                .before_by_up(&borrowed(&lines("flyway", "up-cli")))
                .as_deref(),
            Some("14")
        );
    }

    #[test]
    fn down_names_the_alternatives_and_detection_sees_versioned_files() {
        let settings = CommandSettings {
            migrations_dir: "sql".into(),
            data_source: None,
        };
        let error = Flyway
            .down_command(&DownTarget::Steps(1), &settings)
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("flyway cannot migrate down: Flyway Community has no undo")
        );
        assert!(is_versioned("V1__init.sql") && is_versioned("V1.2__add.sql"));
        assert!(!is_versioned("R__views.sql") && !is_versioned("V1_init.sql"));
    }
}
