//! knex (`knex migrate:latest`, knex 0.14 and later): a failed migration prints
//! `migration file "20240101_add_email.js" failed`, then `migration failed with error: <query> -
//! <database error>` and the error's stack. The name is relative to the migrations directory;
//! a stack frame inside that file, when there is one, gives its full path and the line.
//! Older knex (`Knex:warning - migrations failed with error: …`) names no file: nothing is named.
//! A migration that does not compile is named by Node's `<path>:<line>` header (see
//! [`js_stack::load_failures`]).

use std::sync::LazyLock;

use regex::Regex;

use super::{Found, Line, js_stack};

const TOOL: &str = "knex";

/// How far after the "failed" line the error and its stack are read.
const ERROR_WINDOW: usize = 200;

pub(super) fn scan(lines: &[Line<'_>], found: &mut Vec<Found>) {
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
    js_stack::load_failures(lines, TOOL, found);
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
