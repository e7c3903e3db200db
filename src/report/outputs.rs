//! The step's outputs, appended to the `GITHUB_OUTPUT` file under DESIGN.md's names. Each value
//! is written as a heredoc (`name<<DELIMITER`) with a fresh random delimiter that the value does
//! not contain, so a multiline value (or one crafted to end the block early) cannot forge another
//! output.

use std::io::Write as _;
use std::path::Path;

use crate::outcome::Outcome;

/// The outputs of action.yml, in its order; empty when unknown (e.g. no task was started).
pub fn of(outcome: &Outcome) -> Vec<(&'static str, String)> {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    vec![
        ("status", status_name(outcome)),
        (
            "exit-code",
            outcome
                .exit_code
                .map(|code| code.to_string())
                .unwrap_or_default(),
        ),
        ("task-arn", text(&outcome.task_arn)),
        ("task-definition-arn", text(&outcome.task_definition_arn)),
        ("image", text(&outcome.image)),
        ("log-url", text(&outcome.log_url)),
        (
            "duration-seconds",
            outcome
                .duration_seconds
                .map(|seconds| seconds.to_string())
                .unwrap_or_default(),
        ),
        (
            "failed-migration",
            outcome
                .failed_migration()
                .map(|error| error.location())
                .unwrap_or_default(),
        ),
        ("applied", json_or_empty(&outcome.applied)),
        ("pending", json_or_empty(&outcome.pending)),
        ("version", json_or_empty(&outcome.version)),
    ]
}

/// A value as JSON text (`["0001","0002"]`, `{"before":null,"after":"0002"}`); empty when the
/// tool's output did not say.
fn json_or_empty<T: serde::Serialize>(value: &Option<T>) -> String {
    value
        .as_ref()
        .and_then(|value| serde_json::to_string(value).ok())
        .unwrap_or_default()
}

/// The status as the JSON result spells it (`timed_out`, not "timed out").
fn status_name(outcome: &Outcome) -> String {
    serde_json::to_value(outcome.status)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The file-command text for `outputs`.
pub fn render(outputs: &[(&str, String)]) -> std::io::Result<String> {
    let mut text = String::new();
    for (name, value) in outputs {
        let delimiter = delimiter_for(value)?;
        text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    Ok(text)
}

/// Appends `outputs` to the file the runner named in `GITHUB_OUTPUT`.
pub fn append(path: &Path, outputs: &[(&str, String)]) -> std::io::Result<()> {
    let text = render(outputs)?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// `ghadelimiter_<128 random bits>`, drawn again in the (astronomically unlikely) case that the
/// value contains it.
fn delimiter_for(value: &str) -> std::io::Result<String> {
    loop {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
        let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        let delimiter = format!("ghadelimiter_{hex}");
        if !value.contains(&delimiter) {
            return Ok(delimiter);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Status;

    #[test]
    fn every_value_gets_its_own_random_delimiter() {
        let text = render(&[
            ("status", "failed".to_owned()),
            ("log-url", "line one\nline two".to_owned()),
        ])
        .unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 7, "{text}");
        let first = lines[0].strip_prefix("status<<").unwrap();
        let second = lines[3].strip_prefix("log-url<<").unwrap();
        assert!(first.starts_with("ghadelimiter_") && first.len() == 13 + 32);
        assert_ne!(first, second);
        assert_eq!(lines[1..3], ["failed", first]);
        assert_eq!(lines[4..7], ["line one", "line two", second]);
    }

    #[test]
    fn unknown_values_are_empty_and_status_uses_the_json_spelling() {
        let outputs = of(&Outcome::new("db", Status::TimedOut));
        assert_eq!(outputs[0], ("status", "timed_out".to_owned()));
        assert!(outputs[1..].iter().all(|(_, value)| value.is_empty()));
        let names: Vec<&str> = outputs.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            names,
            [
                "status",
                "exit-code",
                "task-arn",
                "task-definition-arn",
                "image",
                "log-url",
                "duration-seconds",
                "failed-migration",
                "applied",
                "pending",
                "version"
            ]
        );
    }

    #[test]
    fn what_the_tool_said_is_json_text() {
        let mut outcome = Outcome::new("db", Status::Succeeded);
        outcome.applied = Some(vec!["0001".into(), "0002".into()]);
        outcome.pending = Some(Vec::new());
        outcome.version = Some(crate::outcome::Version::Change {
            before: None,
            after: Some("0002".into()),
        });
        let outputs = of(&outcome);
        let value = |name: &str| {
            let found = outputs.iter().find(|(output, _)| *output == name);
            found.map(|(_, value)| value.clone()).unwrap()
        };
        assert_eq!(value("applied"), r#"["0001","0002"]"#);
        assert_eq!(value("pending"), "[]");
        assert_eq!(value("version"), r#"{"before":null,"after":"0002"}"#);
    }
}
