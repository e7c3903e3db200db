//! Check runs against the contract-validating GitHub fake (the one the integration tests use).

use super::*;
use crate::report::github::annotation::AnnotationLevel;
use crate::report::github::fake_github::FakeGitHub;

fn client(fake: &FakeGitHub) -> Octocrab {
    Octocrab::builder()
        .base_uri(fake.uri())
        .unwrap()
        .personal_token("test-token".to_owned())
        .build()
        .unwrap()
}

fn repo() -> Repo {
    Repo::parse("acme/shop").unwrap()
}

/// The check run `ecs-migrate/db` on commit `abc123`.
fn place<'a>(
    crab: &'a Octocrab,
    repo: &'a Repo,
    details_url: Option<&'a str>,
) -> CheckRunPlace<'a> {
    CheckRunPlace {
        crab,
        repo,
        head_sha: "abc123",
        name: "ecs-migrate/db",
        details_url,
    }
}

fn annotations(count: u32) -> Vec<Annotation> {
    (1..=count)
        .map(|line| Annotation {
            path: format!("db/migrate/{line:04}_step.sql"),
            start_line: line,
            end_line: line,
            annotation_level: AnnotationLevel::Failure,
            message: format!("statement {line} failed"),
            title: Some("migration failed".into()),
        })
        .collect()
}

fn annotation_counts(fake: &FakeGitHub, operation: &str) -> Vec<usize> {
    fake.requests_of(operation)
        .iter()
        .map(|request| {
            request.body["output"]["annotations"]
                .as_array()
                .map_or(0, Vec::len)
        })
        .collect()
}

#[tokio::test]
async fn annotations_are_sent_fifty_per_request_after_the_completing_update() {
    let fake = FakeGitHub::start().await;
    let (crab, repo) = (client(&fake), repo());
    let place = place(&crab, &repo, Some("https://ci.example/run/1"));
    let output = || Output {
        title: "Migration db",
        summary: "summary",
    };
    let id = start(&place, output()).await.unwrap();
    let sent = annotations(120);
    let completed = complete(&place, Some(id), Status::Failed, output(), &sent);
    assert_eq!(completed.await.unwrap(), id);

    assert_eq!(annotation_counts(&fake, "checks/create"), [0]);
    assert_eq!(annotation_counts(&fake, "checks/update"), [50, 50, 20]);
    let updates = fake.requests_of("checks/update");
    assert_eq!(updates[0].body["status"], "completed");
    assert_eq!(updates[0].body["conclusion"], "failure");
    assert!(updates[1].body.get("status").is_none());
    assert_eq!(
        updates[2].body["output"]["annotations"][19]["start_line"],
        120
    );
    let runs = fake.check_runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["annotations_count"], 120);
    assert_eq!(runs[0]["conclusion"], "failure");
    fake.assert_no_problems();
}

#[tokio::test]
async fn a_check_run_never_started_is_created_completed_with_the_first_fifty() {
    let fake = FakeGitHub::start().await;
    let (crab, repo) = (client(&fake), repo());
    let place = place(&crab, &repo, None);
    let output = Output {
        title: "t",
        summary: "s",
    };
    complete(&place, None, Status::TimedOut, output, &annotations(51))
        .await
        .unwrap();
    assert_eq!(annotation_counts(&fake, "checks/create"), [50]);
    assert_eq!(annotation_counts(&fake, "checks/update"), [1]);
    assert_eq!(fake.check_runs()[0]["conclusion"], "timed_out");
    fake.assert_no_problems();
}

#[test]
fn every_status_has_a_conclusion_github_accepts() {
    assert_eq!(conclusion(Status::Succeeded), "success");
    assert_eq!(conclusion(Status::Failed), "failure");
    assert_eq!(conclusion(Status::TimedOut), "timed_out");
    assert_eq!(conclusion(Status::Cancelled), "cancelled");
}
