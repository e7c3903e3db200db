//! The result of a command as users and scripts see it: DESIGN.md's output names, a short text
//! block for people, the same object as JSON for machines, and the exit code it maps to.

use std::fmt::Write as _;

use serde::Serialize;

use crate::failure::exit_code;
use crate::migration_errors::MigrationError;
use crate::tools::HalfMigrated;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Succeeded,
    Failed,
    TimedOut,
    Cancelled,
    Planned,
    /// `plan` of a pull request whose review found a problem at or above `lint.fail_on`.
    Rejected,
}

impl Status {
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Succeeded | Status::Planned => exit_code::SUCCEEDED,
            Status::Failed | Status::Rejected => exit_code::FAILED,
            Status::TimedOut => exit_code::TIMED_OUT,
            Status::Cancelled => exit_code::CANCELLED,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
            Status::TimedOut => "timed out",
            Status::Cancelled => "cancelled",
            Status::Planned => "planned",
            Status::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Outcome {
    pub name: String,
    /// The environment of the config file's `environments:` this ran in; absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    pub status: Status,
    /// The migration container's own exit code.
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    /// What to do about the failure, when the reason is one we recognise.
    pub hint: Option<String>,
    pub task_arn: Option<String>,
    pub task_definition_arn: Option<String>,
    pub image: Option<String>,
    pub command: Option<Vec<String>>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub log_url: Option<String>,
    pub task_url: Option<String>,
    pub duration_seconds: Option<u64>,
    /// The task's last log lines, for reports; not part of the JSON result.
    #[serde(skip)]
    pub log_tail: Vec<String>,
    /// The task's migration has ended (not left running): its result is final, and a later
    /// run of the same CI step may start a task of its own. Not part of the JSON result.
    #[serde(skip)]
    pub task_stopped: bool,
    /// The failed migrations the log names, for annotations. The first is the result's
    /// `failed-migration` (null when the log names none) and is named in `reason`.
    #[serde(rename = "failed-migration", serialize_with = "first_or_null")]
    pub migration_errors: Vec<MigrationError>,
    /// The migrations the tool's output says are applied (`status`) or this run applied (`run`).
    pub applied: Option<Vec<String>>,
    /// The migrations not applied yet, when the output says.
    pub pending: Option<Vec<String>>,
    /// `status`: the current version; `run`: `{before, after}`.
    pub version: Option<Version>,
    /// `plan` of a pull request: its migrations and what the review found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<crate::review::Reviewed>,
    /// A database the tool considers stuck between two versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub half_migrated: Option<HalfMigrated>,
}

/// The schema version as a result shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Version {
    /// What `status` read.
    Current(String),
    /// What `run` changed; None where the output does not say.
    Change {
        before: Option<String>,
        after: Option<String>,
    },
}

impl Outcome {
    pub fn new(name: &str, status: Status) -> Self {
        Self {
            name: name.to_owned(),
            environment: None,
            status,
            exit_code: None,
            reason: None,
            hint: None,
            task_arn: None,
            task_definition_arn: None,
            image: None,
            command: None,
            stop_code: None,
            stopped_reason: None,
            log_url: None,
            task_url: None,
            duration_seconds: None,
            log_tail: Vec::new(),
            task_stopped: false,
            migration_errors: Vec::new(),
            applied: None,
            pending: None,
            version: None,
            review: None,
            half_migrated: None,
        }
    }

    /// The migration as headlines name it: `app-web`, or `app-web (staging)` in an environment.
    pub fn subject(&self) -> String {
        match &self.environment {
            Some(environment) => format!("{} ({environment})", self.name),
            None => self.name.clone(),
        }
    }

    /// The block printed at the end of `run`.
    pub fn text_block(&self) -> String {
        let mut text = format!("Migration {:?}", self.name);
        if let Some(environment) = &self.environment {
            let _ = write!(text, " ({environment})");
        }
        let _ = writeln!(text, " {}", self.status.as_str());
        let mut row = |label: &str, value: Option<String>| {
            if let Some(value) = value {
                let _ = writeln!(text, "  {label:<16} {value}");
            }
        };
        row("reason:", self.reason.clone());
        row("fix:", self.hint.clone());
        row("task:", self.task_arn.clone());
        row("task definition:", self.task_definition_arn.clone());
        row("image:", self.image.clone());
        row("command:", self.command.as_ref().map(shell_words::join));
        row("exit code:", self.exit_code.map(|code| code.to_string()));
        row("applied:", self.applied_text());
        row("pending:", self.pending_text());
        row("version:", self.version_text("->"));
        row(
            "half-migrated:",
            self.half_migrated.as_ref().map(|half| {
                let which = half.migration.as_deref().unwrap_or("a migration");
                format!("{which} is {} (fix: {})", half.state, half.fix)
            }),
        );
        row(
            "failed in:",
            self.failed_migration().map(MigrationError::location),
        );
        row(
            "stop reason:",
            match (&self.stop_code, &self.stopped_reason) {
                (Some(code), Some(reason)) => Some(format!("{code}: {reason}")),
                (code, reason) => code.clone().or_else(|| reason.clone()),
            },
        );
        row(
            "duration:",
            self.duration_seconds.map(|secs| {
                humantime::format_duration(std::time::Duration::from_secs(secs)).to_string()
            }),
        );
        row("logs:", self.log_url.clone());
        row("console:", self.task_url.clone());
        text
    }

