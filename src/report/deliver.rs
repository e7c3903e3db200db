//! What `run` and `plan` hand their result to: the step outputs and the job summary (when the
//! runner provides their files), an `::error::` annotation when a GitHub Actions run failed, and
//! the Slack post. Each failure here is a warning; the migration's exit code stays what it was.

use std::path::PathBuf;

use crate::ci::{CiContext, Runner};
use crate::config::Settings;
use crate::outcome::{Outcome, Status};
use crate::review::{Level, Reviewed};

use super::{outputs, slack, summary, workflow};

/// After `run`: every report of the outcome.
pub async fn run_finished(settings: &Settings, outcome: &Outcome, warn: &dyn Fn(String)) {
    let ci = CiContext::current();
    if let Some(webhook) = &settings.report.slack_webhook {
        workflow::mask(webhook);
    }
    write_files(settings, outcome, &[], warn);
    let failed = !matches!(outcome.status, Status::Succeeded | Status::Planned);
    if failed && ci.runner == Runner::GitHubActions {
        let title = format!(
            "Migration {} {}",
            outcome.subject(),
            summary::status_words(outcome.status)
        );
        let reason = outcome
            .reason
            .clone()
            .unwrap_or_else(|| "no reason was recorded".to_owned());
        errln!("{}", workflow::error_line(&title, &reason));
    }
    if let Some(webhook) = &settings.report.slack_webhook {
        let body = slack::message(outcome, ci.run.as_deref().filter(|run| run.contains("://")));
        if let Err(why) = slack::post(webhook, &body).await {
            warn(format!(
                "could not post the result to Slack (report.slack_webhook): {why}; the migration's \
                 result is unchanged"
            ));
        }
    }
}

/// After `plan`: the outputs (status `planned`, the image) and the summary, with the plan's own
/// rows (`label`, plain value) after the status.
/// A plan's result as the reports show it: `planned`, or `rejected` by its review.
pub fn plan_outcome(
    settings: &Settings,
    container: &serde_json::Value,
    review: Option<Reviewed>,
) -> Outcome {
    let status = match &review {
        Some(reviewed) if reviewed.rejected => Status::Rejected,
        _ => Status::Planned,
    };
    let mut outcome = Outcome::new(&settings.name, status);
    outcome.environment.clone_from(&settings.environment_name);
    outcome.image = container["image"].as_str().map(str::to_owned);
    outcome.command = container["command"].as_array().map(|words| {
        words
            .iter()
            .filter_map(|word| word.as_str().map(str::to_owned))
            .collect()
    });
    if let Some(reviewed) = &review {
        let count = |level: Level| {
            let findings = &reviewed.review.findings;
            findings
                .iter()
                .filter(|finding| finding.level == level)
                .count()
        };
        outcome.reason = Some(format!(
            "review of pull request #{}: {} error(s), {} warning(s)",
            reviewed.pr,
            count(Level::Error),
            count(Level::Warning)
        ));
    }
    outcome.review = review;
    outcome
}

pub fn plan_finished(
    settings: &Settings,
    outcome: &Outcome,
    rows: &[(&str, String)],
    warn: &dyn Fn(String),
) {
    let rows: Vec<(&str, String)> = rows
        .iter()
        .map(|(label, value)| (*label, summary::code(value)))
        .collect();
    write_files(settings, outcome, &rows, warn);
}

fn runner_file(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
}

fn write_files(
    settings: &Settings,
    outcome: &Outcome,
    rows: &[(&str, String)],
    warn: &dyn Fn(String),
) {
    if let Some(path) = runner_file("GITHUB_OUTPUT")
        && let Err(error) = outputs::append(&path, &outputs::of(outcome))
    {
        warn(format!(
            "could not write the step outputs to {} (GITHUB_OUTPUT): {error}",
            path.display()
        ));
    }
    if !settings.report.summary {
        return;
    }
    if let Some(path) = runner_file("GITHUB_STEP_SUMMARY")
        && let Err(error) = summary::append(&path, &summary::section(outcome, rows))
    {
        warn(format!(
            "could not write the job summary to {} (GITHUB_STEP_SUMMARY): {error}",
            path.display()
        ));
    }
}
