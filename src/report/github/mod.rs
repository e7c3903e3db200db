//! Reports a migration on GitHub: a sticky pull request comment, a check run on the commit (a
//! commit status from CodeBuild). Every failure here is a warning: reporting never changes the
//! migration's result or exit code.

mod annotation;
mod check_run;
mod client;
mod comment;
mod failure;
mod locate;
mod markdown;
mod pr_files;
mod status;
mod target;

use std::future::Future;
use std::time::Duration;

use octocrab::Octocrab;

use crate::ci::{CiContext, Runner};
use crate::config::Settings;
use crate::outcome::Outcome;
use crate::progress::Progress;
use crate::report::workflow;

use annotation::Annotation;
pub use client::Access;
use failure::Problem;
use target::Target;

/// The longest one report step may take: GitHub being slow must not hold up the CI job.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// The pull request `plan` reviews and its files: None outside a pull request (no event, no
/// `--pr`, no repository). An error says what GitHub refused and which permission is missing.
pub async fn pull_request_files(
    ci: &CiContext,
    access: &Access,
) -> Result<Option<(u64, Vec<crate::review::ChangedFile>)>, String> {
    let read_file = |path: &str| std::fs::read_to_string(path).ok();
    let Some(target) = target::detect(ci, &|name| std::env::var(name).ok(), &read_file, access.pr)
    else {
        return Ok(None);
    };
    let Some(pr) = target.pr else {
        return Ok(None);
    };
    let connected = bounded(client::connect(
        &target.api_url,
        access,
        &target.repo,
        &workflow::mask,
    ))
    .await
    .map_err(|problem| problem.to_string())?;
    let Some(crab) = connected else {
        return Err(format!(
            "pull request #{pr}: no GITHUB_TOKEN (--github-token) or GitHub App credentials to              read its files with"
        ));
    };
    let files = bounded(pr_files::list(&crab, &target.repo, pr))
        .await
        .map_err(|problem| problem.to_string())?;
    Ok(Some((pr, files)))
}

/// The GitHub side of one `run`; does nothing when reporting is off or impossible.
pub struct GitHubReport {
    active: Option<Active>,
}

struct Active {
    crab: Octocrab,
    target: Target,
    /// The sticky comment's hidden first line, per migration name and environment.
    marker: String,
    /// `ecs-migrate/<name>` (`ecs-migrate/<name>/<environment>`), the check run's and the commit
    /// status's name.
    check_name: String,
    comment: bool,
    check_run: bool,
    commit_status: bool,
    check_run_id: Option<u64>,
}

impl GitHubReport {
    /// A report that sends nothing: for a task whose result another report carries.
    pub fn off() -> Self {
        GitHubReport { active: None }
    }

    /// Works out where to report and connects; prints why when it will not report.
    pub async fn connect(
        settings: &Settings,
        ci: &CiContext,
        access: &Access,
        progress: &Progress,
    ) -> Self {
        let off = GitHubReport::off();
        if !settings.report.pr_comment && !settings.report.check_run {
            return off;
        }
        let read_file = |path: &str| std::fs::read_to_string(path).ok();
        let Some(mut target) =
            target::detect(ci, &|name| std::env::var(name).ok(), &read_file, access.pr)
        else {
            if access.has_credentials() && ci.runner != Runner::Local {
                progress.step("GitHub report skipped: no repository (GITHUB_REPOSITORY is unset)");
            }
            return off;
        };
        let connected = bounded(client::connect(
            &target.api_url,
            access,
            &target.repo,
            &workflow::mask,
        ));
        let crab = match connected.await {
            Ok(Some(crab)) => crab,
            Ok(None) => {
                if ci.runner != Runner::Local {
                    progress.step(
                        "GitHub report skipped: no GITHUB_TOKEN (--github-token) or GitHub App \
                         credentials",
                    );
                }
                return off;
            }
            Err(problem) => {
                progress.warn(problem);
                return off;
            }
        };
        if let Err(problem) = bounded(locate::locate(&crab, &mut target)).await {
            progress.warn(problem);
        }
        // A plain token cannot create check runs outside Actions: CodeBuild gets a commit
        // status instead, unless it runs as a GitHub App.
        let check_runs_allowed = target.runner != Runner::CodeBuild || access.app_id.is_some();
        GitHubReport {
            active: Some(Active {
                crab,
                marker: comment::marker(&settings.name, settings.environment_name.as_deref()),
                check_name: check_name(&settings.name, settings.environment_name.as_deref()),
                comment: settings.report.pr_comment,
                check_run: settings.report.check_run && check_runs_allowed,
                commit_status: settings.report.check_run && !check_runs_allowed,
                check_run_id: None,
                target,
            }),
        }
    }

