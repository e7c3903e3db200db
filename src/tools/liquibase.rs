//! Liquibase: `liquibase update`. Change sets are named `path::id::author`, as Liquibase prints
//! them. No single Liquibase command lists both applied and pending change sets, so the status
//! command runs `history` then `status --verbose` under `sh -c` (the `liquibase` launcher is
//! itself a shell script, so any image that runs Liquibase has a shell).

use std::sync::LazyLock;

use regex::Regex;

use super::output::{captured, plain};
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, HalfMigrated, MigrationTool,
    StatusReport, ToolId, argv,
};
use crate::migration_errors::{Found, Line};

pub struct Liquibase;

/// `Running Changeset: db/changelog/changes/001-create-widgets.sql::create-widgets::maria.keller`
static RUNNING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^Running Changeset: (\S+::\S+)").expect("valid regex"));
/// The change set lines under `N changesets have not been applied to …`.
static PENDING_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+(\S+::\S+::\S+)$").expect("valid regex"));
static NOT_APPLIED_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d+ changesets? (?:has|have) not been applied").expect("valid regex")
});

const CHANGELOGS: [&str; 5] = [
    "db/changelog/db.changelog-master.yaml",
    "db/changelog/db.changelog-master.yml",
    "db/changelog/db.changelog-master.xml",
    "changelog.xml",
    "changelog.yaml",
];

impl MigrationTool for Liquibase {
    fn id(&self) -> ToolId {
        ToolId::Liquibase
    }

    /// Its tables (DATABASECHANGELOG and its lock).
    fn bookkeeping(&self) -> &'static [&'static str] {
        &["databasechangelog", "could not acquire change log lock"]
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        if checkout.is_file("liquibase.properties") {
            return Some("liquibase.properties".to_owned());
        }
        checkout.first_file(&CHANGELOGS).map(str::to_owned)
    }

    fn default_migrations_dir(&self) -> &'static str {
        "db/changelog"
    }

    fn up_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["liquibase", "update"]))
    }

    fn down_command(&self, target: &DownTarget, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(match target {
            DownTarget::Steps(steps) => {
                argv(["liquibase", "rollback-count", &format!("--count={steps}")])
            }
            // Liquibase rolls back to a tag (set by `liquibase tag` or a tagDatabase change).
            DownTarget::To(tag) => argv(["liquibase", "rollback", &format!("--tag={tag}")]),
        })
    }

    fn status_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv([
            "sh",
            "-c",
            "liquibase history && liquibase status --verbose",
        ]))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        captured(lines, &RUNNING)
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        let mut report = StatusReport::default();
        let mut in_pending = false;
        for line in lines.iter().map(|line| plain(line)) {
            if let Some(changeset) = history_row(&line) {
                report.applied.push(changeset);
                continue;
            }
            if NOT_APPLIED_HEADER.is_match(&line) {
                in_pending = true;
            } else if let (true, Some(row)) = (in_pending, PENDING_ROW.captures(&line)) {
                report.pending.push(row[1].to_owned());
            } else {
                in_pending = false;
            }
        }
        report.version = report.applied.last().cloned();
        report.half_migrated = self.half_migrated(lines);
        report
    }

    fn half_migrated(&self, lines: &[&str]) -> Option<HalfMigrated> {
        // A task stopped mid-update leaves DATABASECHANGELOGLOCK held; every later update waits
        // for it, then fails.
        lines
            .iter()
            .any(|line| line.contains("Could not acquire change log lock"))
            .then(|| HalfMigrated {
                state: "changelog lock held",
                migration: None,
                fix: "make sure no other update is running, then `liquibase release-locks`"
                    .to_owned(),
            })
    }

    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        scan_failures(lines, found);
    }
}

/// `| 6519781123 | 12/6/26, 1:16 AM | path | author | id | tag |` → `path::id::author`.
fn history_row(line: &str) -> Option<String> {
    let cells: Vec<&str> = line.strip_prefix('|')?.split('|').map(str::trim).collect();
    let [deployment, _date, path, author, id, ..] = cells.as_slice() else {
        return None;
    };
    let is_row = deployment.chars().all(|c| c.is_ascii_digit()) && !deployment.is_empty();
    is_row.then(|| format!("{path}::{id}::{author}"))
}

const TOOL: &str = ToolId::Liquibase.as_str();

/// How far after the failure line `Reason:` or the database error is looked for.
const REASON_WINDOW: usize = 15;

