//! `report.error_pattern`: the user's own regex for tools we do not know, with named groups
//! `file`, `message` and optionally `line`.

use regex::Regex;

use super::{Found, Line};

pub(super) const TOOL: &str = "error_pattern";

/// Compiles and checks the pattern; the error says what to fix.
pub(super) fn compile(pattern: &str) -> Result<Regex, String> {
    let regex = Regex::new(pattern).map_err(|error| {
        let detail = error.to_string();
        let detail = detail.lines().last().unwrap_or_default().trim().to_owned();
        format!(
            "invalid regular expression {pattern:?}: {detail} (write a Rust regex with named \
             groups, e.g. '(?P<file>\\S+\\.sql):(?P<line>\\d+): (?P<message>.+)')"
        )
    })?;
    let names: Vec<&str> = regex.capture_names().flatten().collect();
    let missing: Vec<&str> = ["file", "message"]
        .into_iter()
        .filter(|group| !names.contains(group))
        .collect();
    if !missing.is_empty() {
        let groups = missing
            .iter()
            .map(|group| format!("(?P<{group}>…)"))
            .collect::<Vec<_>>()
            .join(" and ");
        return Err(format!(
            "the pattern {pattern:?} has no {groups} group (name the parts of a matching line: \
             `file` and `message` are required, `line` is optional)"
        ));
    }
    Ok(regex)
}

pub(super) fn scan(pattern: &Regex, lines: &[Line<'_>], found: &mut Vec<Found>) {
    for line in lines {
        let Some(captures) = pattern.captures(line.text) else {
            continue;
        };
        let Some(file) = captures.name("file").map(|file| file.as_str().trim()) else {
            continue;
        };
        if file.is_empty() {
            continue;
        }
        let number = captures
            .name("line")
            .and_then(|number| number.as_str().trim().parse().ok());
        let message = captures
            .name("message")
            .map_or("", |message| message.as_str());
        found.push(Found::new(line.at, TOOL, file, number, message));
    }
}
