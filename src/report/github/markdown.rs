//! The result as GitHub Markdown, shared by the pull request comment and the check run: a
//! heading, a table of what ran, and the last log lines folded away. Values in it are already
//! redacted upstream; nothing here adds any.

use std::fmt::Write as _;

use crate::outcome::{Outcome, Status};

use super::annotation::truncate;

/// GitHub's limit for a check run summary and for a comment body.
pub const BODY_LIMIT: usize = 65_535;
/// One very long log line must not crowd out the others.
const LINE_LIMIT: usize = 1_000;
const TRUNCATED_NOTE: &str = "\n\n_…truncated: GitHub takes at most 65,535 characters here; the full log is in CloudWatch._\n";

/// `succeeded`, `failed`, `timed out`, `cancelled` with an icon, for headings and titles.
pub fn headline(outcome: &Outcome) -> String {
    let (icon, word) = match outcome.status {
        Status::Succeeded => ("✅", "succeeded"),
        Status::Failed => ("❌", "failed"),
        Status::TimedOut => ("⏱️", "timed out"),
        Status::Cancelled => ("🚫", "was cancelled"),
        Status::Planned => ("📝", "planned"),
    };
    format!("{icon} Migration {} {word}", code(&outcome.name))
}

/// The check run's title while the task runs.
pub fn running_headline(outcome: &Outcome) -> String {
    format!("⏳ Migration {} is running", code(&outcome.name))
}

/// The full report: table, reason and log tail, within [`BODY_LIMIT`] once `prefix` and
/// `suffix` are added around it.
pub fn report(outcome: &Outcome, prefix: &str, suffix: &str) -> String {
    let mut text = String::from(prefix);
    if let Some(reason) = &outcome.reason {
        let _ = writeln!(text, "> {}\n", reason.replace('\n', " "));
    }
    text.push_str(&table(outcome));
    if !outcome.log_tail.is_empty() {
        let lines: Vec<String> = outcome
            .log_tail
            .iter()
            .map(|line| truncate(line, LINE_LIMIT))
            .collect();
        let _ = write!(
            text,
            "\n<details><summary>Last {} log lines</summary>\n\n{}\n</details>\n",
            lines.len(),
            fenced(&lines.join("\n"))
        );
    }
    text.push_str(suffix);
    within_limit(text)
}

fn table(outcome: &Outcome) -> String {
    let mut rows = String::from("| | |\n| --- | --- |\n");
    let mut row = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            let _ = writeln!(rows, "| {label} | {} |", value.replace('\n', " "));
        }
    };
    let task_id = outcome.task_arn.as_deref().map(crate::links::task_id);
    row(
        "Task",
        match (task_id, &outcome.task_url) {
            (Some(id), Some(url)) => Some(format!("[{}]({url})", code(id))),
            (Some(id), None) => Some(code(id)),
            (None, _) => None,
        },
    );
    row(
        "Task definition",
        outcome.task_definition_arn.as_deref().map(code),
    );
    row("Image", outcome.image.as_deref().map(code));
    row(
        "Command",
        outcome
            .command
            .as_ref()
            .map(|words| code(&shell_words::join(words))),
    );
    row(
        "Duration",
        outcome.duration_seconds.map(|secs| {
            humantime::format_duration(std::time::Duration::from_secs(secs)).to_string()
        }),
    );
    row("Exit code", outcome.exit_code.map(|code| code.to_string()));
    row(
        "Stop reason",
        match (&outcome.stop_code, &outcome.stopped_reason) {
            (Some(stop), Some(reason)) => Some(format!("{}: {}", code(stop), escape(reason))),
            (stop, reason) => stop.as_deref().map(code).or(reason.as_deref().map(escape)),
        },
    );
    row(
        "Logs",
        outcome
            .log_url
            .as_ref()
            .map(|url| format!("[CloudWatch Logs]({url})")),
    );
    rows
}

/// Inline code that survives backticks and pipes inside it.
fn code(text: &str) -> String {
    let ticks = "`".repeat(longest_run(text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{}{pad}{ticks}", text.replace('|', "\\|"))
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('<', "&lt;")
}

/// A fenced block no line of `text` can close early.
fn fenced(text: &str) -> String {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    format!("{fence}text\n{text}\n{fence}")
}

fn longest_run(text: &str, wanted: char) -> usize {
    let (mut longest, mut current) = (0, 0);
    for found in text.chars() {
        current = if found == wanted { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

/// Cuts the text to [`BODY_LIMIT`] bytes (never more characters than that) with a note.
fn within_limit(text: String) -> String {
    if text.len() <= BODY_LIMIT {
        return text;
    }
    let mut end = BODY_LIMIT - TRUNCATED_NOTE.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{TRUNCATED_NOTE}", &text[..end])
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
