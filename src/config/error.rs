//! One error type for every config problem, rendered as `file:line: key: problem (fix)`, so main
//! can map it to exit code 2 and users can jump straight to the offending line.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_yaml::Location;

use super::suggest;

/// Prefixes messages raised by our own deserializers, so they can be told apart from the text
/// serde_yaml wraps around them (its own key path before, ` at line … column …` after).
pub(super) const OWN_MESSAGE_MARK: char = '\u{1}';

/// A config file or flag value that cannot be used; nothing has been started.
#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    file: Option<PathBuf>,
    line: Option<usize>,
    key: Option<String>,
    message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{line}: ", file.display())?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            (None, Some(line)) => write!(f, "line {line}: ")?,
            (None, None) => {}
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl ConfigError {
    pub(super) fn new(
        file: Option<&Path>,
        line: Option<usize>,
        key: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        ConfigError {
            file: file.map(Path::to_path_buf),
            line,
            key: key.map(str::to_owned),
            message: message.into(),
        }
    }

    /// Says which environment's keys were merged in when the problem was found after parsing
    /// (a value that only conflicts once merged, e.g. `launch_type` beside an environment's
    /// `capacity_provider_strategy`): the key alone does not say which layer set it.
    pub fn in_environment(mut self, environment: Option<&str>) -> Self {
        if let Some(environment) = environment {
            self.message
                .push_str(&format!(" (with environment {environment:?} applied)"));
        }
        self
    }

    /// A problem with one key found after parsing, so without a line: missing or conflicting.
    pub(super) fn for_key(file: Option<&Path>, key: &str, message: impl Into<String>) -> Self {
        Self::new(file, None, Some(key), message)
    }

    pub(super) fn unreadable(file: &Path, error: &std::io::Error) -> Self {
        let message = if error.kind() == std::io::ErrorKind::NotFound {
            "config file not found (check the path given to -c/--config or ECS_MIGRATE_CONFIG)"
                .to_owned()
        } else {
            format!("cannot read the config file: {error}")
        };
        Self::new(Some(file), None, None, message)
    }

    /// Translates a failure of the typed parse, which knows both the key path and the line.
    pub(super) fn from_typed_parse(
        file: &Path,
        error: &serde_path_to_error::Error<serde_yaml::Error>,
    ) -> Self {
        let path = error.path().to_string();
        let key = (path != ".").then_some(path.as_str());
        let message = bare_message(error.inner());
        let message = if key.is_none() && message.starts_with("invalid type: ") {
            document_is_not_a_mapping(&message)
        } else {
            explain_serde_message(&message, !in_environment(&path).contains(['.', '[']))
        };
        Self::new(Some(file), line_of(error.inner()), key, message)
    }

    /// Translates a failure to read the file as YAML at all (syntax, several documents, limits).
    pub(super) fn from_syntax(file: &Path, error: &serde_yaml::Error, text: &str) -> Self {
        let message = bare_message(error);
        let mut line = line_of(error);
        let message = if let Some(key) = quoted_after(&message, "duplicate entry with key \"") {
            line = line.map(|start| duplicate_key_line(text, start, &key).unwrap_or(start));
            format!("duplicate key `{key}` (each key may appear only once)")
        } else if message.contains("more than one document") {
            line = line.or_else(|| second_document_line(text));
            "the file holds more than one YAML document (keep one: remove the extra `---`)"
                .to_owned()
        } else {
            format!("invalid YAML: {message} ({})", syntax_hint(text, line))
        };
        Self::new(Some(file), line, None, message)
    }
}

/// A key path inside an environment as it would be at the top level:
/// `environments.staging.subnets` → `subnets`, so the same hints apply there.
fn in_environment(path: &str) -> &str {
    path.strip_prefix("environments.")
        .and_then(|rest| rest.split_once('.'))
        .map_or(path, |(_, key)| key)
}

/// `${VAR}` unquoted inside `[ ]` or `{ }` is the classic way to break YAML with this tool.
fn syntax_hint(text: &str, line: Option<usize>) -> &'static str {
    let near = |number: usize| {
        text.lines()
            .nth(number.saturating_sub(1))
            .unwrap_or_default()
    };
    let uses_variable = line.is_some_and(|line| {
        near(line).contains("${") || (line > 1 && near(line - 1).contains("${"))
    });
    if uses_variable {
        "quote values that use `${…}` inside [ ] or { }, e.g. [\"${VAR}\"]"
    } else {
        "check the indentation and quoting"
    }
}

