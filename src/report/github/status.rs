//! The commit status posted from CodeBuild, where a plain token cannot create check runs:
//! context `ecs-migrate/<name>` (`ecs-migrate/<name>/<environment>`), linked to the build.

use octocrab::Octocrab;
use serde::{Deserialize, Serialize};

use crate::outcome::Status;
use crate::text::shorten_bytes;

use super::failure::{Problem, Step};
use super::target::Repo;

/// GitHub keeps at most 140 characters of a status description.
const DESCRIPTION_LIMIT: usize = 140;

#[derive(Serialize)]
struct StatusBody<'a> {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_url: Option<&'a str>,
    description: String,
    context: String,
}

#[derive(Deserialize)]
struct Created {}

/// `pending` while running (`None`), else the state for the migration's status.
pub fn state(status: Option<Status>) -> &'static str {
    match status {
        None => "pending",
        Some(Status::Succeeded | Status::Planned) => "success",
        Some(Status::Failed | Status::Rejected) => "failure",
        Some(Status::TimedOut | Status::Cancelled) => "error",
    }
}

pub async fn set(
    crab: &Octocrab,
    repo: &Repo,
    sha: &str,
    context: &str,
    status: Option<Status>,
    description: &str,
    target_url: Option<&str>,
) -> Result<(), Problem> {
    let body = StatusBody {
        state: state(status),
        target_url,
        description: shorten_bytes(description, DESCRIPTION_LIMIT),
        context: context.to_owned(),
    };
    let _: Created = crab
        .post(repo.route(&format!("statuses/{sha}")), Some(&body))
        .await
        .map_err(|error| Problem::from_api(Step::CommitStatus, &error))?;
    Ok(())
}
