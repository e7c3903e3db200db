//! Rails' failure output: `bin/rails db:migrate` (or `rake db:migrate`) announces each migration
//! (`== 20240101120000 AddEmailToUsers: migrating ===`), and on failure prints
//! `StandardError: An error has occurred, this and all later migrations canceled:`, the database
//! error, and a backtrace whose `db/migrate/<version>_<name>.rb:<line>` frame is the place.

use std::sync::LazyLock;

use regex::Regex;

use crate::migration_errors::{Found, Line};
use crate::tools::ToolId;

const TOOL: &str = ToolId::Rails.as_str();

/// How far after the "canceled" line the backtrace is looked for.
const BACKTRACE_WINDOW: usize = 400;

pub(super) fn scan(lines: &[Line<'_>], found: &mut Vec<Found>) {
    // `==` can be lost when the output is pasted or re-logged; the version and `: migrating`
    // are enough. Rails 3 printed no version (`==  AddEmail: migrating`).
    static ANNOUNCED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:==\s*)?(?:(\d{3,}) )?\w+: (migrating|migrated|reverting|reverted)\b")
            .expect("valid")
    });
    let mut migrating: Option<&str> = None;
    for (index, line) in lines.iter().enumerate() {
        let text = line.text.trim();
        if text.contains(": migra") || text.contains(": revert") {
            if let Some(captures) = ANNOUNCED.captures(text) {
                let unfinished = matches!(&captures[2], "migrating" | "reverting");
                migrating = captures
                    .get(1)
                    .filter(|_| unfinished)
                    .map(|version| version.as_str());
            }
            continue;
        }
        let rest = &lines[index + 1..];
        let message = match canceled_header(text) {
            Some(after) => first_message(after, rest),
            // Without the header (cut from the log), a database error while a migration runs.
            None if migrating.is_some() && is_database_error(text) => text.to_owned(),
            None => continue,
        };
        let finding = match backtrace_frame(rest, migrating) {
            Some((path, number)) => Found::new(line.at, TOOL, &path, Some(number), &message),
            None => match migrating {
                // The version is unique, the class name does not always round-trip to the file
                // name (`Prevent3StateBooleans` lives in `…_prevent_3_state_booleans.rb`).
                Some(version) => {
                    let path = format!("db/migrate/{version}_*.rb");
                    Found::new(line.at, TOOL, &path, None, &message)
                }
                None => continue,
            },
        };
        found.push(finding);
        migrating = None;
    }
}

/// `PG::UndefinedTable: …`, `ActiveRecord::StatementInvalid: …`, `Mysql2::Error: …`.
fn is_database_error(text: &str) -> bool {
    [
        "PG::",
        "ActiveRecord::",
        "Mysql2::Error",
        "SQLite3::",
        "Trilogy::",
    ]
    .iter()
    .any(|prefix| text.starts_with(prefix))
        && text.contains(": ")
}

/// The text after "…migrations canceled:" when the line is Rails' failure header (older Rails
/// says "all later migrations canceled", without "this and").
fn canceled_header(text: &str) -> Option<&str> {
    let start = text.find("An error has occurred, ")?;
    let rest = &text[start..];
    let end = rest.find("migrations canceled")? + "migrations canceled".len();
    Some(rest[end..].trim_start_matches(':').trim())
}

/// The database error: on the header line itself when Rails put it there, else the first
/// non-empty line after it.
fn first_message(after_header: &str, rest: &[Line<'_>]) -> String {
    let on_header = !after_header.is_empty() && !after_header.starts_with('(');
    if on_header {
        return after_header.to_owned();
    }
    rest.iter()
        .take(10)
        .map(|line| line.text.trim())
        .find(|text| !text.is_empty())
        .unwrap_or("migration failed")
        .to_owned()
}

/// The backtrace frame inside `db/migrate/`: `/app/db/migrate/2024…_x.rb:12:in 'change'`, the
/// running migration's own when its version is known, else the first; never one inside a gem.
fn backtrace_frame(lines: &[Line<'_>], migrating: Option<&str>) -> Option<(String, u32)> {
    static FRAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"([^\s;()'"`]*\bdb/migrate\w*/\d+_\w+\.rb):(\d+)(?::in\b|$)"#).expect("valid")
    });
    let mut first = None;
    for line in lines.iter().take(BACKTRACE_WINDOW) {
        let text = line.text.trim();
        if text.starts_with("Tasks: TOP") {
            break;
        }
        if !text.contains("db/migrate") || text.contains("/gems/") {
            continue;
        }
        let Some(captures) = FRAME.captures(text) else {
            continue;
        };
        let path = captures[1].trim_start_matches(['\'', '"', '(']);
        let Ok(number) = captures[2].parse() else {
            continue;
        };
        let file = path.rsplit('/').next().unwrap_or(path);
        match migrating {
            Some(version) if file.starts_with(&format!("{version}_")) => {
                return Some((path.to_owned(), number));
            }
            _ => {
                first.get_or_insert((path.to_owned(), number));
            }
        }
    }
    // Another migration's file while a known one runs would be a guess: leave it to the version.
    first.filter(|_| migrating.is_none())
}
