//! Reviewing a pull request's migrations before they run: which files under `migrations_dir` the
//! pull request adds, changes, renames or deletes; history problems (an applied migration
//! changed, two migrations with one version, one older than the base branch's newest); and the
//! lock-risk lint of their SQL. Pure: the pull request's files (from GitHub) and the checkout in,
//! a [`Review`] out.

mod history;
pub mod lint;

use std::path::Path;

use serde::Serialize;

use crate::config::{FailOn, LintSettings};

/// How a pull request touches a file, as GitHub's "list pull request files" says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Modified,
    Renamed,
    Removed,
}

impl FileStatus {
    /// GitHub's status word; `copied` counts as added, `changed` as modified; `unchanged` is
    /// nothing to review.
    /// The word reports show (and the JSON result's `status`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Modified => "modified",
            Self::Renamed => "renamed",
            Self::Removed => "removed",
        }
    }

    pub fn from_github(status: &str) -> Option<Self> {
        match status {
            "added" | "copied" => Some(Self::Added),
            "modified" | "changed" => Some(Self::Modified),
            "renamed" => Some(Self::Renamed),
            "removed" => Some(Self::Removed),
            _ => None,
        }
    }
}

/// One file of the pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedFile {
    pub path: String,
    pub status: FileStatus,
    /// A renamed file's name on the base branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Error,
}

impl Level {
    /// The word reports show (and the JSON result's `level`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// A problem at a file and line of the pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub path: String,
    pub line: u32,
    pub level: Level,
    pub rule: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// A pull request's review, as the result carries it to the reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reviewed {
    #[serde(rename = "pull-request")]
    pub pr: u64,
    #[serde(flatten)]
    pub review: Review,
    pub rejected: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Review {
    /// The pull request's files under `migrations_dir`.
    pub migrations: Vec<ChangedFile>,
    pub findings: Vec<Finding>,
}

impl Review {
    /// Whether a finding reaches `fail_on`.
    pub fn rejected(&self, fail_on: FailOn) -> bool {
        let threshold = match fail_on {
            FailOn::Never => return false,
            FailOn::Error => Level::Error,
            FailOn::Warning => Level::Warning,
        };
        self.findings
            .iter()
            .any(|finding| finding.level >= threshold)
    }
}

/// Reviews the pull request's `changed` files under `migrations_dir` (relative to `checkout`,
/// the pull request's tree).
pub fn review(
    changed: &[ChangedFile],
    migrations_dir: &str,
    checkout: &Path,
    lint: &LintSettings,
) -> Review {
    let migrations: Vec<ChangedFile> = changed
        .iter()
        .filter(|file| {
            history::under(&file.path, migrations_dir)
                || file
                    .previous
                    .as_deref()
                    .is_some_and(|previous| history::under(previous, migrations_dir))
        })
        .cloned()
        .collect();
    let mut findings = history::check(&migrations, migrations_dir, checkout);
    for file in &migrations {
        let linted = matches!(file.status, FileStatus::Added | FileStatus::Modified);
        if !linted || !file.path.ends_with(".sql") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(checkout.join(&file.path)) else {
            continue;
        };
        for found in lint::lint_sql(&text, &lint.options) {
            findings.push(Finding {
                path: file.path.clone(),
                line: found.line,
                level: Level::Warning,
                rule: found.rule,
                message: found.message,
                help: found.help,
            });
        }
    }
    findings.sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    Review {
        migrations,
        findings,
    }
}

#[cfg(test)]
#[path = "review_tests.rs"]
mod tests;
