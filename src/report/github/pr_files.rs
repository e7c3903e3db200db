//! The pull request's files, from GitHub's "list pull request files" (every page: a review needs
//! no git history, which a shallow CI checkout lacks).

use octocrab::{Octocrab, Page};
use serde::Deserialize;

use super::failure::{Problem, Step};
use super::target::Repo;
use crate::review::{ChangedFile, FileStatus};

/// GitHub lists at most 3,000 files of a pull request (30 pages of 100).
const MAX_PAGES: usize = 30;

#[derive(Debug, Deserialize)]
struct DiffEntry {
    filename: String,
    status: String,
    previous_filename: Option<String>,
}

pub async fn list(crab: &Octocrab, repo: &Repo, pr: u64) -> Result<Vec<ChangedFile>, Problem> {
    let fail = |error: octocrab::Error| Problem::from_api(Step::ListFiles, &error);
    let mut page: Page<DiffEntry> = crab
        .get(
            repo.route(&format!("pulls/{pr}/files")),
            Some(&[("per_page", 100)]),
        )
        .await
        .map_err(fail)?;
    let mut files = Vec::new();
    for _ in 0..MAX_PAGES {
        files.extend(page.items.drain(..).filter_map(|entry| {
            Some(ChangedFile {
                status: FileStatus::from_github(&entry.status)?,
                path: entry.filename,
                previous: entry.previous_filename,
            })
        }));
        match crab.get_page::<DiffEntry>(&page.next).await.map_err(fail)? {
            Some(next) => page = next,
            None => break,
        }
    }
    Ok(files)
}
