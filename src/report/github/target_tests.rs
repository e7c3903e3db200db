use std::collections::HashMap;

use super::*;

fn target_of(vars: &[(&str, &str)], event: Option<&str>, pr_flag: Option<u64>) -> Option<Target> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let lookup = |name: &str| vars.get(name).cloned();
    let ci = CiContext::detect(&lookup);
    let event = event.map(str::to_owned);
    detect(&ci, &lookup, &|_| event.clone(), pr_flag)
}

const ACTIONS: &[(&str, &str)] = &[
    ("GITHUB_ACTIONS", "true"),
    ("GITHUB_REPOSITORY", "acme/shop"),
    ("GITHUB_SHA", "merge0"),
    ("GITHUB_EVENT_PATH", "/event.json"),
    ("GITHUB_SERVER_URL", "https://github.com"),
    ("GITHUB_RUN_ID", "77"),
];

#[test]
fn a_pull_request_event_gives_the_pr_and_its_head_not_the_merge_commit() {
    let event = r#"{"number": 12, "pull_request": {"number": 12, "head": {"sha": "head1"}}}"#;
    let target = target_of(ACTIONS, Some(event), None).unwrap();
    assert_eq!(target.repo.to_string(), "acme/shop");
    assert_eq!(target.pr, Some(12));
    assert_eq!(target.sha.as_deref(), Some("head1"));
    assert!(target.sha_is_pr_head);
    assert_eq!(target.api_url, "https://api.github.com");
    assert_eq!(
        target.details_url.as_deref(),
        Some("https://github.com/acme/shop/actions/runs/77")
    );
}

#[test]
fn a_push_event_has_no_pr_yet_and_uses_the_pushed_commit() {
    let target = target_of(ACTIONS, Some(r#"{"ref": "refs/heads/main"}"#), None).unwrap();
    assert_eq!(target.pr, None);
    assert_eq!(target.sha.as_deref(), Some("merge0"));
    assert!(!target.sha_is_pr_head);
}

#[test]
fn the_pr_flag_overrides_the_event_and_asks_for_the_head_again() {
    let event = r#"{"pull_request": {"number": 12, "head": {"sha": "head1"}}}"#;
    let target = target_of(ACTIONS, Some(event), Some(40)).unwrap();
    assert_eq!(target.pr, Some(40));
    assert!(!target.sha_is_pr_head);
}

#[test]
fn github_api_url_is_honoured() {
    let mut vars = ACTIONS.to_vec();
    vars.push(("GITHUB_API_URL", "https://ghe.acme.io/api/v3"));
    let target = target_of(&vars, None, None).unwrap();
    assert_eq!(target.api_url, "https://ghe.acme.io/api/v3");
}

#[test]
fn codebuild_reads_the_repo_pr_and_commit_from_its_variables() {
    let vars = [
        ("CODEBUILD_BUILD_ID", "proj:1"),
        (
            "CODEBUILD_SOURCE_REPO_URL",
            "https://github.com/acme/shop.git",
        ),
        ("CODEBUILD_WEBHOOK_TRIGGER", "pr/31"),
        ("CODEBUILD_RESOLVED_SOURCE_VERSION", "abc123"),
        ("CODEBUILD_BUILD_URL", "https://console.aws/build/1"),
    ];
    let target = target_of(&vars, None, None).unwrap();
    assert_eq!(target.runner, Runner::CodeBuild);
    assert_eq!(target.repo.to_string(), "acme/shop");
    assert_eq!(target.pr, Some(31));
    assert_eq!(target.sha.as_deref(), Some("abc123"));
    assert_eq!(
        target.details_url.as_deref(),
        Some("https://console.aws/build/1")
    );
}

#[test]
fn codebuild_on_github_enterprise_derives_its_api_from_the_clone_url() {
    let vars = [
        ("CODEBUILD_BUILD_ID", "proj:1"),
        ("CODEBUILD_SOURCE_REPO_URL", "https://ghe.acme.io/acme/shop"),
        ("CODEBUILD_SOURCE_VERSION", "pr/5"),
    ];
    let target = target_of(&vars, None, None).unwrap();
    assert_eq!(target.api_url, "https://ghe.acme.io/api/v3");
    assert_eq!(target.pr, Some(5));
}

#[test]
fn repositories_parse_from_names_and_clone_urls() {
    assert_eq!(
        Repo::from_clone_url("git@github.com:acme/shop.git"),
        Repo::parse("acme/shop")
    );
    assert_eq!(Repo::parse("no-slash"), None);
    assert_eq!(Repo::parse("a/b/c"), None);
}

#[test]
fn without_a_repository_there_is_nothing_to_report_to() {
    assert_eq!(target_of(&[("GITHUB_ACTIONS", "true")], None, None), None);
}