/// Liquibase (CLI, Maven/Gradle, Spring Boot, Quarkus): a failed change set is named as
/// `<changelog path>::<id>::<author>` in `Migration failed for change set …:` (`changeset` from
/// 4.x), `ChangeSet … encountered an exception.` or `Change Set … failed.`, followed by
/// `Reason: <database error>`. The changelog path is relative to Liquibase's search path (often
/// `src/main/resources`); [`crate::migration_errors::locate`] finds it. Liquibase gives no line.
/// Validation failures (check sums, duplicate ids) list several change sets and name none here.
fn scan_failures(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static FAILED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"(?:Migration failed for change ?set (?P<a>\S+?)::\S+::\S*?:",
            r"|ChangeSet (?P<b>\S+?)::\S+::\S* encountered an exception",
            r"|Change Set (?P<c>\S+?)::\S+::\S* failed\.)(?P<rest>.*)",
        ))
        .expect("valid")
    });
    for (index, line) in lines.iter().enumerate() {
        let text = line.text;
        let candidate = text.contains("Migration failed for change")
            || text.contains("encountered an exception")
            || text.contains("Change Set ");
        if !candidate {
            continue;
        }
        let Some(captures) = FAILED.captures(text) else {
            continue;
        };
        let Some(path) = ["a", "b", "c"]
            .into_iter()
            .find_map(|group| captures.name(group))
        else {
            continue;
        };
        let path = path.as_str();
        let path = path.strip_prefix("classpath:").unwrap_or(path);
        let path = path.trim_start_matches('/');
        let on_line = captures["rest"].trim().trim_start_matches("Error:").trim();
        let message = reason(&lines[index + 1..])
            .or_else(|| (!on_line.is_empty()).then(|| on_line.to_owned()))
            .unwrap_or_else(|| "change set failed".to_owned());
        found.push(Found::new(line.at, TOOL, path, None, &message));
    }
}

/// `Reason: liquibase.exception.DatabaseException: ERROR: …` (the text may be on the next line),
/// or the `DatabaseException` line Spring Boot prints after a blank line.
fn reason(lines: &[Line<'_>]) -> Option<String> {
    let mut texts = lines
        .iter()
        .take(REASON_WINDOW)
        .map(|line| line.text.trim());
    while let Some(text) = texts.next() {
        if let Some(reason) = text.strip_prefix("Reason:") {
            let reason = reason.trim();
            let reason = if reason.is_empty() {
                texts.next().unwrap_or_default()
            } else {
                reason
            };
            return Some(without_exception_class(reason).to_owned());
        }
        if text.starts_with("liquibase.exception.DatabaseException:") {
            return Some(without_exception_class(text).to_owned());
        }
    }
    None
}

fn without_exception_class(text: &str) -> &str {
    text.strip_prefix("liquibase.exception.DatabaseException:")
        .map_or(text, str::trim)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{borrowed, lines, names};
    use super::*;

    const CREATE: &str =
        "db/changelog/changes/001-create-widgets.sql::create-widgets::maria.keller";
    const PRICE: &str =
        "db/changelog/changes/002-add-price-to-widgets.sql::add-widget-price-cents::maria.keller";
    const INDEX: &str =
        "db/changelog/changes/002-add-price-to-widgets.sql::index-widget-name::maria.keller";

    fn status(case: &str) -> StatusReport {
        Liquibase.parse_status(&borrowed(&lines("liquibase", case)))
    }

    #[test]
    fn reads_the_real_liquibase_4_28_outputs() {
        let before = status("status-before");
        assert_eq!(
            (before.applied.len(), before.pending),
            (0, names(&[CREATE, PRICE, INDEX]))
        );

        let up = Liquibase.applied_by_up(&borrowed(&lines("liquibase", "up")));
        assert_eq!(up, names(&[CREATE, PRICE, INDEX]));
        let after = status("status-after");
        assert_eq!(
            (after.applied, after.pending.len()),
            (names(&[CREATE, PRICE, INDEX]), 0)
        );
        assert_eq!(after.version.as_deref(), Some(INDEX));

        assert!(
            Liquibase
                .applied_by_up(&borrowed(&lines("liquibase", "down")))
                .is_empty()
        );
        let after_down = status("status-after-down");
        assert_eq!(
            (after_down.applied, after_down.pending),
            (names(&[CREATE, PRICE]), names(&[INDEX]))
        );
        assert_eq!(after_down.half_migrated, None);
    }

    #[test]
    fn names_a_held_changelog_lock() {
        let up = lines("liquibase", "up-changelog-locked");
        let half = Liquibase.half_migrated(&borrowed(&up)).unwrap();
        assert_eq!(half.state, "changelog lock held");
        assert!(half.fix.ends_with("`liquibase release-locks`"));
    }

    #[test]
    fn down_counts_change_sets_or_goes_to_a_tag() {
        let settings = CommandSettings {
            migrations_dir: "db/changelog".into(),
            data_source: None,
        };
        assert_eq!(
            Liquibase
                .down_command(&DownTarget::Steps(1), &settings)
                .unwrap(),
            ["liquibase", "rollback-count", "--count=1"]
        );
        assert_eq!(
            Liquibase
                .down_command(&DownTarget::To("v1".into()), &settings)
                .unwrap(),
            ["liquibase", "rollback", "--tag=v1"]
        );
    }
}