fn line_of(error: &serde_yaml::Error) -> Option<usize> {
    error.location().as_ref().map(Location::line)
}

/// The message without the key path and position serde_yaml adds around it.
fn bare_message(error: &serde_yaml::Error) -> String {
    let full = error.to_string();
    if let Some(start) = full.find(OWN_MESSAGE_MARK) {
        let own = &full[start + OWN_MESSAGE_MARK.len_utf8()..];
        return strip_positions(own);
    }
    let serde_openings = [
        "unknown field `",
        "invalid type: ",
        "missing field `",
        "duplicate field `",
        "invalid length ",
        "invalid value: ",
    ];
    let start = serde_openings
        .iter()
        .filter_map(|opening| full.find(opening))
        .min()
        .unwrap_or(0);
    strip_positions(&full[start..])
}

/// Removes every ` at line N column M` (libyaml and serde_yaml both add them); the line is
/// reported separately, and the column is noise once the line is shown.
fn strip_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        let digits = after.trim_start_matches(|c: char| c.is_ascii_digit());
        match digits.strip_prefix(" column ") {
            Some(column) if digits.len() < after.len() => {
                rest = column.trim_start_matches(|c: char| c.is_ascii_digit());
            }
            _ => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Rewrites serde's generic wording into the file's vocabulary (keys, lists, mappings).
fn explain_serde_message(message: &str, at_top_level: bool) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        return unknown_key(rest, at_top_level);
    }
    if let Some(field) = quoted_after(message, "missing field `") {
        return format!("missing key `{field}` (add `{field}: <value>`)");
    }
    if let Some(field) = quoted_after(message, "duplicate field `") {
        return format!("duplicate key `{field}` (each key may appear only once)");
    }
    if let Some((found, expected)) = split_invalid_type(message) {
        return format!(
            "expected {}, found {}",
            plain_expected(expected),
            plain_found(found)
        );
    }
    message.to_owned()
}

fn document_is_not_a_mapping(message: &str) -> String {
    let found = split_invalid_type(message).map_or("something else", |(found, _)| found);
    format!(
        "expected a mapping of keys such as `cluster: app-prod`, found {}",
        plain_found(found)
    )
}

/// `rest` is serde's text after "unknown field `": the key, then the valid keys in backticks.
fn unknown_key(rest: &str, at_top_level: bool) -> String {
    let key = rest.split('`').next().unwrap_or_default();
    let valid: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
    suggest::unknown_key(key, at_top_level, &valid)
}

fn quoted_after(message: &str, opening: &str) -> Option<String> {
    let rest = &message[message.find(opening)? + opening.len()..];
    let closing = opening.chars().last()?;
    rest.find(closing).map(|end| rest[..end].to_owned())
}

/// Splits "invalid type: <found>, expected <expected>".
fn split_invalid_type(message: &str) -> Option<(&str, &str)> {
    let rest = message.strip_prefix("invalid type: ")?;
    let comma = rest.rfind(", expected ")?;
    Some((&rest[..comma], &rest[comma + ", expected ".len()..]))
}

fn plain_expected(expected: &str) -> String {
    match expected {
        "a sequence" => "a list".to_owned(),
        "a map" => "a mapping".to_owned(),
        other if other.starts_with("struct ") => "a mapping of keys".to_owned(),
        other => other.to_owned(),
    }
}

fn plain_found(found: &str) -> String {
    match found {
        "sequence" => "a list".to_owned(),
        "map" => "a mapping".to_owned(),
        "unit value" => "nothing (null)".to_owned(),
        other => other.replace('`', ""),
    }
}

/// serde_yaml points at the start of the mapping for a duplicate key; find the repeat itself.
fn duplicate_key_line(text: &str, mapping_line: usize, key: &str) -> Option<usize> {
    let spellings = [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ];
    text.lines()
        .enumerate()
        .skip(mapping_line.saturating_sub(1))
        .filter(|(_, line)| {
            let line = line.trim_start().trim_start_matches("- ");
            spellings
                .iter()
                .any(|spelling| line.starts_with(spelling.as_str()))
        })
        .nth(1)
        .map(|(index, _)| index + 1)
}

fn second_document_line(text: &str) -> Option<usize> {
    let mut seen_content = false;
    for (index, line) in text.lines().enumerate() {
        if line.starts_with("---") && seen_content {
            return Some(index + 1);
        }
        let content = line.trim();
        seen_content |= !content.is_empty() && !content.starts_with('#') && content != "---";
    }
    None
}
