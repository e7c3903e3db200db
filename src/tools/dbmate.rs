//! dbmate: `dbmate migrate`. Migrations are named by file name. `--no-dump-schema`: a deploy task
//! has no use for the schema.sql dbmate would otherwise write after every change (and would
//! need pg_dump in the image for it).

use std::sync::LazyLock;

use regex::Regex;

use super::output::{captured, status_rows};
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, MigrationTool, StatusReport, ToolId,
    one_step_only,
};
use crate::migration_errors::{Found, Line};

pub struct Dbmate;

const DEFAULT_DIR: &str = "db/migrations";

/// `Applied: 20240101120000_create_widgets.sql in 2.124321ms`
static APPLIED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^Applied: (\S+) in ").expect("valid regex"));
/// `[X] 20240101120000_create_widgets.sql` in `dbmate status`.
static STATUS_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[([ X])\] (\S+)$").expect("valid regex"));

/// `dbmate [--migrations-dir DIR] --no-dump-schema <command>`
fn dbmate(settings: &CommandSettings, command: &str) -> Argv {
    let mut argv = vec!["dbmate".to_owned()];
    if settings.migrations_dir != DEFAULT_DIR {
        argv.extend([
            "--migrations-dir".to_owned(),
            settings.migrations_dir.clone(),
        ]);
    }
    argv.extend(["--no-dump-schema".to_owned(), command.to_owned()]);
    argv
}

impl MigrationTool for Dbmate {
    fn id(&self) -> ToolId {
        ToolId::Dbmate
    }

    /// Its table.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &["schema_migrations"]
    }

    /// dbmate counts a query error's line from the `-- migrate:up` directive, and only blank and
    /// comment lines may come before it: the file's line is the directive's line plus `line - 1`.
    /// None when the file has no directive (it is not the file dbmate ran); unchanged when the
    /// file cannot be read.
    fn file_line(&self, line: u32, read: &dyn Fn() -> Option<String>) -> Option<u32> {
        let Some(text) = read() else {
            return Some(line);
        };
        let directive = text.lines().position(|text| {
            text.strip_prefix("--")
                .map(str::trim_start)
                .and_then(|rest| rest.strip_prefix("migrate:up"))
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
        })?;
        u32::try_from(directive).ok()?.checked_add(line)
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        let is_sql = |name: &str| name.ends_with(".sql");
        if let Some(file) = checkout.file_with_marker(DEFAULT_DIR, is_sql, "-- migrate:up", 3) {
            return Some(format!("{DEFAULT_DIR}/{file} with -- migrate:up"));
        }
        checkout
            .mentions("package.json", "\"dbmate\"")
            .then(|| "dbmate in package.json".to_owned())
    }

    fn default_migrations_dir(&self) -> &'static str {
        DEFAULT_DIR
    }

    fn up_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(dbmate(settings, "migrate"))
    }

    fn down_command(
        &self,
        target: &DownTarget,
        settings: &CommandSettings,
    ) -> Result<Argv, CommandError> {
        one_step_only(
            ToolId::Dbmate,
            target,
            dbmate(settings, "rollback"),
            "run `down` once per migration",
        )
    }

    fn status_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(dbmate(settings, "status"))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        captured(lines, &APPLIED)
    }

    /// Migrations are the files; the version is the last applied one's leading digits.
    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        let mut report = status_rows(lines, &STATUS_ROW, "X");
        report.version = report
            .applied
            .last()
            .map(|name| super::output::leading_version(name));
        report
    }

    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        scan_failures(lines, found);
    }
}

const TOOL: &str = ToolId::Dbmate.as_str();

/// dbmate: `Applying: 20240101120000_add_email.sql`, then `Applied: … in 12ms` once per
/// `-- migrate:up` section run (printed even when the section failed), then `Error: <database
/// error>` from its `main`. The file is named without its directory; dbmate's default,
/// `db/migrations`, is assumed. For PostgreSQL the error starts `line: 5, column: 8, position:
/// 161: ` (dbmate's `QueryError`): the line counts from the failing section's `-- migrate:up`
/// line, which is the file's first line in dbmate's template, so it is the file's line when the
/// first section failed; [`crate::migration_errors::locate::resolve_in`] adds any comment lines above the directive.
/// A later section's line cannot be placed without the file, so none is given then.
fn scan_failures(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static POSITION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^line: (\d+), column: \d+, position: \d+: (.*)$").expect("valid")
    });
    let mut applying: Option<&str> = None;
    let mut sections_run = 0;
    for line in lines {
        let text = line.text.trim_end();
        if let Some(file) = text.strip_prefix("Applying: ") {
            applying = Some(file.trim());
            sections_run = 0;
        } else if let Some(applied) = text.strip_prefix("Applied: ") {
            if applying.is_some_and(|file| applied.starts_with(&format!("{file} in "))) {
                sections_run += 1;
            }
        } else if let (Some(file), Some(error)) = (applying, text.strip_prefix("Error: ")) {
            let path = format!("db/migrations/{file}");
            let (line_number, message) = match POSITION.captures(error) {
                Some(captures) => (
                    captures[1].parse().ok().filter(|_| sections_run <= 1),
                    captures.get(2).map_or(error, |message| message.as_str()),
                ),
                None => (None, error),
            };
            found.push(Found::new(line.at, TOOL, &path, line_number, message));
            applying = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::assert_recorded_lifecycle;
    use super::*;

    const CREATE: &str = "20240101120000_create_widgets.sql";
    const PRICE: &str = "20240102120000_add_price_to_widgets.sql";

    #[test]
    fn reads_the_real_dbmate_2_26_outputs() {
        assert_recorded_lifecycle(
            &Dbmate,
            "dbmate",
            (CREATE, PRICE),
            ("20240102120000", Some("20240101120000")),
        );
    }

    #[test]
    fn a_non_default_directory_is_passed_on() {
        let settings = CommandSettings {
            migrations_dir: "sql/migrations".into(),
            data_source: None,
        };
        assert_eq!(
            Dbmate.up_command(&settings).unwrap(),
            [
                "dbmate",
                "--migrations-dir",
                "sql/migrations",
                "--no-dump-schema",
                "migrate"
            ]
        );
        assert!(
            Dbmate
                .down_command(&DownTarget::Steps(2), &settings)
                .is_err()
        );
    }

    #[test]
    fn lines_count_from_the_up_directive() {
        let plain = "-- migrate:up\nUPDATE widgets\n   SET x = y;\n-- migrate:down\n";
        let file = |text: &'static str| move || Some(text.to_owned());
        assert_eq!(Dbmate.file_line(3, &file(plain)), Some(3));
        let commented = "-- Backfill prices.\n\n--   migrate:up transaction:false\nUPDATE w;\n";
        assert_eq!(Dbmate.file_line(2, &file(commented)), Some(4));
        assert_eq!(
            Dbmate.file_line(1, &file("-- migrate:upgrade\nUPDATE w;\n")),
            None
        );
        assert_eq!(Dbmate.file_line(7, &|| None), Some(7));
    }
}
