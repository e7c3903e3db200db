//! TypeORM (0.3 CLI): `typeorm migration:run -d <data source>`. The data source file is the
//! app's own configuration: detection looks in the usual places, else it must be configured.
//! Migrations are named by class name (`CreateWidgets1704110400000`).

use std::sync::LazyLock;

use regex::Regex;

use super::js_stack::{self, Frame};
use super::output::{captured, status_rows};
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, MigrationTool, StatusReport, ToolId,
    argv, one_step_only,
};
use crate::migration_errors::{Found, Line};

pub struct Typeorm;

/// Where data sources usually live, in the order they are looked for.
const DATA_SOURCES: [&str; 8] = [
    "data-source.js",
    "data-source.ts",
    "src/data-source.ts",
    "src/data-source.js",
    "src/db/data-source.ts",
    "src/database/data-source.ts",
    "dist/data-source.js",
    "ormconfig.ts",
];

/// `Migration CreateWidgets1704110400000 has been  executed successfully.` (two spaces in 0.3.20)
static EXECUTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^Migration (\S+) has been\s+executed successfully").expect("valid regex")
});
/// `[X] 1 CreateWidgets1704110400000` / `[ ] AddPriceToWidgets1704196800000` in `migration:show`.
static SHOW_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[([ X])\] (?:\d+ )?(\S+)$").expect("valid regex"));

/// The data source file of the checkout, if it is in one of the usual places.
pub fn data_source(checkout: &Checkout) -> Option<String> {
    checkout.first_file(&DATA_SOURCES).map(str::to_owned)
}

impl Typeorm {
    fn with_data_source(
        &self,
        settings: &CommandSettings,
        command: &str,
    ) -> Result<Argv, CommandError> {
        let data_source = settings.data_source.as_deref().ok_or(CommandError::MissingSetting {
            tool: ToolId::Typeorm,
            setting: "its data source file",
            why: "the typeorm CLI loads the app's DataSource (`-d`); none was found in the usual \
                  places (data-source.js/ts, src/data-source.ts, …), so configure its path",
        })?;
        Ok(argv(["typeorm", command, "-d", data_source]))
    }
}

impl MigrationTool for Typeorm {
    fn id(&self) -> ToolId {
        ToolId::Typeorm
    }

    /// Its table, `migrations` by default.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &[
            "relation \"migrations\"",
            "table \"migrations\"",
            "`migrations`",
        ]
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        if !checkout.mentions("package.json", "\"typeorm\"") {
            return None;
        }
        Some(match data_source(checkout) {
            Some(file) => format!("typeorm in package.json, data source {file}"),
            None => "typeorm in package.json (no data source file found)".to_owned(),
        })
    }

    fn default_migrations_dir(&self) -> &'static str {
        "migrations"
    }

    fn up_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError> {
        self.with_data_source(settings, "migration:run")
    }

    fn down_command(
        &self,
        target: &DownTarget,
        settings: &CommandSettings,
    ) -> Result<Argv, CommandError> {
        let revert = self.with_data_source(settings, "migration:revert")?;
        one_step_only(
            ToolId::Typeorm,
            target,
            revert,
            "run `down` once per migration",
        )
    }

    fn status_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError> {
        self.with_data_source(settings, "migration:show")
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        captured(lines, &EXECUTED)
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        status_rows(lines, &SHOW_ROW, "X")
    }

    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        scan_failures(lines, found);
    }
}

const TOOL: &str = ToolId::Typeorm.as_str();

/// How far after the failure line the stack is read.
const STACK_WINDOW: usize = 300;

/// TypeORM (`typeorm migration:run`, or `migrationsRun` at start-up): 0.3 prints
/// `Migration "AddEmail1700000000000" failed, error: <database error>` and the error's stack, whose
/// `AddEmail1700000000000.up (/app/dist/migrations/1700000000000-AddEmail.js:9:9)` frame gives the
/// file and line; 0.2 prints only `Error during migration run:` and the stack. Without that frame
/// the file is taken from TypeORM's generator layout, `<timestamp>-<Name>.*`. A migration that does
/// not compile (while the data source loads) is named by Node's `<path>:<line>` header.
fn scan_failures(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static FAILED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"Migration "([^"]+)" failed(?:, error: (.*))?"#).expect("valid")
    });
    let mut named_any = false;
    for (index, line) in lines.iter().enumerate() {
        if !line.text.contains("Migration \"") {
            continue;
        }
        let Some(captures) = FAILED.captures(line.text) else {
            continue;
        };
        let name = &captures[1];
        let message = captures.get(2).map_or("migration failed", |m| m.as_str());
        let frame = migration_frames(&lines[index + 1..]).find(|frame| frame_is_of(frame, name));
        let finding = match frame {
            Some(frame) => Found::new(line.at, TOOL, &frame.path, Some(frame.line), message),
            None => match generated_file_name(name) {
                Some(path) => Found::new(line.at, TOOL, &path, None, message),
                None => continue,
            },
        };
        found.push(finding);
        named_any = true;
    }
    if !named_any {
        without_failure_line(lines, found);
    }
    js_stack::load_failures(lines, ToolId::Typeorm, found);
}

