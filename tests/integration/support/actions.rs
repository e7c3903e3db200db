//! The environment a GitHub Actions runner gives a job, pointed at the fake GitHub: the one way
//! tests make ecs-migrate believe it runs in a workflow; and a step's file commands (outputs,
//! job summary), read back as the runner reads them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::fake_github::FakeGitHub;

pub const TOKEN: &str = "ghp_test_token_never_printed";
pub const PR_HEAD: &str = "1111111111111111111111111111111111111111";
pub const MERGE_SHA: &str = "2222222222222222222222222222222222222222";

/// What the Actions runner sets for a job, with the event payload written to `dir`.
pub fn actions_env(
    fake: &FakeGitHub,
    dir: &Path,
    event_name: &str,
    event: serde_json::Value,
) -> Vec<(String, String)> {
    let event_path = dir.join("event.json");
    std::fs::write(&event_path, event.to_string()).unwrap();
    [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_API_URL", fake.uri().as_str()),
        ("GITHUB_SERVER_URL", "https://github.example"),
        ("GITHUB_REPOSITORY", "acme/shop"),
        ("GITHUB_SHA", MERGE_SHA),
        ("GITHUB_RUN_ID", "4242"),
        ("GITHUB_RUN_ATTEMPT", "1"),
        ("GITHUB_JOB", "migrate"),
        ("GITHUB_ACTION", "__run"),
        ("GITHUB_EVENT_NAME", event_name),
        ("GITHUB_EVENT_PATH", event_path.to_str().unwrap()),
        ("GITHUB_TOKEN", TOKEN),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect()
}

/// A `pull_request` event of PR 12, whose head is [`PR_HEAD`].
pub fn pull_request_event() -> serde_json::Value {
    json!({"action": "synchronize", "number": 12,
           "pull_request": {"number": 12, "head": {"sha": PR_HEAD}, "base": {"ref": "main"}}})
}

/// A step's file commands (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) in a temp dir.
pub struct StepFiles {
    pub dir: tempfile::TempDir,
}

impl StepFiles {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn output_path(&self) -> PathBuf {
        self.dir.path().join("set_output_0b1c")
    }

    pub fn summary_path(&self) -> PathBuf {
        self.dir.path().join("step_summary_0b1c")
    }

    pub fn summary(&self) -> String {
        std::fs::read_to_string(self.summary_path()).unwrap_or_default()
    }

    /// The outputs as the runner parses them: `name<<DELIM` … `DELIM`, or `name=value`.
    pub fn outputs(&self) -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(self.output_path()).unwrap_or_default();
        parse_outputs(&text)
    }
}

pub fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for next in lines.by_ref() {
                if next == delimiter {
                    break;
                }
                value.push(next);
            }
            outputs.insert(name.to_owned(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_owned(), value.to_owned());
        }
    }
    outputs
}
