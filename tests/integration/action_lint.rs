//! `check-jsonschema` (from the stack's Python venv) validates action.yml against GitHub's
//! action schema and the example and release workflows against the workflow schema. In CI
//! (`CI=true` or `1`) a missing checker is a failure.

use std::path::PathBuf;
use std::process::Command;

use crate::support::stack::check_jsonschema;

fn validate(schema: &str, files: &[&str]) {
    let Some(checker) = check_jsonschema() else {
        return;
    };
    let output = Command::new(checker)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--builtin-schema", schema])
        .args(files)
        .output()
        .expect("run check-jsonschema");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("ok -- validation done"),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn action_yml_matches_the_github_actions_schema() {
    validate("vendor.github-actions", &["action.yml"]);
}

#[test]
fn the_workflows_match_the_github_workflows_schema() {
    validate(
        "vendor.github-workflows",
        &[
            "examples/github-workflow.yml",
            "examples/github-workflow-environment-branches.yml",
            "examples/github-workflow-staging-then-production.yml",
            ".github/workflows/release.yml",
        ],
    );
}

#[test]
fn action_yml_runs_the_image_of_this_version() {
    let action =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("action.yml"))
            .unwrap();
    let expected = format!(
        "  image: docker://ghcr.io/ecs-migrate/ecs-migrate:{}\n",
        env!("CARGO_PKG_VERSION")
    );
    assert!(action.contains(&expected), "action.yml must run {expected}");
}
