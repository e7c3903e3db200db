//! Which commit is being deployed and what the image is tagged with: CI's own variables first
//! (the checkout may be shallow or detached), else git in the build context, where uncommitted
//! changes mark the tag `-dirty` so it is never mistaken for the commit itself.

use std::path::Path;

use anyhow::Result;
use tokio::process::Command;

use crate::failure::usage;

/// The commit of the build and whether the context has uncommitted changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub commit: Option<String>,
    pub dirty: bool,
}

/// `ci_commit` is the commit CI names ([`crate::ci::CiContext::commit`]); git is asked only
/// without one.
pub async fn detect(context: &Path, ci_commit: Option<&str>) -> Revision {
    if let Some(commit) = ci_commit.map(str::trim).filter(|commit| !commit.is_empty()) {
        return Revision {
            commit: Some(commit.to_owned()),
            dirty: false,
        };
    }
    let Some(commit) = git(context, &["rev-parse", "--verify", "HEAD"]).await else {
        return Revision {
            commit: None,
            dirty: false,
        };
    };
    // Only changes inside the build context change the image.
    let changes = git(context, &["status", "--porcelain", "--", "."]).await;
    Revision {
        commit: Some(commit),
        dirty: changes.is_some_and(|text| !text.is_empty()),
    }
}

/// The tag: the one configured, else the commit (with `-dirty` for a dirty tree).
pub fn choose_tag(configured: Option<&str>, revision: &Revision, context: &Path) -> Result<String> {
    let tag = match (configured, &revision.commit) {
        (Some(tag), _) => tag.to_owned(),
        (None, Some(commit)) if revision.dirty => format!("{commit}-dirty"),
        (None, Some(commit)) => commit.clone(),
        (None, None) => {
            return Err(usage(format!(
                "image.tag: no commit to tag the image with: GITHUB_SHA and \
                 CODEBUILD_RESOLVED_SOURCE_VERSION are not set and {} is not in a git checkout \
                 (set `tag:` under `image` or pass --tag)",
                context.display()
            )));
        }
    };
    check_tag(&tag).map_err(|problem| usage(format!("image.tag: {tag:?} {problem}")))?;
    Ok(tag)
}

/// Docker's and ECR's rule: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn check_tag(tag: &str) -> Result<(), &'static str> {
    let mut chars = tag.chars();
    let first_ok = chars
        .next()
        .is_some_and(|first| first.is_ascii_alphanumeric() || first == '_');
    if !first_ok {
        return Err("must start with a letter, a digit or `_` (fix `image.tag` or --tag)");
    }
    if tag.len() > 128 {
        return Err("is longer than 128 characters (fix `image.tag` or --tag)");
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
        return Err("may only hold letters, digits, `_`, `.` and `-` (fix `image.tag` or --tag)");
    }
    Ok(())
}

/// Where the source lives, for the `org.opencontainers.image.source` label; any credentials
/// in a remote URL are dropped.
pub async fn source_url(context: &Path, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let get = |name: &str| lookup(name).filter(|value| !value.is_empty());
    if let (Some(server), Some(repository)) = (get("GITHUB_SERVER_URL"), get("GITHUB_REPOSITORY")) {
        return Some(format!("{}/{repository}", server.trim_end_matches('/')));
    }
    let remote = match get("CODEBUILD_SOURCE_REPO_URL") {
        Some(url) => url,
        None => git(context, &["remote", "get-url", "origin"]).await?,
    };
    Some(without_credentials(&remote))
}

fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_owned(),
    }
}

/// A git command's trimmed output, or `None` when git is missing or the command fails.
async fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revision(commit: Option<&str>, dirty: bool) -> Revision {
        Revision {
            commit: commit.map(str::to_owned),
            dirty,
        }
    }

    #[tokio::test]
    async fn the_commit_ci_names_is_taken_as_is_and_never_dirty() {
        let revision = detect(Path::new("/nonexistent"), Some(" abc ")).await;
        assert_eq!(revision, self::revision(Some("abc"), false));
        let without = detect(Path::new("/nonexistent"), Some("")).await;
        assert_eq!(without, self::revision(None, false));
    }

    #[test]
    fn a_dirty_tree_gets_a_suffix_and_a_configured_tag_wins() {
        let dir = Path::new(".");
        let dirty = revision(Some("0123abc"), true);
        assert_eq!(choose_tag(None, &dirty, dir).unwrap(), "0123abc-dirty");
        assert_eq!(choose_tag(Some("v1.2"), &dirty, dir).unwrap(), "v1.2");
    }

    #[test]
    fn no_commit_and_no_tag_is_a_usage_error_naming_the_key() {
        let error = choose_tag(None, &revision(None, false), Path::new("app")).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("image.tag") && text.contains("--tag"),
            "{text}"
        );
        assert_eq!(crate::failure::exit_code_for(&error), 2);
    }

    #[test]
    fn tags_docker_refuses_are_rejected() {
        let ok = revision(Some("x"), false);
        for bad in ["-x", "a/b", "a:b", &"x".repeat(129)] {
            assert!(choose_tag(Some(bad), &ok, Path::new(".")).is_err(), "{bad}");
        }
    }

    #[test]
    fn credentials_are_dropped_from_remote_urls() {
        assert_eq!(
            without_credentials("https://x-access-token:ghs_abc@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            without_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
    }
}
