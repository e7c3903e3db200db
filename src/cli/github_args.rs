//! The flags for reporting on GitHub: which parts to post, where, and with which credentials.

use clap::Args;

use octocrab::secrecy::SecretString;

use crate::report::github::Access;

#[derive(Default, Args)]
pub struct GitHubArgs {
    /// Post (and keep updating) a comment on the pull request [default: true]
    #[arg(long, value_name = "true|false")]
    pub pr_comment: Option<bool>,
    /// Create a check run on the commit (a commit status from CodeBuild) [default: true]
    #[arg(long, value_name = "true|false")]
    pub check_run: Option<bool>,
    /// Pull request to comment on [default: from the event, or the commit's open PR]
    #[arg(long, value_name = "N")]
    pub pr: Option<u64>,
    /// Token for the GitHub API (in Actions: `${{ github.token }}`)
    #[arg(
        long,
        env = "GITHUB_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub github_token: Option<String>,
    /// GitHub App id, to report as the app instead of with a token
    #[arg(long, env = "GITHUB_APP_ID", value_name = "ID")]
    pub github_app_id: Option<u64>,
    /// The GitHub App's private key: PEM text or the path of the .pem file
    #[arg(
        long,
        env = "GITHUB_APP_PRIVATE_KEY",
        hide_env_values = true,
        value_name = "PEM"
    )]
    pub github_app_key: Option<String>,
}

/// Debug output shows whether credentials were given, never their values.
impl std::fmt::Debug for GitHubArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let given = |value: &Option<String>| value.as_ref().map(|_| "***");
        f.debug_struct("GitHubArgs")
            .field("pr_comment", &self.pr_comment)
            .field("check_run", &self.check_run)
            .field("pr", &self.pr)
            .field("github_token", &given(&self.github_token))
            .field("github_app_id", &self.github_app_id)
            .field("github_app_key", &given(&self.github_app_key))
            .finish()
    }
}

impl GitHubArgs {
    pub fn access(&self) -> Access {
        let secret = |value: &Option<String>| -> Option<SecretString> {
            value
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(|value| value.to_owned().into())
        };
        Access {
            token: secret(&self.github_token),
            app_id: self.github_app_id,
            app_key: secret(&self.github_app_key),
            pr: self.pr,
        }
    }
}
