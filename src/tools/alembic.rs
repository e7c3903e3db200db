//! Alembic (SQLAlchemy): `alembic upgrade head`. Migrations are named by revision id; the status
//! is `alembic history --indicate-current`, which lists every revision (newest first) and marks
//! the database's current one, so applied and pending come from one read-only command.

use std::sync::LazyLock;

use regex::Regex;

use super::output::{captured, plain};
use super::python_traceback;
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, MigrationTool, StatusReport, ToolId,
    argv,
};
use crate::migration_errors::{Found, Line};

pub struct Alembic;

/// `INFO  [alembic.runtime.migration] Running upgrade 0001 -> 0002, add price to widgets`
static RUNNING_UPGRADE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"Running upgrade .*?-> ([^\s,]+),").expect("valid regex"));
/// The revision an upgrade starts from: `Running upgrade 0001 -> 0002, …` (empty from base).
static UPGRADE_FROM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"Running upgrade ([^\s,]*) +-> ").expect("valid regex"));
/// `0001 -> 0002 (head) (current), add price to widgets` in `history --indicate-current`.
static HISTORY_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\S.*? -> ([^\s,]+)((?: \([a-z ]+\))*), ").expect("valid regex"));

impl MigrationTool for Alembic {
    fn id(&self) -> ToolId {
        ToolId::Alembic
    }

    /// Its table.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &["alembic_version"]
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        checkout
            .is_file("alembic.ini")
            .then(|| "alembic.ini".to_owned())
    }

    fn default_migrations_dir(&self) -> &'static str {
        // `alembic init alembic` puts the scripts there; alembic.ini's script_location says so.
        "alembic/versions"
    }

    fn up_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["alembic", "upgrade", "head"]))
    }

    fn down_command(&self, target: &DownTarget, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(match target {
            DownTarget::Steps(steps) => argv(["alembic", "downgrade", &format!("-{steps}")]),
            DownTarget::To(revision) => argv(["alembic", "downgrade", revision]),
        })
    }

    fn status_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["alembic", "history", "--indicate-current"]))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        captured(lines, &RUNNING_UPGRADE)
    }

    /// The first `Running upgrade A -> B` names the revision before the run (none from base).
    fn before_by_up(&self, lines: &[&str]) -> Option<String> {
        lines
            .iter()
            .find_map(|line| UPGRADE_FROM.captures(line).map(|found| found[1].to_owned()))
            .filter(|revision| !revision.is_empty())
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        // Newest first, as alembic prints them.
        let rows: Vec<(String, bool)> = lines
            .iter()
            .filter_map(|line| {
                let line = plain(line);
                HISTORY_ROW
                    .captures(&line)
                    .map(|row| (row[1].to_owned(), row[2].contains("(current)")))
            })
            .collect();
        let current = rows.iter().position(|(_, is_current)| *is_current);
        let split = current.unwrap_or(rows.len());
        let mut pending: Vec<String> = rows[..split].iter().map(|(rev, _)| rev.clone()).collect();
        let mut applied: Vec<String> = rows[split..].iter().map(|(rev, _)| rev.clone()).collect();
        pending.reverse();
        applied.reverse();
        StatusReport {
            version: current.map(|index| rows[index].0.clone()),
            applied,
            pending,
            half_migrated: None,
            note: lines
                .iter()
                .any(|line| line.contains("(branchpoint)") || line.contains("(mergepoint)"))
                .then(|| {
                    "the history has branches: applied and pending follow the printed order, \
                 which is exact only for a linear history"
                        .to_owned()
                }),
        }
    }

    /// A traceback while one of its revisions runs (see [`python_traceback`]).
    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        python_traceback::failures(lines, ToolId::Alembic, found);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{borrowed, lines, names};
    use super::*;

    fn status(case: &str) -> StatusReport {
        Alembic.parse_status(&borrowed(&lines("alembic", case)))
    }

    #[test]
    fn reads_the_real_alembic_1_8_outputs() {
        let before = status("status-before");
        assert_eq!(before.applied, Vec::<String>::new());
        assert_eq!(before.pending, names(&["0001", "0002"]));
        assert_eq!(before.version, None);

        let up = Alembic.applied_by_up(&borrowed(&lines("alembic", "up")));
        assert_eq!(up, names(&["0001", "0002"]));
        // From base: no version before.
        assert_eq!(
            Alembic.before_by_up(&borrowed(&lines("alembic", "up"))),
            None
        );
        let second = ["INFO  [alembic.runtime.migration] Running upgrade 0001 -> 0002, add price"];
        assert_eq!(Alembic.before_by_up(&second).as_deref(), Some("0001"));

        let after = status("status-after");
        assert_eq!(after.applied, names(&["0001", "0002"]));
        assert!(after.pending.is_empty());
        assert_eq!(after.version.as_deref(), Some("0002"));

        assert!(
            Alembic
                .applied_by_up(&borrowed(&lines("alembic", "down")))
                .is_empty()
        );
        assert!(
            Alembic
                .applied_by_up(&borrowed(&lines("alembic", "down-to")))
                .is_empty()
        );
        let after_down = status("status-after-down");
        assert_eq!(after_down.applied, names(&["0001"]));
        assert_eq!(after_down.pending, names(&["0002"]));
        assert_eq!(after_down.version.as_deref(), Some("0001"));
        assert_eq!(after_down.note, None);
    }

    #[test]
    fn down_takes_a_relative_step_or_a_revision() {
        let settings = CommandSettings {
            migrations_dir: "alembic/versions".into(),
            data_source: None,
        };
        assert_eq!(
            Alembic
                .down_command(&DownTarget::Steps(2), &settings)
                .unwrap(),
            argv(["alembic", "downgrade", "-2"])
        );
        assert_eq!(
            Alembic
                .down_command(&DownTarget::To("0001".into()), &settings)
                .unwrap(),
            argv(["alembic", "downgrade", "0001"])
        );
    }
}
