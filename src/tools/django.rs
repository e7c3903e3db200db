//! Django: `manage.py migrate`. Migrations are named `app.name` (`inventory.0002_widget_price`),
//! the form `showmigrations --plan` prints; going down is per app, to a named migration.

use std::sync::LazyLock;

use regex::Regex;

use super::output::{captured, status_rows};
use super::python_traceback;
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, MigrationTool, StatusReport, ToolId,
    argv,
};
use crate::migration_errors::{Found, Line};

pub struct Django;

/// `  Applying inventory.0001_initial... OK`
static APPLIED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*Applying (\S+?)\.\.\. OK").expect("valid regex"));
/// `[X]  inventory.0001_initial` in `showmigrations --plan`.
static PLAN_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[([ X])\]\s+(\S+)").expect("valid regex"));

/// `python3`, not `python`: Debian's Python images have only `python3`; the official ones both.
const PYTHON: &str = "python3";

impl MigrationTool for Django {
    fn id(&self) -> ToolId {
        ToolId::Django
    }

    /// Its table.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &["django_migrations"]
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        checkout
            .is_file("manage.py")
            .then(|| "manage.py".to_owned())
    }

    fn default_migrations_dir(&self) -> &'static str {
        // Each app keeps its own `<app>/migrations/`; they all sit under the project root.
        "."
    }

    fn up_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv([PYTHON, "manage.py", "migrate", "--noinput"]))
    }

    fn down_command(&self, target: &DownTarget, _: &CommandSettings) -> Result<Argv, CommandError> {
        let unsupported = |asked: String| CommandError::UnsupportedDown {
            tool: ToolId::Django,
            asked,
            instead: "Django migrates down per app, to a named migration: use --to \
                      app.migration (e.g. inventory.0001_initial), or app.zero to undo all of \
                      an app's migrations"
                .to_owned(),
        };
        match target {
            DownTarget::Steps(steps) => Err(unsupported(format!("{steps} steps"))),
            DownTarget::To(target) => match target.split_once('.') {
                Some((app, name)) if !app.is_empty() && !name.is_empty() => Ok(argv([
                    PYTHON,
                    "manage.py",
                    "migrate",
                    "--noinput",
                    app,
                    name,
                ])),
                _ => Err(unsupported(format!("to {target}"))),
            },
        }
    }

    fn status_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv([PYTHON, "manage.py", "showmigrations", "--plan"]))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        captured(lines, &APPLIED)
    }

    /// The plan is in dependency order, so the last applied entry is the newest.
    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        status_rows(lines, &PLAN_ROW, "X")
    }

    /// A traceback while one of its migrations runs (see [`python_traceback`]).
    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        python_traceback::failures(lines, ToolId::Django, found);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{borrowed, lines};
    use super::*;

    fn status(case: &str) -> StatusReport {
        Django.parse_status(&borrowed(&lines("django", case)))
    }

    #[test]
    fn reads_the_real_django_3_2_outputs() {
        let before = status("status-before");
        assert!(before.applied.is_empty());
        assert_eq!(before.pending.len(), 16);
        assert_eq!(before.pending[0], "contenttypes.0001_initial");
        assert_eq!(before.version, None);

        let applied = Django.applied_by_up(&borrowed(&lines("django", "up")));
        assert_eq!(applied.len(), 16);
        assert_eq!(applied.last().unwrap(), "inventory.0002_widget_price_cents");

        let after = status("status-after");
        assert_eq!((after.applied.len(), after.pending.len()), (16, 0));
        assert_eq!(
            after.version.as_deref(),
            Some("inventory.0002_widget_price_cents")
        );

        assert!(
            Django
                .applied_by_up(&borrowed(&lines("django", "down")))
                .is_empty()
        );
        let after_down = status("status-after-down");
        assert_eq!(
            after_down.pending,
            vec!["inventory.0002_widget_price_cents"]
        );
        assert_eq!(
            after_down.version.as_deref(),
            Some("inventory.0001_initial")
        );
    }

    #[test]
    fn down_needs_an_app_and_a_migration() {
        let settings = CommandSettings {
            migrations_dir: ".".into(),
            data_source: None,
        };
        assert_eq!(
            Django
                .down_command(&DownTarget::To("inventory.0001_initial".into()), &settings)
                .unwrap(),
            argv([
                "python3",
                "manage.py",
                "migrate",
                "--noinput",
                "inventory",
                "0001_initial"
            ])
        );
        assert_eq!(
            Django
                .down_command(&DownTarget::To("inventory.zero".into()), &settings)
                .unwrap(),
            argv([
                "python3",
                "manage.py",
                "migrate",
                "--noinput",
                "inventory",
                "zero"
            ])
        );
        let error = Django
            .down_command(&DownTarget::Steps(1), &settings)
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("django cannot migrate down 1 steps: Django migrates down per app")
        );
        assert!(
            Django
                .down_command(&DownTarget::To("0001_initial".into()), &settings)
                .is_err()
        );
    }
}
