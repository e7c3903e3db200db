//! Which repository, pull request and commit a report belongs to, read from what the runner
//! gives us: GitHub Actions' variables and event payload, CodeBuild's variables, or `--pr`.
//! Only the pieces that need no API call are found here; `locate` asks GitHub for the rest.

use serde_json::Value;

use crate::ci::{CiContext, Runner};

const PUBLIC_API: &str = "https://api.github.com";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub owner: String,
    pub name: String,
}

impl Repo {
    /// `owner/name`, as in `GITHUB_REPOSITORY`.
    pub fn parse(full_name: &str) -> Option<Self> {
        let (owner, name) = full_name.trim().split_once('/')?;
        let name = name.trim_end_matches(".git");
        let valid = |part: &str| !part.is_empty() && !part.contains('/');
        (valid(owner) && valid(name)).then(|| Repo {
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }

    /// The repository of a clone URL: `https://host/owner/name(.git)` or `git@host:owner/name`.
    pub fn from_clone_url(url: &str) -> Option<Self> {
        let path = match url.split_once("://") {
            Some((_, rest)) => rest.split_once('/')?.1,
            None => url.split_once(':')?.1,
        };
        Repo::parse(path.trim_end_matches('/'))
    }

    pub fn route(&self, rest: &str) -> String {
        format!("/repos/{}/{}/{rest}", self.owner, self.name)
    }
}

impl std::fmt::Display for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// What the environment says about where to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub api_url: String,
    pub repo: Repo,
    pub runner: Runner,
    /// The pull request, when the event or `--pr` names one.
    pub pr: Option<u64>,
    /// The commit to put the check run or status on (a PR's head, not its merge commit).
    pub sha: Option<String>,
    /// True when `sha` is the PR head taken from the event (no need to look it up).
    pub sha_is_pr_head: bool,
    /// Where "Details" leads: the Actions run or the CodeBuild build.
    pub details_url: Option<String>,
}

/// Reads the target from the environment; `None` when no repository is known. The event
/// payload file is read through `read_file`.
pub fn detect(
    ci: &CiContext,
    lookup: &dyn Fn(&str) -> Option<String>,
    read_file: &dyn Fn(&str) -> Option<String>,
    pr_flag: Option<u64>,
) -> Option<Target> {
    let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
    let mut target = match ci.runner {
        Runner::CodeBuild => {
            let url = get("CODEBUILD_SOURCE_REPO_URL")?;
            let pr = ["CODEBUILD_WEBHOOK_TRIGGER", "CODEBUILD_SOURCE_VERSION"]
                .into_iter()
                .find_map(|name| get(name).as_deref().and_then(pr_from_source_version));
            Target {
                api_url: get("GITHUB_API_URL").unwrap_or_else(|| api_for_clone_url(&url)),
                repo: Repo::from_clone_url(&url)?,
                runner: ci.runner,
                pr,
                sha: ci.commit.clone(),
                sha_is_pr_head: pr.is_some(),
                details_url: get("CODEBUILD_BUILD_URL"),
            }
        }
        Runner::GitHubActions | Runner::Local => {
            let repo = Repo::parse(&get("GITHUB_REPOSITORY")?)?;
            let event = get("GITHUB_EVENT_PATH")
                .and_then(|path| read_file(&path))
                .and_then(|text| serde_json::from_str::<Value>(&text).ok());
            let pull = event.as_ref().map(|event| &event["pull_request"]);
            let head = pull.and_then(|pull| pull["head"]["sha"].as_str().map(str::to_owned));
            Target {
                api_url: get("GITHUB_API_URL").unwrap_or_else(|| PUBLIC_API.to_owned()),
                repo,
                runner: ci.runner,
                pr: pull.and_then(|pull| pull["number"].as_u64()),
                sha_is_pr_head: head.is_some(),
                sha: head.or_else(|| ci.commit.clone()),
                details_url: ci.run.clone().filter(|run| run.starts_with("http")),
            }
        }
    };
    if let Some(pr) = pr_flag
        && target.pr != Some(pr)
    {
        target.pr = Some(pr);
        target.sha_is_pr_head = false;
    }
    Some(target)
}

/// `pr/123` (CodeBuild's webhook trigger and source version for pull request builds).
fn pr_from_source_version(value: &str) -> Option<u64> {
    value.strip_prefix("pr/")?.parse().ok()
}

/// github.com's API, or GitHub Enterprise Server's `/api/v3` on the clone URL's host.
fn api_for_clone_url(url: &str) -> String {
    let host = match url.split_once("://") {
        Some((_, rest)) => rest.split('/').next(),
        None => url
            .split_once('@')
            .and_then(|(_, rest)| rest.split(':').next()),
    };
    match host.map(|host| host.rsplit('@').next().unwrap_or(host)) {
        Some(host) if host != "github.com" && !host.is_empty() => {
            format!("https://{host}/api/v3")
        }
        _ => PUBLIC_API.to_owned(),
    }
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;
