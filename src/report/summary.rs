//! The job summary section (`GITHUB_STEP_SUMMARY`, GitHub-flavoured Markdown): what ran, how it
//! ended, links to the task and its logs, and the last log lines folded away. Every value is
//! escaped so a `|`, a backtick or a `</details>` in it cannot break the layout.

use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::outcome::{Outcome, Status};
use crate::review::{Level, Reviewed};

/// The section for a finished `run` (or `plan`, with its extra rows), ending with a blank line
/// so sections of several steps stay apart.
pub fn section(outcome: &Outcome, extra_rows: &[(&str, String)]) -> String {
    let environment = outcome
        .environment
        .as_deref()
        .map(|environment| format!(" ({})", plain(environment)))
        .unwrap_or_default();
    let mut text = format!(
        "### {} Migration {}{environment} {}\n\n",
        icon(outcome.status),
        code(&outcome.name),
        status_words(outcome.status)
    );
    let mut rows: Vec<(&str, String)> =
        vec![("Status", format!("**{}**", status_words(outcome.status)))];
    if let Some(environment) = &outcome.environment {
        rows.push(("Environment", code(environment)));
    }
    if let Some(arn) = &outcome.task_arn {
        let id = crate::links::task_id(arn);
        rows.push(("Task", link_or_code(id, outcome.task_url.as_deref())));
    }
    rows.extend(extra_rows.iter().cloned());
    let optional = [
        (
            "Task definition",
            outcome.task_definition_arn.as_deref().map(code),
        ),
        ("Image", outcome.image.as_deref().map(code)),
        (
            "Command",
            outcome
                .command
                .as_ref()
                .map(|words| code(&shell_words::join(words))),
        ),
        (
            "Duration",
            outcome.duration_seconds.map(|seconds| {
                humantime::format_duration(Duration::from_secs(seconds)).to_string()
            }),
        ),
        ("Exit code", outcome.exit_code.map(|code| code.to_string())),
        ("Applied", outcome.applied_text().map(|text| plain(&text))),
        (
            "Version",
            outcome.version_text("→").map(|text| plain(&text)),
        ),
        ("Pending", outcome.pending_text().map(|text| plain(&text))),
        (
            "Stop reason",
            stop_reason(outcome).map(|reason| code(&reason)),
        ),
        ("Reason", outcome.reason.as_deref().map(plain)),
    ];
    rows.extend(
        optional
            .into_iter()
            .filter_map(|(label, value)| Some((label, value?))),
    );
    for (index, (label, value)) in rows.iter().enumerate() {
        text.push_str(&format!("| {label} | {value} |\n"));
        if index == 0 {
            text.push_str("| --- | --- |\n");
        }
    }
    let links: Vec<String> = [
        ("CloudWatch logs", outcome.log_url.as_deref()),
        ("ECS task", outcome.task_url.as_deref()),
    ]
    .into_iter()
    .filter_map(|(label, url)| Some(format!("[{label}]({})", url?)))
    .collect();
    if !links.is_empty() {
        text.push_str(&format!("\n{}\n", links.join(" · ")));
    }
    if !outcome.log_tail.is_empty() {
        text.push_str(&log_block(&outcome.log_tail));
    }
    if let Some(reviewed) = &outcome.review {
        text.push_str(&review_block(reviewed));
    }
    text.push('\n');
    text
}

/// Findings listed in Markdown; the rest are counted (all of them are annotations).
const REVIEW_ROWS: usize = 50;

/// The review of a pull request: its migrations, then the findings with their fix.
fn review_block(reviewed: &Reviewed) -> String {
    let mut text = format!("\n#### Review of pull request #{}\n\n", reviewed.pr);
    if reviewed.review.migrations.is_empty() {
        text.push_str("No migrations changed.\n");
    }
    for file in &reviewed.review.migrations {
        text.push_str(&format!(
            "- {} {}\n",
            code(&file.path),
            file.status.as_str()
        ));
    }
    let findings = &reviewed.review.findings;
    if findings.is_empty() {
        text.push_str("\nNo findings.\n");
        return text;
    }
    text.push_str("\n| | Where | Rule | Finding |\n| --- | --- | --- | --- |\n");
    for finding in findings.iter().take(REVIEW_ROWS) {
        let icon = match finding.level {
            Level::Error => "❌",
            Level::Warning => "⚠️",
        };
        let fix = finding
            .help
            .as_deref()
            .map(|help| format!("<br>Fix: {}", plain(help)))
            .unwrap_or_default();
        text.push_str(&format!(
            "| {icon} | {} | {} | {}{fix} |\n",
            code(&format!("{}:{}", finding.path, finding.line)),
            code(&finding.rule),
            plain(&finding.message)
        ));
    }
    if findings.len() > REVIEW_ROWS {
        text.push_str(&format!(
            "\n…and {} more (all are annotated on the check run).\n",
            findings.len() - REVIEW_ROWS
        ));
    }
    text
}

/// Appends `section` to the file the runner named in `GITHUB_STEP_SUMMARY`.
pub fn append(path: &Path, section: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(section.as_bytes())
}

pub fn icon(status: Status) -> &'static str {
    match status {
        Status::Succeeded => "✅",
        Status::Failed => "❌",
        Status::TimedOut => "⏱️",
        Status::Cancelled => "🚫",
        Status::Planned => "📝",
        Status::Rejected => "⛔",
    }
}

pub fn status_words(status: Status) -> &'static str {
    match status {
        Status::Succeeded => "succeeded",
        Status::Failed => "failed",
        Status::TimedOut => "timed out",
        Status::Cancelled => "cancelled",
        Status::Planned => "planned",
        Status::Rejected => "rejected",
    }
}

pub fn stop_reason(outcome: &Outcome) -> Option<String> {
    match (&outcome.stop_code, &outcome.stopped_reason) {
        (Some(code), Some(reason)) => Some(format!("{code}: {reason}")),
        (code, reason) => code.clone().or_else(|| reason.clone()),
    }
}

/// The last log lines, collapsed, in a fence longer than any run of backticks in them.
fn log_block(lines: &[String]) -> String {
    let clean: Vec<String> = lines.iter().map(|line| without_controls(line)).collect();
    let longest_run = clean
        .iter()
        .map(|line| longest_backtick_run(line))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest_run.max(2) + 1);
    format!(
        "\n<details><summary>Last {} log lines</summary>\n\n{fence}text\n{}\n{fence}\n\n</details>\n",
        clean.len(),
        clean.join("\n")
    )
}

/// Drops terminal escapes and other control characters (tabs are kept).
fn without_controls(line: &str) -> String {
    let mut text = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            // A CSI sequence ends with its first byte in @..~.
            for next in chars.by_ref() {
                if ('@'..='~').contains(&next) {
                    break;
                }
            }
        } else if c == '\t' || !c.is_control() {
            text.push(c);
        }
    }
    text
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// An inline code span that survives backticks and `|` inside a table cell.
pub fn code(value: &str) -> String {
    let value = without_controls(value).replace('|', "\\|");
    let ticks = "`".repeat(longest_backtick_run(&value) + 1);
    format!("{ticks} {value} {ticks}")
}

/// Text for a table cell: no HTML, no cell breaks.
pub fn plain(value: &str) -> String {
    without_controls(value)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

fn link_or_code(text: &str, url: Option<&str>) -> String {
    match url {
        Some(url) => format!("[{}]({url})", code(text)),
        None => code(text),
    }
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