/// 0.2 and `migrationsRun`: the failure shows only in the stack after `Error during migration
/// run:` (or an unhandled `QueryFailedError`), through a migration class's `up`/`down` frame.
fn without_failure_line(lines: &[Line<'_>], found: &mut Vec<Found>) {
    let mut index = 0;
    while index < lines.len() {
        let text = lines[index].text.trim_start();
        let starts = text.starts_with("Error during migration run")
            || text.starts_with("QueryFailedError:")
            || text.starts_with("{ QueryFailedError:");
        if !starts {
            index += 1;
            continue;
        }
        let rest = &lines[index + 1..];
        if let Some(frame) = migration_frames(rest).find(is_migration_class) {
            let message = error_line(&lines[index..]).unwrap_or("migration failed");
            found.push(Found::new(
                lines[index].at,
                TOOL,
                &frame.path,
                Some(frame.line),
                message,
            ));
            return;
        }
        index += 1;
    }
}

fn migration_frames<'a>(lines: &'a [Line<'_>]) -> impl Iterator<Item = Frame> + 'a {
    lines
        .iter()
        .take(STACK_WINDOW)
        .filter_map(|line| js_stack::frame(line.text))
}

/// `AddEmail1700000000000.up` for the migration `AddEmail1700000000000`.
fn frame_is_of(frame: &Frame, name: &str) -> bool {
    frame
        .function
        .strip_prefix(name)
        .is_some_and(|rest| matches!(rest, ".up" | ".down"))
}

/// A migration class's `up`/`down`: a class name that ends in a (millisecond) timestamp.
fn is_migration_class(frame: &Frame) -> bool {
    let Some((class, method)) = frame.function.rsplit_once('.') else {
        return false;
    };
    let digits = class.bytes().rev().take_while(u8::is_ascii_digit).count();
    matches!(method, "up" | "down") && digits >= 10 && class.len() > digits
}

/// `AddEmail1700000000000` → `1700000000000-AddEmail.*`, the name `typeorm migration:create`
/// and `migration:generate` give the file.
fn generated_file_name(name: &str) -> Option<String> {
    let digits = name.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits < 10 || digits == name.len() {
        return None;
    }
    let (class, timestamp) = name.split_at(name.len() - digits);
    Some(format!("{timestamp}-{class}.*"))
}

/// The error's first line: the text after `Error during migration run:` or the error itself.
fn error_line<'a>(lines: &[Line<'a>]) -> Option<&'a str> {
    lines
        .iter()
        .take(10)
        .map(|line| line.text.trim())
        .map(|text| {
            text.strip_prefix("Error during migration run:")
                .unwrap_or(text)
        })
        .map(str::trim)
        .find(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::assert_recorded_lifecycle;
    use super::*;

    const CREATE: &str = "CreateWidgets1704110400000";
    const PRICE: &str = "AddPriceToWidgets1704196800000";

    #[test]
    fn reads_the_real_typeorm_0_3_20_outputs() {
        assert_recorded_lifecycle(&Typeorm, "typeorm", (CREATE, PRICE), (PRICE, None));
    }

    #[test]
    fn commands_need_the_data_source() {
        let mut settings = CommandSettings {
            migrations_dir: "migrations".into(),
            data_source: None,
        };
        let error = Typeorm.up_command(&settings).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("typeorm needs its data source file: ")
        );
        settings.data_source = Some("data-source.js".into());
        assert_eq!(
            Typeorm.up_command(&settings).unwrap(),
            argv(["typeorm", "migration:run", "-d", "data-source.js"])
        );
        assert_eq!(
            Typeorm
                .down_command(&DownTarget::Steps(1), &settings)
                .unwrap(),
            argv(["typeorm", "migration:revert", "-d", "data-source.js"])
        );
        assert!(
            Typeorm
                .down_command(&DownTarget::Steps(2), &settings)
                .is_err()
        );
    }
}
