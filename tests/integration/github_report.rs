//! Reporting on GitHub end to end: the real binary runs a migration on the ECS stand-in while a
//! contract-validating GitHub fake receives the PR comment, the check run and commit statuses.

use serde_json::json;

use crate::support::actions::{MERGE_SHA, PR_HEAD, TOKEN, actions_env, pull_request_event};
use crate::support::aws::World;
use crate::support::binary::{against_with_env, migrate_with_env};
use crate::support::fake_github::FakeGitHub;
use crate::support::stack::require_stack;

#[test]
fn the_pr_comment_is_created_once_then_updated_and_check_runs_conclude() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "gh-sticky", 64);
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let dir = tempfile::tempdir().unwrap();
    let env = actions_env(&fake, dir.path(), "pull_request", pull_request_event());

    let first = migrate_with_env(
        &stack,
        &world,
        "sh -c 'echo applying 0042_users; echo done'",
        &["--name", "db"],
        &env,
    );
    assert_eq!(first.code, 0, "{}", first.transcript());
    assert_eq!(first.json()["status"], "succeeded");
    assert!(
        first
            .stderr
            .contains("GitHub: commented on pull request #12"),
        "{}",
        first.transcript()
    );
    let comments = fake.comments(12);
    assert_eq!(comments.len(), 1);
    let (comment_id, body) = &comments[0];
    assert!(
        body.starts_with("<!-- ecs-migrate:comment name=\"db\" -->"),
        "{body}"
    );
    assert!(body.contains("✅ Migration ` db ` succeeded"), "{body}");
    assert!(body.contains("| Exit code | 0 |"), "{body}");
    assert!(
        body.contains("<details><summary>Last 2 log lines</summary>"),
        "{body}"
    );
    assert!(body.contains("applying 0042_users\ndone\n"), "{body}");
    assert!(
        body.contains("[CloudWatch logs](https://us-east-1.console.aws.amazon.com/cloudwatch/"),
        "{body}"
    );
    assert!(body.contains("/actions/runs/4242"), "{body}");

    let second = migrate_with_env(
        &stack,
        &world,
        "sh -c 'echo applying 0043_orders; exit 3'",
        &["--name", "db"],
        &env,
    );
    assert_eq!(second.code, 1, "{}", second.transcript());
    assert!(
        second
            .stderr
            .contains("GitHub: updated the comment on pull request #12"),
        "{}",
        second.transcript()
    );
    let comments = fake.comments(12);
    assert_eq!(
        comments.len(),
        1,
        "the comment was duplicated: {comments:#?}"
    );
    assert_eq!(&comments[0].0, comment_id);
    assert!(
        comments[0].1.contains("❌ Migration ` db ` failed"),
        "{}",
        comments[0].1
    );
    assert!(
        comments[0].1.contains("| Exit code | 3 |"),
        "{}",
        comments[0].1
    );
    assert_eq!(fake.requests_of("issues/create-comment").len(), 1);
    assert_eq!(fake.requests_of("issues/update-comment").len(), 1);

    // Each run: created in_progress on the PR head once the task started, then completed.
    let creates = fake.requests_of("checks/create");
    let updates = fake.requests_of("checks/update");
    assert_eq!((creates.len(), updates.len()), (2, 2));
    for (create, run) in creates.iter().zip([&first, &second]) {
        assert_eq!(create.body["status"], "in_progress");
        assert_eq!(create.body["head_sha"], PR_HEAD);
        assert_eq!(create.body["name"], "ecs-migrate/db");
        let task_arn = run.json()["task-arn"].as_str().unwrap().to_owned();
        let task_id = task_arn.rsplit('/').next().unwrap();
        let summary = create.body["output"]["summary"].as_str().unwrap();
        assert!(summary.contains(task_id), "{summary}");
    }
    assert_eq!(updates[0].body["conclusion"], "success");
    assert_eq!(updates[1].body["conclusion"], "failure");
    let runs = fake.check_runs();
    assert_eq!(
        runs.iter()
            .map(|run| run["status"].clone())
            .collect::<Vec<_>>(),
        ["completed", "completed"]
    );
    for request in fake.requests() {
        assert_eq!(
            request.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
    first.assert_hides(TOKEN);
    second.assert_hides(TOKEN);
    fake.assert_no_problems();
}

#[test]
fn on_push_the_commit_s_pr_is_found_and_its_sticky_comment_past_100_comments() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "gh-paging", 64);
    let (_runtime, fake) = FakeGitHub::start_blocking();
    fake.set_commit_pulls(&[(7, MERGE_SHA)]);
    for index in 0..130 {
        if index == 5 {
            // Someone quoting the marker is not the sticky comment: it must start with it.
            fake.add_comment(7, "quoting it: <!-- ecs-migrate:comment name=\"db\" -->");
        } else if index == 120 {
            fake.add_comment(7, "<!-- ecs-migrate:comment name=\"db\" -->\nold result");
        } else {
            fake.add_comment(7, &format!("review remark {index}"));
        }
    }
    let sticky = fake.comments(7)[120].0;
    let dir = tempfile::tempdir().unwrap();
    let env = actions_env(
        &fake,
        dir.path(),
        "push",
        json!({"ref": "refs/heads/feature"}),
    );

    let run = migrate_with_env(&stack, &world, "sh -c 'echo ok'", &["--name", "db"], &env);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let lookups = fake.requests_of("repos/list-pull-requests-associated-with-commit");
    assert_eq!(lookups.len(), 1);
    assert!(
        lookups[0]
            .path
            .ends_with(&format!("/commits/{MERGE_SHA}/pulls"))
    );
    let pages: Vec<String> = fake
        .requests_of("issues/list-comments")
        .iter()
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(pages, ["per_page=100", "per_page=100&page=2"]);
    assert!(fake.requests_of("issues/create-comment").is_empty());
    let updates = fake.requests_of("issues/update-comment");
    assert_eq!(updates.len(), 1);
    assert!(
        updates[0]
            .path
            .ends_with(&format!("/issues/comments/{sticky}"))
    );
    assert!(
        fake.comments(7)[120]
            .1
            .contains("✅ Migration ` db ` succeeded")
    );
    assert_eq!(
        fake.requests_of("checks/create")[0].body["head_sha"],
        MERGE_SHA
    );
    fake.assert_no_problems();
}

