//! The one place the GitHub client is built: octocrab on `GITHUB_API_URL` (GitHub Enterprise,
//! the test fake), authenticated with a token or as a GitHub App installation of the repo.

use std::time::Duration;

use octocrab::Octocrab;
use octocrab::models::{AppId, InstallationId};
use octocrab::secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::failure::{Problem, Step};
use super::target::Repo;

/// Who we are on GitHub, as given by flags or the environment. Never printed.
#[derive(Default)]
pub struct Access {
    pub token: Option<SecretString>,
    pub app_id: Option<u64>,
    /// PEM text, a path to a PEM file, or PEM with `\n` escapes (as pasted into a variable).
    pub app_key: Option<SecretString>,
    /// `--pr`: the pull request to comment on, whatever the event says.
    pub pr: Option<u64>,
}

impl Access {
    pub fn has_credentials(&self) -> bool {
        self.token.is_some() || self.app_id.is_some() || self.app_key.is_some()
    }
}

#[derive(Deserialize)]
struct Installation {
    id: u64,
}

/// A client for `repo`, or `None` without credentials. App credentials win over a token: a
/// check run created by an app gets a suite of its own and keeps its "Details" link.
pub async fn connect(
    api_url: &str,
    access: &Access,
    repo: &Repo,
    mask: &dyn Fn(&str),
) -> Result<Option<Octocrab>, Problem> {
    let builder = || {
        Octocrab::builder()
            .base_uri(api_url)
            .map(|builder| {
                builder
                    .set_connect_timeout(Some(Duration::from_secs(10)))
                    .set_read_timeout(Some(Duration::from_secs(30)))
            })
            .map_err(|error| {
                Problem::plain(format!(
                    "GITHUB_API_URL {api_url:?} is not a usable URL ({error}); fix the variable"
                ))
            })
    };
    match (access.app_id, &access.app_key) {
        (Some(app_id), Some(key)) => {
            let pem = pem_text(key.expose_secret());
            let key = octocrab::EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| {
                Problem::plain(
                    "--github-app-key (GITHUB_APP_PRIVATE_KEY) is not an RSA private key in PEM \
                     format; use the .pem file GitHub generated for the app"
                        .to_owned(),
                )
            })?;
            let app = builder()?
                .app(AppId(app_id), key)
                .build()
                .map_err(|error| {
                    Problem::plain(format!("cannot build the GitHub client: {error}"))
                })?;
            let installation: Installation = app
                .get(repo.route("installation"), None::<&()>)
                .await
                .map_err(|error| Problem::from_api(Step::FindInstallation, &error))?;
            let crab = app
                .installation(InstallationId(installation.id))
                .map_err(|error| Problem::from_api(Step::InstallationToken, &error))?;
            // Fetched now so bad credentials show up before the task starts, and masked
            // because the runner does not know this token is a secret.
            let token = crab
                .installation_token()
                .await
                .map_err(|error| Problem::from_api(Step::InstallationToken, &error))?;
            mask(token.expose_secret());
            Ok(Some(crab))
        }
        (Some(_), None) => Err(Problem::plain(
            "--github-app-id is set but --github-app-key (GITHUB_APP_PRIVATE_KEY) is not; \
             give both, or use --github-token"
                .to_owned(),
        )),
        (None, Some(_)) => Err(Problem::plain(
            "--github-app-key is set but --github-app-id (GITHUB_APP_ID) is not; give both, \
             or use --github-token"
                .to_owned(),
        )),
        (None, None) => match &access.token {
            Some(token) => {
                mask(token.expose_secret());
                let crab = builder()?
                    .personal_token(token.clone())
                    .build()
                    .map_err(|error| {
                        Problem::plain(format!("cannot build the GitHub client: {error}"))
                    })?;
                Ok(Some(crab))
            }
            None => Ok(None),
        },
    }
}

/// The key as PEM text: read from a file when given a path, `\n` escapes turned into lines.
fn pem_text(value: &str) -> String {
    let value = value.trim();
    if !value.contains("-----BEGIN")
        && let Ok(text) = std::fs::read_to_string(value)
    {
        return text;
    }
    if value.contains('\n') {
        value.to_owned()
    } else {
        value.replace("\\n", "\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_newlines_in_a_pasted_key_become_lines() {
        assert_eq!(
            pem_text("-----BEGIN RSA PRIVATE KEY-----\\nAAA\\n-----END RSA PRIVATE KEY-----"),
            "-----BEGIN RSA PRIVATE KEY-----\nAAA\n-----END RSA PRIVATE KEY-----"
        );
    }

    #[test]
    fn a_key_path_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.pem");
        std::fs::write(&path, "-----BEGIN X-----\nB\n-----END X-----\n").unwrap();
        assert!(pem_text(path.to_str().unwrap()).starts_with("-----BEGIN X-----\nB"));
    }
}
