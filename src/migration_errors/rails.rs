//! Rails / ActiveRecord: `bin/rails db:migrate` (or `rake db:migrate`) announces each migration
//! (`== 20240101120000 AddEmailToUsers: migrating ===`), and on failure prints
//! `StandardError: An error has occurred, this and all later migrations canceled:`, the database
//! error, and a backtrace whose `db/migrate/<version>_<name>.rb:<line>` frame is the place.

use std::sync::LazyLock;

use regex::Regex;

use super::{Found, Line};

const TOOL: &str = "rails";

/// How far after the "canceled" line the backtrace is looked for.
const BACKTRACE_WINDOW: usize = 400;

pub(super) fn scan(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static MIGRATING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^== (\d+) \w+: migrating").expect("valid"));
    let mut migrating: Option<&str> = None;
    for (index, line) in lines.iter().enumerate() {
        let text = line.text.trim();
        if text.starts_with("== ") {
            if let Some(captures) = MIGRATING.captures(text) {
                migrating = captures.get(1).map(|version| version.as_str());
            }
            continue;
        }
        let Some(after) = canceled_header(text) else {
            continue;
        };
        let rest = &lines[index + 1..];
        let message = first_message(after, rest);
        let finding = match backtrace_frame(rest) {
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

/// The first backtrace frame inside `db/migrate/`: `/app/db/migrate/2024…_x.rb:12:in 'change'`.
fn backtrace_frame(lines: &[Line<'_>]) -> Option<(String, u32)> {
    static FRAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"([^\s;()'"`]*\bdb/migrate\w*/\d+_\w+\.rb):(\d+)(?::in\b|$)"#).expect("valid")
    });
    for line in lines.iter().take(BACKTRACE_WINDOW) {
        let text = line.text.trim();
        if text.starts_with("Tasks: TOP") {
            break;
        }
        if !text.contains("db/migrate") {
            continue;
        }
        if let Some(captures) = FRAME.captures(text) {
            let path = captures[1].trim_start_matches(['\'', '"', '(']);
            return Some((path.to_owned(), captures[2].parse().ok()?));
        }
    }
    None
}
