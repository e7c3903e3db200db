//! Why a report could not be posted, told so the user can fix it: the step that failed and the
//! permission it needs. A report failure is only ever a warning; the migration's result stands.

use std::fmt;

use octocrab::Error;

/// What we were doing when GitHub said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    FindInstallation,
    InstallationToken,
    FindPullRequest,
    ReadPullRequest,
    Comment,
    CheckRun,
    CommitStatus,
    ListFiles,
}

impl Step {
    fn doing(self) -> &'static str {
        match self {
            Step::FindInstallation => "find the GitHub App's installation on the repository",
            Step::InstallationToken => "get an installation token for the GitHub App",
            Step::FindPullRequest => "find the pull request of the commit",
            Step::ReadPullRequest => "read the pull request",
            Step::Comment => "post the pull request comment",
            Step::CheckRun => "report the check run",
            Step::CommitStatus => "set the commit status",
            Step::ListFiles => "list the pull request's files",
        }
    }

    /// The permission the token (or the app) needs for this step.
    fn permission(self) -> &'static str {
        match self {
            Step::FindInstallation | Step::InstallationToken => {
                "the GitHub App installed on this repository"
            }
            Step::FindPullRequest | Step::ReadPullRequest | Step::ListFiles => {
                "pull-requests: read"
            }
            Step::Comment => "pull-requests: write",
            Step::CheckRun => "checks: write",
            Step::CommitStatus => "statuses: write",
        }
    }
}

/// A reporting failure, ready to print as one warning line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem(String);

impl Problem {
    pub fn plain(message: String) -> Self {
        Problem(message)
    }

    pub fn from_api(step: Step, error: &Error) -> Self {
        let doing = step.doing();
        let permission = step.permission();
        let Error::GitHub { source, .. } = error else {
            return Problem(format!("could not {doing}: {}", describe(error)));
        };
        let status = source.status_code;
        let said = format!("GitHub answered {} {}", status.as_u16(), source.message);
        Problem(match status.as_u16() {
            401 => format!(
                "could not {doing}: {said}; the token or GitHub App credentials are not valid"
            ),
            403 | 404 if matches!(step, Step::FindInstallation | Step::InstallationToken) => {
                format!("could not {doing}: {said}; it needs {permission}")
            }
            403 | 404 => format!(
                "could not {doing}: {said}; the token needs `{permission}` (in GitHub Actions \
                 add `permissions: {{ {permission} }}` to the job; pull requests from forks only \
                 get a read-only token)"
            ),
            _ => format!("could not {doing}: {said}"),
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GitHub report: {}", self.0)
    }
}

/// The error with its causes, on one line (octocrab's own text is terse).
fn describe(error: &Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_names_the_permission_to_add() {
        assert_eq!(Step::CheckRun.permission(), "checks: write");
        assert_eq!(Step::Comment.permission(), "pull-requests: write");
        assert_eq!(Step::CommitStatus.permission(), "statuses: write");
    }
}
