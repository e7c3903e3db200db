//! The sticky pull request comment: one per migration name, found again by a hidden marker at
//! its start and edited in place, so a PR shows the latest result instead of a pile of them.

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

/// The hidden first line that identifies the comment of migration `name`.
pub fn marker(name: &str) -> String {
    // `--` cannot appear inside an HTML comment; the name is otherwise kept readable.
    format!(
        "<!-- ecs-migrate:comment name={:?} -->",
        name.replace("--", "-\u{2010}")
    )
}

/// Creates the comment of migration `name` on pull request `pr`, or edits the one already there.
/// `body` must start with [`marker`].
pub async fn upsert(
    crab: &Octocrab,
    repo: &Repo,
    pr: u64,
    name: &str,
    body: &str,
) -> Result<Posted, Problem> {
    let fail = |error: octocrab::Error| Problem::from_api(Step::Comment, &error);
    let existing = find(crab, repo, pr, &marker(name)).await.map_err(fail)?;
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
            marker("app-web"),
            "<!-- ecs-migrate:comment name=\"app-web\" -->"
        );
        let odd = marker("a--b");
        assert!(!odd[4..odd.len() - 3].contains("--"), "{odd}");
    }
}
