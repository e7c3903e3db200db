//! Sequelize (sequelize-cli): `sequelize-cli db:migrate`. Migrations are named by file name
//! without its extension, as `db:migrate` prints them (`db:migrate:status` adds `.js`).

use std::sync::LazyLock;

use regex::Regex;

use super::js_stack;
use super::output::{captured, status_rows};
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, MigrationTool, StatusReport, ToolId,
    argv, one_step_only,
};
use crate::migration_errors::{Found, Line};

pub struct Sequelize;

/// `== 20240101120000-create-widgets: migrated (0.015s)`
static MIGRATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^== (.+): migrated \(").expect("valid regex"));
/// `up 20240101120000-create-widgets.js` / `down …` in `db:migrate:status`.
static STATUS_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(up|down) (\S+)$").expect("valid regex"));

impl MigrationTool for Sequelize {
    fn id(&self) -> ToolId {
        ToolId::Sequelize
    }

    /// SequelizeMeta, its table.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &["sequelizemeta", "sequelize_meta"]
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        if checkout.is_file(".sequelizerc") {
            return Some(".sequelizerc".to_owned());
        }
        (checkout.is_file("config/config.json")
            && checkout.is_dir("migrations")
            && checkout.mentions("package.json", "\"sequelize"))
        .then(|| "config/config.json, migrations/ and sequelize in package.json".to_owned())
    }

    fn default_migrations_dir(&self) -> &'static str {
        "migrations"
    }

    fn up_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["sequelize-cli", "db:migrate"]))
    }

    fn down_command(&self, target: &DownTarget, _: &CommandSettings) -> Result<Argv, CommandError> {
        // `db:migrate:undo:all --to X` reverts X too, so it cannot express "down to X, keep X".
        one_step_only(
            ToolId::Sequelize,
            target,
            argv(["sequelize-cli", "db:migrate:undo"]),
            "run `down` once per migration, or set commands.down to [sequelize-cli, \
             db:migrate:undo:all, --to, NAME] where NAME is the first migration to revert \
             (sequelize reverts it too)",
        )
    }

    fn status_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["sequelize-cli", "db:migrate:status"]))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        captured(lines, &MIGRATED)
    }

    /// Sequelize lists files; migrations are named without their extension, as it logs them.
    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        let mut report = status_rows(lines, &STATUS_ROW, "up");
        for name in report.applied.iter_mut().chain(&mut report.pending) {
            *name = without_extension(name);
        }
        report.version = report.applied.last().cloned();
        report
    }

    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        scan_failures(lines, found);
    }
}

fn without_extension(file: &str) -> String {
    [".js", ".cjs", ".mjs", ".ts"]
        .iter()
        .find_map(|extension| file.strip_suffix(extension))
        .unwrap_or(file)
        .to_owned()
}

const TOOL: &str = ToolId::Sequelize.as_str();

/// How far after the announcement (or the Umzug error) the error and its stack are read.
const ERROR_WINDOW: usize = 300;

/// Sequelize: `sequelize-cli db:migrate` announces `== 20240101-add-email: migrating =======` (the
/// file name, usually without `.js`) and `== …: migrated (0.05s)` when done; a failure leaves the
/// last one unfinished and prints `ERROR: <database error>`. Umzug 3 used directly (or through
/// MikroORM) throws `MigrationError: Migration <name> (up) failed: Original error: <error>`.
/// A stack frame inside the migration file, when there is one, gives its path and line; so does
/// Node's `<path>:<line>` header when a migration does not compile and Node prints one.
fn scan_failures(lines: &[Line<'_>], found: &mut Vec<Found>) {
    cli(lines, found);
    umzug(lines, found);
    js_stack::load_failures(lines, ToolId::Sequelize, found);
}

fn cli(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static ANNOUNCED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^== (\S+): (migrating|reverting|migrated|reverted)\b").expect("valid")
    });
    let mut running: Option<&str> = None;
    for (index, line) in lines.iter().enumerate() {
        let text = line.text.trim();
        if text.starts_with("== ") {
            if let Some(captures) = ANNOUNCED.captures(text) {
                let unfinished = matches!(&captures[2], "migrating" | "reverting");
                running = unfinished.then(|| captures.get(1).map_or("", |name| name.as_str()));
            }
            continue;
        }
        let Some(name) = running else {
            continue;
        };
        let Some(error) = error_text(text) else {
            continue;
        };
        let rest = &lines[index + 1..];
        let message = match extra_message(rest) {
            Some(extra) => format!("{error} ({extra})"),
            None => error.to_owned(),
        };
        found.push(finding(line.at, name, rest, &message));
        running = None;
    }
}

