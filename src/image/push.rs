//! Log in and push without leaving credentials behind: the login goes to a private, temporary
//! `DOCKER_CONFIG` directory (never the user's `~/.docker/config.json`) that is removed when the
//! session ends, and the password travels on stdin, never on a command line.

use std::process::Stdio;

use anyhow::{Context, Result, anyhow, bail};
use tempfile::TempDir;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use super::ecr::RegistryLogin;
use super::stream::{Streamed, run_streamed};
use crate::progress::Progress;

/// A logged-in registry session; dropping it deletes the credentials.
pub struct RegistrySession {
    config_dir: TempDir,
}

impl RegistrySession {
    pub async fn login(login: &RegistryLogin) -> Result<Self> {
        let config_dir = tempfile::Builder::new()
            .prefix("ecs-migrate-docker-")
            .tempdir()
            .context("cannot create a temporary Docker config directory")?;
        let session = Self { config_dir };
        let mut child = session
            .docker()
            .args(["login", "--username", &login.username, "--password-stdin"])
            .arg(&login.endpoint)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("cannot run the Docker CLI `docker` (install it, or put it on PATH)")?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin
            .write_all(login.password.as_bytes())
            .await
            .context("cannot hand the password to docker login")?;
        drop(stdin);
        let output = child
            .wait_with_output()
            .await
            .context("waiting for docker login")?;
        if !output.status.success() {
            let said = String::from_utf8_lossy(&output.stderr).replace(&login.password, "***");
            bail!(
                "docker login to {} with the ECR authorization token failed: {} (check the \
                 ecr:GetAuthorizationToken permission and that the registry is reachable)",
                login.endpoint,
                said.trim()
            );
        }
        Ok(session)
    }

    /// Pushes `reference` and returns the digest the registry answered with, when it said.
    pub async fn push(
        &self,
        reference: &str,
        github: bool,
        progress: &Progress,
    ) -> Result<Option<String>> {
        let mut command = self.docker();
        command.args(["push", reference]);
        let Streamed {
            success,
            code,
            lines,
        } = run_streamed(command, &format!("pushing {reference}"), github, progress).await?;
        if !success {
            let code = code.map_or_else(|| "a signal".to_owned(), |code| code.to_string());
            return Err(anyhow!(
                "docker push {reference} failed (exit {code}): {}",
                lines
                    .iter()
                    .rev()
                    .take(5)
                    .rev()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
        Ok(lines.iter().rev().find_map(|line| pushed_digest(line)))
    }

    /// `docker` with this session's config directory.
    fn docker(&self) -> Command {
        let mut command = Command::new("docker");
        command.env("DOCKER_CONFIG", self.config_dir.path());
        command
    }
}

/// The digest in `docker push`'s last line: `<tag>: digest: sha256:<hex> size: <n>`.
fn pushed_digest(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("digest: ")?;
    let digest = rest.split_whitespace().next()?;
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| digest.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_read_from_the_push_summary_line() {
        let hex = "a".repeat(64);
        assert_eq!(
            pushed_digest(&format!("abc123: digest: sha256:{hex} size: 528")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(pushed_digest("abc123: Pushed"), None);
        assert_eq!(pushed_digest("digest: sha256:short size: 1"), None);
    }
}
