//! The environment a GitHub Actions runner gives a job, pointed at the fake GitHub: the one way
//! tests make ecs-migrate believe it runs in a workflow.

use std::path::Path;

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
