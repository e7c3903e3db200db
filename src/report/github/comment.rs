//! The sticky pull request comment: one per migration name and environment, found again by a
//! hidden marker at its start and edited in place, so a PR shows the latest result instead of a
//! pile of them, and staging's result never overwrites production's.

use octocrab::{Octocrab, Page};
use serde::{Deserialize, Serialize};

use super::failure::{Problem, Step};
use super::target::Repo;

#[derive(Deserialize)]
struct IssueComment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Serialize)]
struct CommentBody<'a> {
    body: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    Created,
    Updated,
}

/// The hidden first line that identifies the comment of migration `name` in `environment`
/// (without one, the marker of before environments existed, so old comments are still found).
pub fn marker(name: &str, environment: Option<&str>) -> String {
    // `--` cannot appear inside an HTML comment; the name is otherwise kept readable.
    let readable = |text: &str| text.replace("--", "-\u{2010}");
    match environment {
        None => format!("<!-- ecs-migrate:comment name={:?} -->", readable(name)),
        Some(environment) => format!(
            "<!-- ecs-migrate:comment name={:?} environment={:?} -->",
            readable(name),
            readable(environment)
        ),
    }
}

/// Creates the comment starting with `marker` on pull request `pr`, or edits the one already
/// there. `body` must start with `marker`.
pub async fn upsert(
    crab: &Octocrab,
    repo: &Repo,
    pr: u64,
    marker: &str,
    body: &str,
) -> Result<Posted, Problem> {
    let fail = |error: octocrab::Error| Problem::from_api(Step::Comment, &error);
    let existing = find(crab, repo, pr, marker).await.map_err(fail)?;
    let request = CommentBody { body };
    match existing {
        Some(id) => {
            let _: IssueComment = crab
                .patch(repo.route(&format!("issues/comments/{id}")), Some(&request))
                .await
                .map_err(fail)?;
            Ok(Posted::Updated)
        }
        None => {
            let _: IssueComment = crab
                .post(repo.route(&format!("issues/{pr}/comments")), Some(&request))
                .await
                .map_err(fail)?;
            Ok(Posted::Created)
        }
    }
}

/// The id of the comment starting with `marker`, reading every page of the PR's comments.
async fn find(
    crab: &Octocrab,
    repo: &Repo,
    pr: u64,
    marker: &str,
) -> Result<Option<u64>, octocrab::Error> {
    let mut page: Page<IssueComment> = crab
        .get(
            repo.route(&format!("issues/{pr}/comments")),
            Some(&[("per_page", 100)]),
        )
        .await?;
    loop {
        let mine = page.items.iter().find(|comment| {
            comment
                .body
                .as_deref()
                .is_some_and(|body| body.trim_start().starts_with(marker))
        });
        if let Some(comment) = mine {
            return Ok(Some(comment.id));
        }
        match crab.get_page::<IssueComment>(&page.next).await? {
            Some(next) => page = next,
            None => return Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_names_the_migration_and_stays_a_valid_html_comment() {
        assert_eq!(
            marker("app-web", None),
            "<!-- ecs-migrate:comment name=\"app-web\" -->"
        );
        let odd = marker("a--b", None);
        assert!(!odd[4..odd.len() - 3].contains("--"), "{odd}");
    }

    #[test]
    fn each_environment_has_its_own_marker_and_none_is_a_prefix_of_another() {
        let staging = marker("app-web", Some("staging"));
        assert_eq!(
            staging,
            "<!-- ecs-migrate:comment name=\"app-web\" environment=\"staging\" -->"
        );
        let production = marker("app-web", Some("production"));
        let plain = marker("app-web", None);
        for (one, other) in [
            (&staging, &production),
            (&plain, &staging),
            (&staging, &plain),
        ] {
            assert!(
                !one.starts_with(other.as_str()),
                "{one} starts with {other}"
            );
        }
        let odd = marker("a", Some("x--y"));
        assert!(!odd[4..odd.len() - 3].contains("--"), "{odd}");
    }
}
