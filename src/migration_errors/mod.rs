//! Finds which migration failed, and where, in a migration task's log, so reports can point at
//! the file and line in the pull request instead of leaving people to dig through the log.
//!
//! This is the framework only: what a tool's failure output means is known by the tool's own
//! module in [`crate::tools`] ([`MigrationTool::failures`](crate::tools::MigrationTool::failures)),
//! and [`Recognizer::scan`] asks every tool. Here: the [`Recognizer`] and its [`Found`]/[`Line`]
//! types, splitting the log per container, [`clean`]ing colour and runner prefixes, dropping
//! failures of the run rather than of a migration (`run_level`), mapping container paths to
//! repository paths with `report.path_map` (`paths`), the user's `report.error_pattern` (`user`),
//! and [`locate`], which finds files that a tool names only by version.
//!
//! Pure: lines in, [`MigrationError`]s out.

pub(crate) mod clean;
pub mod locate;
mod paths;
mod run_level;
mod user;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use regex::Regex;

use crate::tools::{self, ToolId};

/// One migration failure found in the log; serialized as the result's `failed-migration`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MigrationError {
    /// The tool whose output it came from, e.g. "rails" or "flyway"; "error_pattern" for the
    /// user's own pattern.
    pub tool: &'static str,
    /// Repository-relative after `path_map` when the tool printed a full path. When it printed
    /// only a file name or a version, this is that name, or a pattern with `*` standing for the
    /// part the tool left out (`migrations/20240314125700_*.sql`); [`locate`] resolves both.
    #[serde(rename = "file")]
    pub path: String,
    /// The line in that file; None when the tool does not say (annotate line 1).
    pub line: Option<u32>,
    pub message: String,
}

/// Reads logs for migration failures; built once from the report settings.
#[derive(Debug)]
pub struct Recognizer {
    user_pattern: Option<Regex>,
    path_map: Vec<(String, String)>,
}

/// A log line with its position in the whole log, so findings from several containers' streams
/// come out in the order they were logged.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    pub at: usize,
    pub text: &'a str,
}

impl MigrationError {
    /// `file:line`, or the file alone when the tool named no line.
    pub fn location(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.path),
            None => self.path.clone(),
        }
    }
}

/// A finding before its path is mapped.
#[derive(Debug)]
pub(crate) struct Found {
    pub at: usize,
    pub tool: &'static str,
    pub path: String,
    pub line: Option<u32>,
    pub message: String,
}

impl Found {
    pub fn new(
        at: usize,
        tool: &'static str,
        path: &str,
        line: Option<u32>,
        message: &str,
    ) -> Self {
        Found {
            at,
            tool,
            path: path.to_owned(),
            line: line.filter(|line| *line > 0),
            message: tidy_message(message),
        }
    }
}

/// Longest message kept; annotations show a summary, the full log is linked next to it.
const MESSAGE_LIMIT: usize = 1000;

fn tidy_message(message: &str) -> String {
    let message = message.trim();
    match message.char_indices().nth(MESSAGE_LIMIT) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message.to_owned(),
    }
}

/// Checks a `report.error_pattern` at config load; the error says what to fix.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    user::compile(pattern).map(|_| ())
}

impl Recognizer {
    /// `user_pattern` is a regex with named groups `file` and `message` (and optionally `line`);
    /// the error names what is wrong with it. `path_map` maps container path prefixes to
    /// repository paths (`/app: .`).
    pub fn new(
        user_pattern: Option<&str>,
        path_map: &BTreeMap<String, String>,
    ) -> Result<Self, String> {
        Ok(Recognizer {
            user_pattern: user_pattern.map(user::compile).transpose()?,
            path_map: paths::prepare_map(path_map),
        })
    }

    /// Every failure recognised in `lines` (in log order, each once). Lines may carry the
    /// `[container] ` prefix the log follower adds when several containers log, colour escapes
    /// and runner prefixes (see [`clean`]). Failures of the run rather than of one migration
    /// (the tool's own table, lock or connection) name no file, so they are left out.
    pub fn scan(&self, lines: &[String]) -> Vec<MigrationError> {
        let mut found = Vec::new();
        for raw in split_streams(lines) {
            let texts: Vec<String> = raw.iter().map(|line| clean::line(line.text)).collect();
            let stream: Vec<Line<'_>> = raw
                .iter()
                .zip(&texts)
                .map(|(line, text)| Line { at: line.at, text })
                .collect();
            for id in ToolId::ALL {
                tools::tool(id).failures(&stream, &mut found);
            }
            if let Some(pattern) = &self.user_pattern {
                user::scan(pattern, &stream, &mut found);
            }
        }
        found.retain(|finding| {
            finding.tool == user::TOOL || !run_level::is_run_level(&finding.message)
        });
        found.sort_by_key(|finding| finding.at);
        let mut errors: Vec<MigrationError> = Vec::with_capacity(found.len());
        for finding in found {
            let error = MigrationError {
                tool: finding.tool,
                path: paths::map(&finding.path, &self.path_map),
                line: finding.line,
                message: finding.message,
            };
            let repeated = errors.iter().any(|seen| {
                seen.path == error.path && seen.line == error.line && seen.message == error.message
            });
            if !repeated {
                errors.push(error);
            }
        }
        errors
    }
}

/// Splits the log into one stream per container when every line carries the `[name] ` prefix
/// the log follower adds for several containers, so one container's lines are read in order
/// without another's interleaved.
fn split_streams(lines: &[String]) -> Vec<Vec<Line<'_>>> {
    let prefixed: Option<Vec<(&str, &str)>> =
        lines.iter().map(|line| container_prefix(line)).collect();
    let Some(prefixed) = prefixed.filter(|pairs| !pairs.is_empty()) else {
        return vec![
            lines
                .iter()
                .enumerate()
                .map(|(at, text)| Line { at, text })
                .collect(),
        ];
    };
    let mut streams: Vec<(&str, Vec<Line<'_>>)> = Vec::new();
    for (at, (container, text)) in prefixed.into_iter().enumerate() {
        let line = Line { at, text };
        match streams.iter_mut().find(|(name, _)| *name == container) {
            Some((_, stream)) => stream.push(line),
            None => streams.push((container, vec![line])),
        }
    }
    streams.into_iter().map(|(_, stream)| stream).collect()
}

/// `[app] text` → ("app", "text"); ECS container names are letters, digits, `-` and `_`.
fn container_prefix(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('[')?;
    let (name, text) = rest.split_once("] ")?;
    let valid = !name.is_empty()
        && name.len() <= 255
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    valid.then_some((name, text))
}
