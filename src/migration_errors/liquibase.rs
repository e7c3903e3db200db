//! Liquibase (CLI, Maven/Gradle, Spring Boot, Quarkus): a failed change set is named as
//! `<changelog path>::<id>::<author>` in `Migration failed for change set …:` (`changeset` from
//! 4.x), `ChangeSet … encountered an exception.` or `Change Set … failed.`, followed by
//! `Reason: <database error>`. The changelog path is relative to Liquibase's search path (often
//! `src/main/resources`); [`super::locate`] finds it. Liquibase gives no line.
//! Validation failures (check sums, duplicate ids) list several change sets and name none here.

use std::sync::LazyLock;

use regex::Regex;

use super::{Found, Line};

const TOOL: &str = "liquibase";

/// How far after the failure line `Reason:` or the database error is looked for.
const REASON_WINDOW: usize = 15;

pub(super) fn scan(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static FAILED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"(?:Migration failed for change ?set (?P<a>\S+?)::\S+::\S*?:",
            r"|ChangeSet (?P<b>\S+?)::\S+::\S* encountered an exception",
            r"|Change Set (?P<c>\S+?)::\S+::\S* failed\.)(?P<rest>.*)",
        ))
        .expect("valid")
    });
    for (index, line) in lines.iter().enumerate() {
        let text = line.text;
        let candidate = text.contains("Migration failed for change")
            || text.contains("encountered an exception")
            || text.contains("Change Set ");
        if !candidate {
            continue;
        }
        let Some(captures) = FAILED.captures(text) else {
            continue;
        };
        let Some(path) = ["a", "b", "c"]
            .into_iter()
            .find_map(|group| captures.name(group))
        else {
            continue;
        };
        let path = path.as_str();
        let path = path.strip_prefix("classpath:").unwrap_or(path);
        let path = path.trim_start_matches('/');
        let on_line = captures["rest"].trim().trim_start_matches("Error:").trim();
        let message = reason(&lines[index + 1..])
            .or_else(|| (!on_line.is_empty()).then(|| on_line.to_owned()))
            .unwrap_or_else(|| "change set failed".to_owned());
        found.push(Found::new(line.at, TOOL, path, None, &message));
    }
}

/// `Reason: liquibase.exception.DatabaseException: ERROR: …` (the text may be on the next line),
/// or the `DatabaseException` line Spring Boot prints after a blank line.
fn reason(lines: &[Line<'_>]) -> Option<String> {
    let mut texts = lines
        .iter()
        .take(REASON_WINDOW)
        .map(|line| line.text.trim());
    while let Some(text) = texts.next() {
        if let Some(reason) = text.strip_prefix("Reason:") {
            let reason = reason.trim();
            let reason = if reason.is_empty() {
                texts.next().unwrap_or_default()
            } else {
                reason
            };
            return Some(without_exception_class(reason).to_owned());
        }
        if text.starts_with("liquibase.exception.DatabaseException:") {
            return Some(without_exception_class(text).to_owned());
        }
    }
    None
}

fn without_exception_class(text: &str) -> &str {
    text.strip_prefix("liquibase.exception.DatabaseException:")
        .map_or(text, str::trim)
}
