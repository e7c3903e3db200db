//! Flyway's failure output (command line, or inside a Spring Boot app): a failed SQL migration
//! prints a block
//!
//! ```text
//! ERROR: Migration V2__add_email.sql failed
//! ------------------------------------------
//! SQL State  : 42P01
//! Error Code : 0
//! Message    : ERROR: relation "users" does not exist
//! Location   : sql/V2__add_email.sql (/flyway/sql/V2__add_email.sql)
//! Line       : 3
//! Statement  : ALTER TABLE users ADD COLUMN email text
//! ```
//!
//! `Location` names the script relative to its configured location, then (in parentheses) its
//! absolute path; the absolute one is what `report.path_map` maps to the repository.

use std::sync::LazyLock;

use regex::Regex;

use crate::migration_errors::{Found, Line};
use crate::tools::ToolId;

const TOOL: &str = ToolId::Flyway.as_str();

/// How many lines after "Migration … failed" the block's fields are looked for.
const BLOCK: usize = 30;

pub(super) fn scan(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static FAILED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\bMigration (\S+) failed\s*$").expect("valid"));
    for (index, line) in lines.iter().enumerate() {
        let text = line.text.trim_end();
        if !text.ends_with("failed") || !text.contains("Migration ") {
            continue;
        }
        let Some(captures) = FAILED.captures(text) else {
            continue;
        };
        let script = &captures[1];
        let block = Block::read(&lines[index + 1..]);
        let path = block.location.as_deref().unwrap_or(script);
        let message = match (block.message, block.sql_state) {
            (Some(message), _) => message,
            (None, Some(state)) => format!("migration {script} failed (SQL state {state})"),
            (None, None) => format!("migration {script} failed"),
        };
        found.push(Found::new(line.at, TOOL, path, block.line, &message));
    }
    unparsable(lines, found);
}

/// A script Flyway cannot parse: `Unable to parse statement in <path> at line 1 col 1. …`.
fn unparsable(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static UNPARSABLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"Unable to parse statement in (.+?\.sql) at line (\d+) col \d+\.?\s*(.*)")
            .expect("valid")
    });
    for line in lines {
        if !line.text.contains("Unable to parse statement in ") {
            continue;
        }
        if let Some(captures) = UNPARSABLE.captures(line.text) {
            let message = captures[3]
                .rsplit_once(": ")
                .map_or(&captures[3], |(_, reason)| reason);
            let message = if message.is_empty() {
                "unable to parse statement"
            } else {
                message
            };
            found.push(Found::new(
                line.at,
                TOOL,
                &captures[1],
                captures[2].parse().ok(),
                message,
            ));
        }
    }
}

/// The fields of one failure block.
#[derive(Default)]
struct Block {
    location: Option<String>,
    line: Option<u32>,
    message: Option<String>,
    sql_state: Option<String>,
}

impl Block {
    fn read(lines: &[Line<'_>]) -> Self {
        let mut block = Block::default();
        for line in lines.iter().take(BLOCK) {
            let Some((name, value)) = field(line.text) else {
                continue;
            };
            match name {
                "Location" => block.location = Some(location(value)),
                "Line" => block.line = value.parse().ok(),
                "Message" => block.message = Some(value.to_owned()),
                "SQL State" if value != "null" => block.sql_state = Some(value.to_owned()),
                // The last field: the statement runs on over the following lines.
                "Statement" => break,
                _ => {}
            }
        }
        block
    }
}

/// `Name   : value` → ("Name", "value").
fn field(text: &str) -> Option<(&str, &str)> {
    let (name, value) = text.split_once(':')?;
    let name = name.trim();
    let known = [
        "Location",
        "Line",
        "Message",
        "SQL State",
        "Statement",
        "Error Code",
    ];
    known.contains(&name).then(|| (name, value.trim()))
}

/// `sql/V2__x.sql (/flyway/sql/V2__x.sql)` → the absolute path; else the location as given.
fn location(value: &str) -> String {
    match value.rsplit_once(" (") {
        Some((_, absolute)) if absolute.ends_with(')') => absolute.trim_end_matches(')').to_owned(),
        _ => value.to_owned(),
    }
}