    /// `applied` for people: the names joined, `none`, or None when the output did not say.
    pub fn applied_text(&self) -> Option<String> {
        self.applied.as_deref().map(listed)
    }

    /// `pending` for people, like [`Outcome::applied_text`].
    pub fn pending_text(&self) -> Option<String> {
        self.pending.as_deref().map(listed)
    }

    /// `version` for people: the current one, or `before <arrow> after` (`?` where unknown).
    pub fn version_text(&self, arrow: &str) -> Option<String> {
        self.version.as_ref().map(|version| match version {
            Version::Current(version) => version.clone(),
            Version::Change { before, after } => format!(
                "{} {arrow} {}",
                before.as_deref().unwrap_or("?"),
                after.as_deref().unwrap_or("?")
            ),
        })
    }

    /// The migration the log names as the one that failed.
    pub fn failed_migration(&self) -> Option<&MigrationError> {
        self.migration_errors.first()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an outcome always serializes")
    }
}

fn listed(list: &[String]) -> String {
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }
}

fn first_or_null<S: serde::Serializer>(
    errors: &[MigrationError],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&errors.first(), serializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_uses_the_documented_output_names() {
        let mut outcome = Outcome::new("db", Status::TimedOut);
        outcome.exit_code = Some(137);
        outcome.task_arn = Some("arn:aws:ecs:us-east-1:1:task/c/t".into());
        let json: serde_json::Value = serde_json::from_str(&outcome.to_json()).unwrap();
        assert_eq!(json["status"], "timed_out");
        assert_eq!(json["exit-code"], 137);
        assert_eq!(json["task-arn"], "arn:aws:ecs:us-east-1:1:task/c/t");
        assert!(json.get("task-definition-arn").is_some());
        assert!(json.get("duration-seconds").is_some());
        assert!(json.get("log-url").is_some());
        assert_eq!(json["failed-migration"], serde_json::Value::Null);
    }

    #[test]
    fn the_environment_is_in_the_json_and_the_headline_only_when_there_is_one() {
        let mut outcome = Outcome::new("db", Status::Succeeded);
        let json: serde_json::Value = serde_json::from_str(&outcome.to_json()).unwrap();
        assert!(json.get("environment").is_none(), "{json}");
        assert!(
            outcome
                .text_block()
                .starts_with("Migration \"db\" succeeded\n")
        );
        assert_eq!(outcome.subject(), "db");

        outcome.environment = Some("staging".into());
        let json: serde_json::Value = serde_json::from_str(&outcome.to_json()).unwrap();
        assert_eq!(json["environment"], "staging");
        assert!(
            outcome
                .text_block()
                .starts_with("Migration \"db\" (staging) succeeded\n"),
            "{}",
            outcome.text_block()
        );
        assert_eq!(outcome.subject(), "db (staging)");
    }

    #[test]
    fn the_first_failed_migration_is_in_json_and_text() {
        let mut outcome = Outcome::new("db", Status::Failed);
        outcome.migration_errors = vec![MigrationError {
            tool: "alembic",
            path: "alembic/versions/0003_broken.py".into(),
            line: Some(14),
            message: "column \"nope\" does not exist".into(),
        }];
        let json: serde_json::Value = serde_json::from_str(&outcome.to_json()).unwrap();
        assert_eq!(
            json["failed-migration"],
            serde_json::json!({"tool": "alembic", "file": "alembic/versions/0003_broken.py",
                               "line": 14, "message": "column \"nope\" does not exist"})
        );
        assert!(
            outcome
                .text_block()
                .contains("  failed in:       alembic/versions/0003_broken.py:14\n")
        );
        outcome.migration_errors[0].line = None;
        let json: serde_json::Value = serde_json::from_str(&outcome.to_json()).unwrap();
        assert_eq!(json["failed-migration"]["line"], serde_json::Value::Null);
    }

    #[test]
    fn the_text_block_leaves_out_unknown_rows() {
        let mut outcome = Outcome::new("db", Status::Failed);
        outcome.exit_code = Some(3);
        outcome.command = Some(vec!["sh".into(), "-c".into(), "exit 3".into()]);
        assert_eq!(
            outcome.text_block(),
            "Migration \"db\" failed\n  command:         sh -c 'exit 3'\n  exit code:       3\n"
        );
    }

    #[test]
    fn a_hint_is_printed_as_the_fix_under_the_reason() {
        let mut outcome = Outcome::new("db", Status::Failed);
        outcome.reason = Some("container \"app\" exited with code 137: OutOfMemoryError".into());
        outcome.hint = Some("raise `memory`".into());
        assert!(outcome.text_block().contains(
            "  reason:          container \"app\" exited with code 137: OutOfMemoryError\n  fix:             raise `memory`\n"
        ));
        let json: serde_json::Value = serde_json::from_str(&outcome.to_json()).unwrap();
        assert_eq!(json["hint"], "raise `memory`");
    }

    #[test]
    fn each_status_maps_to_its_documented_exit_code() {
        assert_eq!(Status::Succeeded.exit_code(), 0);
        assert_eq!(Status::Failed.exit_code(), 1);
        assert_eq!(Status::TimedOut.exit_code(), 124);
        assert_eq!(Status::Cancelled.exit_code(), 130);
    }
}
