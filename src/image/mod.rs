//! Build the migration image and push it to ECR, skipping work already done: the repository URI
//! comes from ECR, the tag from the commit, a tag already in ECR is neither built nor pushed, and
//! what runs is pinned by digest (`<uri>@sha256:…`) so it is exactly what was built.

pub mod build;
mod ecr;
mod push;
mod revision;
pub mod stream;

use anyhow::Result;
use serde_json::{Value, json};

use crate::aws::Clients;
use crate::ci::CiContext;
use crate::config::{BuildSettings, Settings};
use crate::failure::usage;
use crate::outcome::{Outcome, Status};
use crate::progress::Progress;

use build::{BuildRequest, Builder, build_args, ignored_by, printable};
use push::RegistrySession;
use stream::{failing_step, run_streamed};

/// Lines of a failed build shown in the result and reports.
const FAILURE_LINES: usize = 20;

/// Where the image goes and whether it must be built, as read from ECR with read-only calls
/// (a missing repository is created only by `deliver`, once everything else checked out).
pub struct Located {
    repository: String,
    /// `None`: the repository does not exist yet and will be created (the user opted in).
    uri: Option<String>,
    tag: String,
    revision: revision::Revision,
    source: Option<String>,
    /// The digest the tag already points at in ECR.
    existing: Option<String>,
    rebuild: bool,
    builder: Builder,
    build: BuildSettings,
}

/// What `deliver` ended with.
pub enum Delivered {
    /// The image reference to run, pinned by digest.
    Pinned(String),
    /// The build failed: a failed migration step (exit 1), with the result to print.
    BuildFailed(Box<Outcome>),
}

/// `None` when no image is built (a prebuilt `image.uri`, or the base's image).
pub async fn locate(
    clients: &Clients,
    settings: &Settings,
    rebuild: bool,
) -> Result<Option<Located>> {
    let (Some(repository), Some(build)) = (&settings.image.repository, &settings.image.build)
    else {
        return Ok(None);
    };
    let lookup = |name: &str| std::env::var(name).ok();
    let revision = revision::detect(&build.context, CiContext::current().commit.as_deref()).await;
    let tag = revision::choose_tag(settings.image.tag.as_deref(), &revision, &build.context)?;
    let uri = match ecr::repository_uri(&clients.ecr, repository).await? {
        Some(uri) => Some(uri),
        None if !settings.image.create_repository => {
            return Err(usage(format!(
                "image.repository: ECR repository {repository:?} does not exist in {} (create \
                 it, or set `create_repository: true` under `image` / pass --create-repository)",
                clients.region
            )));
        }
        None => None,
    };
    let existing = match &uri {
        Some(_) => ecr::tagged_digest(&clients.ecr, repository, &tag).await?,
        None => None,
    };
    Ok(Some(Located {
        repository: repository.clone(),
        uri,
        tag,
        source: revision::source_url(&build.context, &lookup).await,
        revision,
        existing,
        rebuild,
        builder: Builder::detect(std::env::var("DOCKER_BUILDKIT").ok().as_deref()).await,
        build: build.clone(),
    }))
}

impl Located {
    /// A tag found in ECR is reused, unless asked to rebuild or the tree is dirty (the same
    /// `-dirty` tag can stand for different content).
    fn skips(&self) -> Option<&str> {
        let reusable = !self.rebuild && !self.revision.dirty;
        self.existing.as_deref().filter(|_| reusable)
    }

    fn tagged(&self) -> String {
        match &self.uri {
            Some(uri) => format!("{uri}:{}", self.tag),
            None => format!("<new ECR repository {}>:{}", self.repository, self.tag),
        }
    }

    /// The image the migration will run: pinned when it is already known, else by tag (and
    /// pinned once pushed).
    pub fn reference(&self) -> String {
        match (self.skips(), &self.uri) {
            (Some(digest), Some(uri)) => format!("{uri}@{digest}"),
            _ => self.tagged(),
        }
    }

    fn command(&self) -> Vec<String> {
        let tagged = self.tagged();
        build_args(
            self.builder,
            &BuildRequest {
                settings: &self.build,
                reference: &tagged,
                commit: self.revision.commit.as_deref(),
                source: self.source.as_deref(),
            },
        )
    }

