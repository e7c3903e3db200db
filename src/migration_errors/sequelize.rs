//! Sequelize: `sequelize-cli db:migrate` announces `== 20240101-add-email: migrating =======` (the
//! file name, usually without `.js`) and `== …: migrated (0.05s)` when done; a failure leaves the
//! last one unfinished and prints `ERROR: <database error>`. Umzug 3 used directly (or through
//! MikroORM) throws `MigrationError: Migration <name> (up) failed: Original error: <error>`.
//! A stack frame inside the migration file, when there is one, gives its path and line; so does
//! Node's `<path>:<line>` header when a migration does not compile and Node prints one.

use std::sync::LazyLock;

use regex::Regex;

use super::{Found, Line, js_stack};

const TOOL: &str = "sequelize";

/// How far after the announcement (or the Umzug error) the error and its stack are read.
const ERROR_WINDOW: usize = 300;

pub(super) fn scan(lines: &[Line<'_>], found: &mut Vec<Found>) {
    cli(lines, found);
    umzug(lines, found);
    js_stack::load_failures(lines, TOOL, found);
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
