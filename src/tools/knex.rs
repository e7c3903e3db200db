//! Knex: `knex migrate:latest`. Migrations are named by file name. `--verbose` makes
//! `migrate:latest` list the files it ran (without it, knex prints only a count).

use std::sync::LazyLock;

use regex::Regex;

use super::js_stack;
use super::output::plain;
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, MigrationTool, StatusReport, ToolId,
    argv, one_step_only,
};
use crate::migration_errors::{Found, Line};

pub struct Knex;

const KNEXFILES: [&str; 4] = ["knexfile.js", "knexfile.ts", "knexfile.cjs", "knexfile.mjs"];

impl MigrationTool for Knex {
    fn id(&self) -> ToolId {
        ToolId::Knex
    }

    /// Its table and its lock.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &["knex_migrations", "migration table is already locked"]
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        checkout.first_file(&KNEXFILES).map(str::to_owned)
    }

    fn default_migrations_dir(&self) -> &'static str {
        "migrations"
    }

    fn up_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["knex", "migrate:latest", "--verbose"]))
    }

    fn down_command(&self, target: &DownTarget, _: &CommandSettings) -> Result<Argv, CommandError> {
        // `migrate:down` undoes the last migration; `migrate:down <name>` undoes that one alone,
        // out of order, so it is no "down to"; `migrate:rollback` undoes a whole batch.
        one_step_only(
            ToolId::Knex,
            target,
            argv(["knex", "migrate:down"]),
            "run `down` once per migration, or set commands.down to [knex, migrate:rollback] \
             to undo the last batch",
        )
    }

    fn status_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["knex", "migrate:status"]))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        // `Batch 1 run: 2 migrations` then, with --verbose, one file name per line.
        let mut applied = Vec::new();
        let mut in_batch = false;
        for line in lines.iter().map(|line| plain(line)) {
            if line.starts_with("Batch ") && line.contains(" run: ") {
                in_batch = true;
            } else if in_batch && is_migration_file(&line) {
                applied.push(line.trim().to_owned());
            } else {
                in_batch = false;
            }
        }
        applied
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        // `Found 2 Completed Migration file/files.` / `Found 1 Pending Migration file/files.`,
        // each followed by the file names.
        enum Section {
            None,
            Completed,
            Pending,
        }
        let mut report = StatusReport::default();
        let mut section = Section::None;
        for line in lines.iter().map(|line| plain(line)) {
            if line.contains("Completed Migration file") {
                section = Section::Completed;
            } else if line.contains("Pending Migration file") {
                section = Section::Pending;
            } else if is_migration_file(&line) {
                match section {
                    Section::Completed => report.applied.push(line.trim().to_owned()),
                    Section::Pending => report.pending.push(line.trim().to_owned()),
                    Section::None => {}
                }
            } else {
                section = Section::None;
            }
        }
        report.version = report.applied.last().cloned();
        report
    }

    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        scan_failures(lines, found);
    }
}

fn is_migration_file(line: &str) -> bool {
    let name = line.trim();
    !name.is_empty()
        && !name.contains(' ')
        && [".js", ".ts", ".cjs", ".mjs", ".coffee"]
            .iter()
            .any(|extension| name.ends_with(extension))
}

const TOOL: &str = ToolId::Knex.as_str();

/// How far after the "failed" line the error and its stack are read.
const ERROR_WINDOW: usize = 200;

/// knex (`knex migrate:latest`, knex 0.14 and later): a failed migration prints
/// `migration file "20240101_add_email.js" failed`, then `migration failed with error: <query> -
/// <database error>` and the error's stack. The name is relative to the migrations directory;
/// a stack frame inside that file, when there is one, gives its full path and the line.
/// Older knex (`Knex:warning - migrations failed with error: …`) names no file: nothing is named.
/// A migration that does not compile is named by Node's `<path>:<line>` header (see
/// [`js_stack::load_failures`]).
fn scan_failures(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static FAILED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"migration file "([^"]+)" failed"#).expect("valid"));
    for (index, line) in lines.iter().enumerate() {
        if !line.text.contains("migration file \"") {
            continue;
        }
        let Some(captures) = FAILED.captures(line.text) else {
            continue;
        };
        let name = &captures[1];
        let rest = until_next_failure(&lines[index + 1..]);
        let message = rest
            .iter()
            .find_map(|line| {
                let text = line.text.trim();
                text.strip_prefix("migration failed with error:")
                    .map(str::trim)
            })
            .unwrap_or("migration failed");
        let finding = match js_stack::frame_in_file(rest, ERROR_WINDOW, name) {
            Some(frame) => Found::new(line.at, TOOL, &frame.path, Some(frame.line), message),
            None => Found::new(line.at, TOOL, name, None, message),
        };
        found.push(finding);
    }
    js_stack::load_failures(lines, ToolId::Knex, found);
}

/// The lines that belong to this failure: up to the window, or the next `migration file` line.
fn until_next_failure<'a, 'b>(lines: &'a [Line<'b>]) -> &'a [Line<'b>] {
    let end = lines
        .iter()
        .take(ERROR_WINDOW)
        .position(|line| line.text.contains("migration file \""))
        .unwrap_or(lines.len().min(ERROR_WINDOW));
    &lines[..end]
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::assert_recorded_lifecycle;
    use super::*;

    const CREATE: &str = "20240101120000_create_widgets.js";
    const PRICE: &str = "20240102120000_add_price_to_widgets.js";

    #[test]
    fn reads_the_real_knex_3_1_outputs() {
        // The rollback's "rolled back the following migrations" list is no "run" batch.
        assert_recorded_lifecycle(&Knex, "knex", (CREATE, PRICE), (PRICE, None));
    }

    #[test]
    fn down_is_one_migration_per_call() {
        let settings = CommandSettings {
            migrations_dir: "migrations".into(),
            data_source: None,
        };
        assert_eq!(
            Knex.down_command(&DownTarget::Steps(1), &settings).unwrap(),
            argv(["knex", "migrate:down"])
        );
        let error = Knex
            .down_command(&DownTarget::Steps(3), &settings)
            .unwrap_err();
        assert!(error.to_string().starts_with(
            "knex cannot migrate down 3 steps: its CLI undoes one migration per call"
        ));
        assert!(
            Knex.down_command(&DownTarget::To("x".into()), &settings)
                .is_err()
        );
    }
}