    /// One line for `plan`: what would be built and pushed, or why nothing would be.
    pub fn summary(&self) -> String {
        if let Some(digest) = self.skips() {
            return format!(
                "skip: {} is already in ECR ({digest}); no build, no push",
                self.tagged()
            );
        }
        let create = if self.uri.is_none() {
            format!("create ECR repository {:?}, then ", self.repository)
        } else {
            String::new()
        };
        format!(
            "{create}build with `{}`, push {}, run it pinned by digest",
            printable(&self.command()),
            self.tagged()
        )
    }

    pub fn to_json(&self) -> Value {
        json!({
            "repository": self.repository,
            "repository-uri": self.uri,
            "tag": self.tag,
            "commit": self.revision.commit,
            "existing-digest": self.existing,
            "skip": self.skips().is_some(),
            "builder": self.builder.name(),
            "command": printable(&self.command()),
        })
    }

    /// Builds and pushes (unless ECR already has the tag) and returns the pinned reference.
    pub async fn deliver(
        mut self,
        clients: &Clients,
        name: &str,
        github: bool,
        progress: &Progress,
    ) -> Result<Delivered> {
        let uri = match &self.uri {
            Some(uri) => uri.clone(),
            None => {
                let uri = ecr::create_repository(&clients.ecr, &self.repository).await?;
                progress.step(format!("created ECR repository {uri}"));
                self.uri = Some(uri.clone());
                uri
            }
        };
        let tagged = self.tagged();
        if let Some(digest) = self.skips() {
            progress.step(format!(
                "image {tagged} is already in ECR ({digest}): skipping build and push"
            ));
            return Ok(Delivered::Pinned(format!("{uri}@{digest}")));
        }
        let login = ecr::registry_login(&clients.ecr).await?;
        if github {
            crate::report::workflow::mask(&login.password);
        }
        let session = RegistrySession::login(&login).await?;
        progress.step(format!("logged in to {}", login.endpoint));
        drop(login);

        if let Some(note) = ignored_by(self.builder, &self.build) {
            progress.warn(note);
        }
        let args = self.command();
        progress.step(printable(&args));
        let mut command = tokio::process::Command::new("docker");
        command.args(&args);
        let built = run_streamed(command, &format!("building {tagged}"), github, progress).await?;
        if !built.success {
            let outcome = build_failure(name, &tagged, &built, progress);
            return Ok(Delivered::BuildFailed(Box::new(outcome)));
        }
        let digest = match session.push(&tagged, github, progress).await? {
            Some(digest) => digest,
            None => ecr::tagged_digest(&clients.ecr, &self.repository, &self.tag)
                .await?
                .ok_or_else(|| {
                    anyhow::anyhow!("pushed {tagged}, but ECR does not list the tag afterwards")
                })?,
        };
        drop(session);
        let pinned = format!("{uri}@{digest}");
        progress.step(format!("pushed {tagged} ({digest})"));
        Ok(Delivered::Pinned(pinned))
    }
}

fn build_failure(
    name: &str,
    tagged: &str,
    built: &stream::Streamed,
    progress: &Progress,
) -> Outcome {
    let code = built
        .code
        .map_or_else(|| "a signal".to_owned(), |code| format!("code {code}"));
    let last = failing_step(&built.lines, FAILURE_LINES);
    // Printed after the `::endgroup::`, so the error shows even when the build log is folded.
    progress.log_line("ecs-migrate: the image build failed; its last lines:");
    for line in &last {
        progress.log_line(&format!("  {line}"));
    }
    let mut outcome = Outcome::new(name, Status::Failed);
    let last_line = last.last().map(String::as_str).unwrap_or_default();
    outcome.reason = Some(format!(
        "the image build of {tagged} failed (docker exited with {code}): {last_line}"
    ));
    outcome.log_tail = last;
    outcome
}

/// Puts the pinned reference into the migration container of the derived task definition.
pub fn pin(task_definition: &mut Value, container: &str, reference: &str) {
    let containers = task_definition["containerDefinitions"].as_array_mut();
    for definition in containers.into_iter().flatten() {
        if definition["name"] == container {
            definition["image"] = json!(reference);
        }
    }
}