#[test]
fn a_403_is_a_warning_naming_the_permission_and_keeps_the_exit_code() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "gh-forbidden", 64);
    let (_runtime, fake) = FakeGitHub::start_blocking();
    fake.deny("checks/create");
    fake.deny("issues/create-comment");
    let dir = tempfile::tempdir().unwrap();
    let env = actions_env(&fake, dir.path(), "pull_request", pull_request_event());

    let succeeded = migrate_with_env(&stack, &world, "sh -c 'echo ok'", &["--name", "db"], &env);
    assert_eq!(succeeded.code, 0, "{}", succeeded.transcript());
    assert_eq!(succeeded.json()["status"], "succeeded");
    assert!(
        succeeded.stderr.contains("::warning::GitHub report: could not report the check run: GitHub answered 403 Resource not accessible by integration; the token needs `checks: write`"),
        "{}",
        succeeded.transcript()
    );
    assert!(
        succeeded.stderr.contains("could not post the pull request comment: GitHub answered 403 Resource not accessible by integration; the token needs `pull-requests: write`"),
        "{}",
        succeeded.transcript()
    );
    let failed = migrate_with_env(&stack, &world, "sh -c 'exit 5'", &["--name", "db"], &env);
    assert_eq!(failed.code, 1, "{}", failed.transcript());
    assert_eq!(failed.json()["exit-code"], 5);
    fake.assert_no_problems();
}

#[test]
fn without_a_token_reporting_is_skipped_with_one_line() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "gh-no-token", 64);
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env(&fake, dir.path(), "pull_request", pull_request_event());
    env.retain(|(name, _)| name != "GITHUB_TOKEN");

    let run = migrate_with_env(&stack, &world, "sh -c 'echo ok'", &["--name", "db"], &env);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let skipped: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("GitHub report"))
        .collect();
    assert_eq!(
        skipped,
        [
            "ecs-migrate: GitHub report skipped: no GITHUB_TOKEN (--github-token) or GitHub App credentials"
        ]
    );
    assert!(fake.requests().is_empty());
    fake.assert_no_problems();
}

#[test]
fn codebuild_posts_the_comment_and_commit_statuses_linked_to_the_build() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "gh-codebuild", 64);
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let env: Vec<(String, String)> = [
        ("CODEBUILD_BUILD_ID", "shop-migrate:5f2c"),
        (
            "CODEBUILD_BUILD_URL",
            "https://console.aws.example/codebuild/shop-migrate/5f2c",
        ),
        (
            "CODEBUILD_SOURCE_REPO_URL",
            "https://github.com/acme/shop.git",
        ),
        ("CODEBUILD_WEBHOOK_TRIGGER", "pr/31"),
        ("CODEBUILD_RESOLVED_SOURCE_VERSION", PR_HEAD),
        ("GITHUB_API_URL", fake.uri().as_str()),
        ("GITHUB_TOKEN", TOKEN),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();

    let run = migrate_with_env(&stack, &world, "sh -c 'exit 2'", &["--name", "db"], &env);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(fake.comments(31).len(), 1);
    assert!(fake.requests_of("checks/create").is_empty());
    let statuses = fake.requests_of("repos/create-commit-status");
    let states: Vec<_> = statuses
        .iter()
        .map(|status| status.body["state"].clone())
        .collect();
    assert_eq!(states, ["pending", "failure"]);
    for status in &statuses {
        assert!(status.path.ends_with(&format!("/statuses/{PR_HEAD}")));
        assert_eq!(status.body["context"], "ecs-migrate/db");
        assert_eq!(
            status.body["target_url"],
            "https://console.aws.example/codebuild/shop-migrate/5f2c"
        );
    }
    run.assert_hides(TOKEN);
    fake.assert_no_problems();
}