    /// The task started: the check run (or commit status) goes `in_progress`.
    pub async fn task_started(&mut self, outcome: &Outcome, progress: &Progress) {
        let Some(active) = &mut self.active else {
            return;
        };
        let Some(sha) = active.target.sha.clone() else {
            return;
        };
        let title = markdown::running_headline(outcome);
        let summary = markdown::report(outcome, "", "");
        if active.check_run {
            let place = active.place(&sha);
            let output = check_run::Output {
                title: &title,
                summary: &summary,
            };
            match bounded(check_run::start(&place, output)).await {
                Ok(id) => active.check_run_id = Some(id),
                Err(problem) => progress.warn(problem),
            }
        }
        if active.commit_status {
            let result = status::set(
                &active.crab,
                &active.target.repo,
                &sha,
                &active.check_name,
                None,
                "the migration is running",
                active.target.details_url.as_deref(),
            );
            if let Err(problem) = bounded(result).await {
                progress.warn(problem);
            }
        }
    }

    /// The outcome is known: update the PR comment, complete the check run (annotating the
    /// failed migrations the log names) or set the commit status.
    pub async fn finish(&mut self, outcome: &Outcome, progress: &Progress) {
        let Some(active) = &mut self.active else {
            return;
        };
        let mut annotations: Vec<Annotation> = outcome
            .migration_errors
            .iter()
            // A file the log named only in part, and not found in the checkout, has no line to mark.
            .filter(|error| !error.path.contains('*'))
            .map(Annotation::for_failed_migration)
            .collect();
        if let Some(reviewed) = &outcome.review {
            annotations.extend(reviewed.review.findings.iter().map(Annotation::for_review));
        }
        let headline = markdown::headline(outcome);
        if active.comment {
            active.post_comment(outcome, progress).await;
        }
        let Some(sha) = active.target.sha.clone() else {
            return;
        };
        if active.check_run {
            let summary = markdown::report(outcome, "", "");
            let place = active.place(&sha);
            let output = check_run::Output {
                title: &headline,
                summary: &summary,
            };
            let id = active.check_run_id;
            let completed = check_run::complete(&place, id, outcome.status, output, &annotations);
            match bounded(completed).await {
                Ok(id) => progress.step(format!("GitHub: check run {id} completed")),
                Err(problem) => progress.warn(problem),
            }
        }
        if active.commit_status {
            let description = outcome.reason.clone().unwrap_or_else(|| headline.clone());
            let result = status::set(
                &active.crab,
                &active.target.repo,
                &sha,
                &active.check_name,
                Some(outcome.status),
                &description,
                active.target.details_url.as_deref(),
            );
            if let Err(problem) = bounded(result).await {
                progress.warn(problem);
            }
        }
    }
}

impl Active {
    fn place<'a>(&'a self, sha: &'a str) -> check_run::CheckRunPlace<'a> {
        check_run::CheckRunPlace {
            crab: &self.crab,
            repo: &self.target.repo,
            head_sha: sha,
            name: &self.check_name,
            details_url: self.target.details_url.as_deref(),
        }
    }

    async fn post_comment(&self, outcome: &Outcome, progress: &Progress) {
        let Some(pr) = self.target.pr else {
            progress.step("GitHub: no pull request for this commit, so no comment");
            return;
        };
        let prefix = format!("{}\n", self.marker);
        let suffix = match &self.target.details_url {
            Some(url) => format!("\n<sub>Reported by ecs-migrate from [this run]({url}).</sub>\n"),
            None => "\n<sub>Reported by ecs-migrate.</sub>\n".to_owned(),
        };
        let body = markdown::report(outcome, &prefix, &suffix);
        let posted = comment::upsert(&self.crab, &self.target.repo, pr, &self.marker, &body);
        match bounded(posted).await {
            Ok(comment::Posted::Created) => {
                progress.step(format!("GitHub: commented on pull request #{pr}"));
            }
            Ok(comment::Posted::Updated) => {
                progress.step(format!("GitHub: updated the comment on pull request #{pr}"));
            }
            Err(problem) => progress.warn(problem),
        }
    }
}

/// The check run's (and commit status's) name: one per migration and environment.
fn check_name(name: &str, environment: Option<&str>) -> String {
    match environment {
        Some(environment) => format!("ecs-migrate/{name}/{environment}"),
        None => format!("ecs-migrate/{name}"),
    }
}

/// The step's result, or a problem when it took longer than [`STEP_TIMEOUT`].
async fn bounded<T>(step: impl Future<Output = Result<T, Problem>>) -> Result<T, Problem> {
    tokio::time::timeout(STEP_TIMEOUT, step)
        .await
        .unwrap_or_else(|_| {
            Err(Problem::plain(format!(
                "GitHub did not answer within {}s; skipped",
                STEP_TIMEOUT.as_secs()
            )))
        })
}

#[cfg(test)]
#[path = "../../../tests/integration/support/fake_github.rs"]
mod fake_github;