/// The error line sequelize-cli (or an unhandled rejection in old versions) prints.
fn error_text(text: &str) -> Option<&str> {
    if let Some(error) = text.strip_prefix("ERROR:") {
        return Some(error.trim());
    }
    let unhandled = text.starts_with("Possibly unhandled ")
        || text.starts_with("Unhandled rejection ")
        || text.starts_with("SequelizeDatabaseError:")
        || text.starts_with("{ SequelizeDatabaseError:")
        || text.starts_with("{ [SequelizeDatabaseError:");
    unhandled.then_some(text)
}

/// sequelize-cli prints the database's detail on `EXTRA MESSAGE: …` after the stack.
fn extra_message<'a>(lines: &[Line<'a>]) -> Option<&'a str> {
    lines.iter().take(ERROR_WINDOW).find_map(|line| {
        line.text
            .trim()
            .strip_prefix("EXTRA MESSAGE:")
            .map(str::trim)
    })
}

fn umzug(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static FAILED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"Migration (\S+) \((?:up|down)\) failed: (?:Original error: )?(.*)")
            .expect("valid")
    });
    for (index, line) in lines.iter().enumerate() {
        if !line.text.contains(") failed: ") {
            continue;
        }
        if let Some(captures) = FAILED.captures(line.text) {
            let rest = &lines[index + 1..];
            found.push(finding(line.at, &captures[1], rest, &captures[2]));
        }
    }
}

/// The migration's file: from a stack frame inside it, else its name with `.*` when the name
/// has no extension.
fn finding(at: usize, name: &str, rest: &[Line<'_>], message: &str) -> Found {
    if let Some(frame) = js_stack::frame_in_file(rest, ERROR_WINDOW, name) {
        return Found::new(at, TOOL, &frame.path, Some(frame.line), message);
    }
    let has_extension = [".js", ".cjs", ".mjs", ".ts", ".cts", ".mts", ".sql"]
        .iter()
        .any(|extension| name.ends_with(extension));
    let path = if has_extension {
        name.to_owned()
    } else {
        format!("{name}.*")
    };
    Found::new(at, TOOL, &path, None, message)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::assert_recorded_lifecycle;
    use super::*;

    const CREATE: &str = "20240101120000-create-widgets";
    const PRICE: &str = "20240102120000-add-price-to-widgets";

    #[test]
    fn reads_the_real_sequelize_cli_6_6_outputs() {
        assert_recorded_lifecycle(
            &Sequelize,
            "sequelize",
            (CREATE, PRICE),
            (PRICE, Some(CREATE)),
        );
    }

    #[test]
    fn down_is_one_migration_per_call() {
        let settings = CommandSettings {
            migrations_dir: "migrations".into(),
            data_source: None,
        };
        assert_eq!(
            Sequelize
                .down_command(&DownTarget::Steps(1), &settings)
                .unwrap(),
            argv(["sequelize-cli", "db:migrate:undo"])
        );
        let error = Sequelize
            .down_command(&DownTarget::To(CREATE.into()), &settings)
            .unwrap_err();
        assert!(error.to_string().contains("sequelize reverts it too"));
    }
}