#[test]
fn a_github_app_reports_with_an_installation_token_of_the_repository() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "gh-app", 64);
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env(&fake, dir.path(), "pull_request", pull_request_event());
    env.retain(|(name, _)| name != "GITHUB_TOKEN");
    // A throwaway key made for this test (`openssl genrsa -traditional 2048`).
    let key = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/github-app-test-key.pem"
    );
    env.push(("GITHUB_APP_ID".into(), "123456".into()));
    env.push(("GITHUB_APP_PRIVATE_KEY".into(), key.into()));

    let run = migrate_with_env(&stack, &world, "sh -c 'echo ok'", &["--name", "db"], &env);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let requests = fake.requests();
    let operations: Vec<&str> = requests
        .iter()
        .map(|request| request.operation.as_str())
        .collect();
    assert_eq!(
        operations[..3],
        [
            "apps/get-repo-installation",
            "apps/create-installation-access-token",
            "checks/create"
        ],
        "{operations:?}"
    );
    assert!(requests[0].path.ends_with("/repos/acme/shop/installation"));
    // The app signs in with a JWT, then acts with the installation's token.
    assert!(
        requests[0]
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("Bearer ey")
    );
    assert!(
        requests[1]
            .path
            .ends_with("/app/installations/42/access_tokens")
    );
    for request in &requests[2..] {
        assert_eq!(
            request.authorization.as_deref(),
            Some("Bearer ghs_installation_token_from_fake")
        );
    }
    assert!(
        run.stderr
            .contains("::add-mask::ghs_installation_token_from_fake"),
        "{}",
        run.transcript()
    );
    run.assert_hides("ghs_installation_token_from_fake");
    assert_eq!(fake.comments(12).len(), 1);
    assert_eq!(fake.check_runs()[0]["conclusion"], "success");
    fake.assert_no_problems();
}

#[test]
fn the_failed_migration_the_log_names_is_annotated_on_the_check_run() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "gh-annotate", 64);
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let dir = tempfile::tempdir().unwrap();
    let env = actions_env(&fake, dir.path(), "pull_request", pull_request_event());
    // Rails' own failure output, from a container whose app lives in /app.
    let config = format!(
        r#"name: db
cluster: {cluster}
service: {service}
poll_interval: 250ms
command:
  - sh
  - -c
  - |
    echo '== 20240101000000 AddEmailToUsers: migrating ======================'
    echo 'rake aborted!'
    echo 'StandardError: An error has occurred, this and all later migrations canceled:'
    echo
    echo 'PG::DuplicateColumn: ERROR:  column "email" of relation "users" already exists'
    echo "/app/db/migrate/20240101000000_add_email_to_users.rb:3:in \`change'"
    exit 1
report:
  path_map: {{ /app: . }}
"#,
        cluster = world.cluster,
        service = world.service,
    );
    std::fs::write(dir.path().join("ecs-migrate.yml"), config).unwrap();
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let run = against_with_env(
        &stack,
        &world.access_key,
        dir.path(),
        &["run", "--output", "json"],
        &env,
    );

    assert_eq!(run.code, 1, "{}", run.transcript());
    let completing = fake.requests_of("checks/update");
    assert_eq!(completing.len(), 1, "{:#?}", fake.requests());
    assert_eq!(completing[0].body["conclusion"], "failure");
    assert_eq!(
        completing[0].body["output"]["annotations"],
        json!([{
            "path": "db/migrate/20240101000000_add_email_to_users.rb",
            "start_line": 3,
            "end_line": 3,
            "annotation_level": "failure",
            "message": "PG::DuplicateColumn: ERROR:  column \"email\" of relation \"users\" already exists",
            "title": "rails migration failed"
        }])
    );
    let comment = &fake.comments(12)[0].1;
    assert!(
        comment
            .contains("rails migration db/migrate/20240101000000_add_email_to_users.rb:3 failed"),
        "{comment}"
    );
    fake.assert_no_problems();
}

#[test]
fn the_pr_comment_input_false_leaves_only_the_check_run() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "gh-inputs", 64);
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env(&fake, dir.path(), "pull_request", pull_request_event());
    env.retain(|(name, _)| name != "GITHUB_TOKEN");
    for (input, value) in [
        ("CLUSTER", world.cluster.as_str()),
        ("SERVICE", world.service.as_str()),
        ("COMMAND", "sh -c 'echo ok'"),
        ("GITHUB-TOKEN", TOKEN),
        ("PR-COMMENT", "false"),
        ("CHECK-RUN", "true"),
    ] {
        env.push((format!("INPUT_{input}"), value.to_owned()));
    }
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();

    let run = against_with_env(&stack, &world.access_key, dir.path(), &["action"], &env);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(fake.comments(12).is_empty());
    assert!(fake.requests_of("issues/list-comments").is_empty());
    assert_eq!(fake.check_runs()[0]["conclusion"], "success");
    run.assert_hides(TOKEN);
    fake.assert_no_problems();
}
