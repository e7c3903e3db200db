//! Asks GitHub for what the environment could not say: the pull request of a pushed commit
//! (push, workflow_dispatch) and the head commit of a pull request named by `--pr`.

use octocrab::Octocrab;
use serde::Deserialize;

use super::failure::{Problem, Step};
use super::target::Target;

#[derive(Deserialize)]
struct PullRequest {
    number: u64,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    merged_at: Option<String>,
    head: Head,
}

#[derive(Deserialize)]
struct Head {
    sha: String,
}

/// Completes `target`: the head SHA of a PR given by number, or the PR of the commit.
pub async fn locate(crab: &Octocrab, target: &mut Target) -> Result<(), Problem> {
    match (target.pr, target.sha_is_pr_head) {
        (Some(number), false) => {
            let pull: PullRequest = crab
                .get(target.repo.route(&format!("pulls/{number}")), None::<&()>)
                .await
                .map_err(|error| Problem::from_api(Step::ReadPullRequest, &error))?;
            target.sha = Some(pull.head.sha);
            target.sha_is_pr_head = true;
        }
        (None, _) => {
            let Some(sha) = target.sha.clone() else {
                return Ok(());
            };
            let pulls: Vec<PullRequest> = crab
                .get(
                    target.repo.route(&format!("commits/{sha}/pulls")),
                    None::<&()>,
                )
                .await
                .map_err(|error| Problem::from_api(Step::FindPullRequest, &error))?;
            target.pr = best_match(&pulls, &sha);
        }
        (Some(_), true) => {}
    }
    Ok(())
}

/// An open PR whose head is this commit, else any open PR containing it, else the PR merged as
/// this commit (a run on merge to main reports on the PR that brought the migration).
fn best_match(pulls: &[PullRequest], sha: &str) -> Option<u64> {
    let open = |pull: &&PullRequest| pull.state.as_deref().is_none_or(|state| state == "open");
    let merged = |pull: &&PullRequest| pull.merged_at.is_some();
    pulls
        .iter()
        .filter(open)
        .find(|pull| pull.head.sha == sha)
        .or_else(|| pulls.iter().find(open))
        .or_else(|| pulls.iter().find(merged))
        .map(|pull| pull.number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pull(number: u64, state: &str, sha: &str) -> PullRequest {
        PullRequest {
            number,
            state: Some(state.into()),
            merged_at: (state == "merged").then(|| "2026-11-30T10:00:00Z".into()),
            head: Head { sha: sha.into() },
        }
    }

    #[test]
    fn the_open_pr_whose_head_is_the_commit_wins() {
        let pulls = [
            pull(1, "closed", "abc"),
            pull(2, "open", "old"),
            pull(3, "open", "abc"),
        ];
        assert_eq!(best_match(&pulls, "abc"), Some(3));
        assert_eq!(best_match(&pulls[..2], "abc"), Some(2));
        assert_eq!(best_match(&pulls[..1], "abc"), None);
    }

    #[test]
    fn after_a_merge_the_merged_pr_is_reported_on_but_never_a_closed_one() {
        let merged = PullRequest {
            state: Some("closed".into()),
            ..pull(4, "merged", "feature-head")
        };
        assert_eq!(
            best_match(&[pull(1, "closed", "x"), merged], "merge-commit"),
            Some(4)
        );
        assert_eq!(best_match(&[pull(1, "closed", "x")], "merge-commit"), None);
    }
}
