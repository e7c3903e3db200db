//! The check run on the commit: `in_progress` while the task runs, then completed with the
//! migration's conclusion, its summary, and its annotations 50 per request as GitHub requires.

use std::time::SystemTime;

use octocrab::Octocrab;
use serde::{Deserialize, Serialize};

use crate::outcome::Status;

use super::annotation::{Annotation, PER_REQUEST};
use super::failure::{Problem, Step};
use super::target::Repo;

/// What the check run shows: its title and Markdown summary.
pub struct Output<'a> {
    pub title: &'a str,
    pub summary: &'a str,
}

/// Where the check run lives and how it is named.
pub struct CheckRunPlace<'a> {
    pub crab: &'a Octocrab,
    pub repo: &'a Repo,
    pub head_sha: &'a str,
    pub name: &'a str,
    pub details_url: Option<&'a str>,
}

#[derive(Serialize)]
struct OutputBody<'a> {
    title: &'a str,
    summary: &'a str,
    #[serde(skip_serializing_if = "no_annotations")]
    annotations: &'a [Annotation],
}

#[derive(Serialize)]
struct CreateBody<'a> {
    name: &'a str,
    head_sha: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details_url: Option<&'a str>,
    started_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    conclusion: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    completed_at: Option<String>,
    output: OutputBody<'a>,
}

#[derive(Serialize)]
struct UpdateBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conclusion: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    completed_at: Option<String>,
    output: OutputBody<'a>,
}

#[derive(Deserialize)]
struct CheckRunId {
    id: u64,
}

/// The conclusion GitHub shows for a migration's status.
pub fn conclusion(status: Status) -> &'static str {
    match status {
        Status::Succeeded => "success",
        Status::Failed => "failure",
        Status::TimedOut => "timed_out",
        Status::Cancelled => "cancelled",
        Status::Planned => "neutral",
        Status::Rejected => "failure",
    }
}

fn no_annotations(annotations: &&[Annotation]) -> bool {
    annotations.is_empty()
}

fn output_body<'a>(output: &Output<'a>, annotations: &'a [Annotation]) -> OutputBody<'a> {
    OutputBody {
        title: output.title,
        summary: output.summary,
        annotations,
    }
}

fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// Creates the check run `in_progress`; returns its id.
pub async fn start(place: &CheckRunPlace<'_>, output: Output<'_>) -> Result<u64, Problem> {
    let body = CreateBody {
        name: place.name,
        head_sha: place.head_sha,
        status: "in_progress",
        details_url: place.details_url,
        started_at: now(),
        conclusion: None,
        completed_at: None,
        output: OutputBody {
            title: output.title,
            summary: output.summary,
            annotations: &[],
        },
    };
    let created: CheckRunId = place
        .crab
        .post(place.repo.route("check-runs"), Some(&body))
        .await
        .map_err(|error| Problem::from_api(Step::CheckRun, &error))?;
    Ok(created.id)
}

/// Completes check run `id` (or creates it completed when it was never started) with the first
/// 50 annotations, then appends the rest 50 per update.
pub async fn complete(
    place: &CheckRunPlace<'_>,
    id: Option<u64>,
    status: Status,
    output: Output<'_>,
    annotations: &[Annotation],
) -> Result<u64, Problem> {
    let fail = |error: octocrab::Error| Problem::from_api(Step::CheckRun, &error);
    let annotations: Vec<Annotation> = annotations.iter().map(Annotation::within_limits).collect();
    let mut chunks = annotations.chunks(PER_REQUEST);
    let first = output_body(&output, chunks.next().unwrap_or_default());
    let id = match id {
        Some(id) => {
            let body = UpdateBody {
                status: Some("completed"),
                conclusion: Some(conclusion(status)),
                completed_at: Some(now()),
                output: first,
            };
            let _: CheckRunId = place
                .crab
                .patch(place.repo.route(&format!("check-runs/{id}")), Some(&body))
                .await
                .map_err(fail)?;
            id
        }
        None => {
            let body = CreateBody {
                name: place.name,
                head_sha: place.head_sha,
                status: "completed",
                details_url: place.details_url,
                started_at: now(),
                conclusion: Some(conclusion(status)),
                completed_at: Some(now()),
                output: first,
            };
            let created: CheckRunId = place
                .crab
                .post(place.repo.route("check-runs"), Some(&body))
                .await
                .map_err(fail)?;
            created.id
        }
    };
    for chunk in chunks {
        let body = UpdateBody {
            status: None,
            conclusion: None,
            completed_at: None,
            output: output_body(&output, chunk),
        };
        let _: CheckRunId = place
            .crab
            .patch(place.repo.route(&format!("check-runs/{id}")), Some(&body))
            .await
            .map_err(fail)?;
    }
    Ok(id)
}

#[cfg(test)]
#[path = "check_run_tests.rs"]
mod tests;
