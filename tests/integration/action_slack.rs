//! Slack: the result reaches the webhook (a local wiremock server) as text + blocks; a webhook
//! that fails is a warning that leaves the exit code alone and never shows the URL.

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::aws::World;
use crate::support::binary::against_with_env;
use crate::support::stack::require_stack;

const HOOK_PATH: &str = "/services/T000/B000/verysecretpart";

fn fake_slack(runtime: &tokio::runtime::Runtime, status: u16) -> MockServer {
    runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(HOOK_PATH))
            .respond_with(ResponseTemplate::new(status).set_body_string("ok"))
            .mount(&server)
            .await;
        server
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_result_is_posted_to_the_webhook_from_the_config() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "slack-posted", 64);
    let runtime = runtime();
    let slack = fake_slack(&runtime, 200);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("db.yml"),
        format!(
            "cluster: {}\nservice: {}\npoll_interval: 250ms\nreport:\n  slack_webhook: \"${{SLACK_WEBHOOK_URL}}\"\n",
            world.cluster, world.service
        ),
    )
    .unwrap();
    let webhook = format!("{}{HOOK_PATH}", slack.uri());
    let run = against_with_env(
        &stack,
        &world.access_key,
        dir.path(),
        &["run", "-c", "db.yml", "--command", "sh -c 'echo migrated'"],
        &[("SLACK_WEBHOOK_URL", &webhook)],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(!run.stderr.contains("verysecretpart") && !run.stdout.contains("verysecretpart"));

    let requests = runtime.block_on(slack.received_requests()).unwrap();
    assert_eq!(requests.len(), 1, "one POST");
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    // The migration is named after the service (not the config file, db.yml).
    let headline = format!("Migration {} succeeded (exit code 0)", world.service);
    assert_eq!(body["text"], headline.as_str());
    assert_eq!(
        body["blocks"][0]["text"]["text"],
        format!(":white_check_mark: *{headline}*")
    );
    let fields = body["blocks"][1]["fields"].as_array().unwrap();
    assert!(fields.iter().any(|field| {
        field["text"]
            .as_str()
            .unwrap()
            .starts_with("*Command*\nsh -c 'echo migrated'")
    }));
    let links = body["blocks"][2]["elements"][0]["text"].as_str().unwrap();
    assert!(
        links.contains("|CloudWatch logs>") && links.contains("|ECS task>"),
        "{links}"
    );
}

#[test]
fn a_failing_webhook_is_a_warning_and_the_exit_code_stays() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "slack-fails", 64);
    let runtime = runtime();
    let slack = fake_slack(&runtime, 500);
    let webhook = format!("{}{HOOK_PATH}", slack.uri());
    let dir = tempfile::tempdir().unwrap();
    let run = against_with_env(
        &stack,
        &world.access_key,
        dir.path(),
        &[
            "run",
            "--cluster",
            &world.cluster,
            "--service",
            &world.service,
            "--poll-interval",
            "250ms",
            "--command",
            "sh -c 'exit 4'",
            "--slack-webhook",
            &webhook,
        ],
        &[("GITHUB_ACTIONS", "true")],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.contains(
            "::warning::could not post the result to Slack (report.slack_webhook): Slack answered \
             HTTP 500; the migration's result is unchanged"
        ),
        "{}",
        run.transcript()
    );
    // Masked for the runner, and otherwise never printed.
    let mentions: Vec<&str> = run
        .stderr
        .lines()
        .chain(run.stdout.lines())
        .filter(|line| line.contains("verysecretpart"))
        .collect();
    assert_eq!(mentions, [format!("::add-mask::{webhook}")]);
    let requests = runtime.block_on(slack.received_requests()).unwrap();
    assert_eq!(requests.len(), 1);
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body["text"],
        format!("Migration {} failed (exit code 4)", world.service)
    );
}
