//! The `docker build` command line: BuildKit through `docker buildx build` when the plugin is
//! there (with the cache settings passed through), else the classic builder; every build
//! setting honoured and the OCI labels that tie the image to its commit and source added.

use std::process::Stdio;

use tokio::process::Command;

use crate::config::BuildSettings;
use crate::redact::{MASK, looks_secret};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builder {
    Buildx,
    Classic,
}

impl Builder {
    /// `docker buildx build` when the plugin answers, unless `DOCKER_BUILDKIT=0` asks for the
    /// classic builder.
    pub async fn detect(buildkit_env: Option<&str>) -> Builder {
        if buildkit_env
            .is_some_and(|value| value.trim() == "0" || value.eq_ignore_ascii_case("false"))
        {
            return Builder::Classic;
        }
        let answered = Command::new("docker")
            .args(["buildx", "version"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await
            .is_ok_and(|status| status.success());
        if answered {
            Builder::Buildx
        } else {
            Builder::Classic
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Builder::Buildx => "docker buildx build",
            Builder::Classic => "docker build (classic builder)",
        }
    }
}

/// Everything the build needs besides the settings.
pub struct BuildRequest<'a> {
    pub settings: &'a BuildSettings,
    pub reference: &'a str,
    pub commit: Option<&'a str>,
    pub source: Option<&'a str>,
}

/// The arguments after `docker`.
pub fn build_args(builder: Builder, request: &BuildRequest<'_>) -> Vec<String> {
    let settings = request.settings;
    let mut args: Vec<String> = match builder {
        // --load: the image must land in the engine for `docker push` (docker-container
        // builders keep it in their own cache otherwise).
        Builder::Buildx => vec!["buildx".into(), "build".into(), "--load".into()],
        Builder::Classic => vec!["build".into()],
    };
    let mut flag = |name: &str, value: String| {
        args.push(name.to_owned());
        args.push(value);
    };
    flag("--tag", request.reference.to_owned());
    if let Some(dockerfile) = &settings.dockerfile {
        flag("--file", dockerfile.display().to_string());
    }
    if let Some(target) = &settings.target {
        flag("--target", target.clone());
    }
    if let Some(platform) = &settings.platform {
        flag("--platform", platform.clone());
    }
    for (name, value) in &settings.args {
        flag("--build-arg", format!("{name}={value}"));
    }
    for (name, value) in &settings.labels {
        flag("--label", format!("{name}={value}"));
    }
    if let Some(commit) = request.commit {
        flag(
            "--label",
            format!("org.opencontainers.image.revision={commit}"),
        );
    }
    if let Some(source) = request.source {
        flag(
            "--label",
            format!("org.opencontainers.image.source={source}"),
        );
    }
    if builder == Builder::Buildx {
        for cache in &settings.cache_from {
            flag("--cache-from", cache.clone());
        }
        for cache in &settings.cache_to {
            flag("--cache-to", cache.clone());
        }
    }
    args.push(settings.context.display().to_string());
    args
}

/// The command line as printed: build args whose names look secret show `***`.
pub fn printable(args: &[String]) -> String {
    let shown: Vec<String> = args
        .iter()
        .map(|arg| match arg.split_once('=') {
            Some((name, _)) if looks_secret(name) => format!("{name}={MASK}"),
            _ => arg.clone(),
        })
        .collect();
    format!("docker {}", shell_words::join(shown))
}

/// Settings the classic builder cannot honour, to warn about.
pub fn ignored_by(builder: Builder, settings: &BuildSettings) -> Option<&'static str> {
    let caching = !settings.cache_from.is_empty() || !settings.cache_to.is_empty();
    (builder == Builder::Classic && caching).then_some(
        "image.build.cache_from/cache_to need BuildKit (the docker buildx plugin); the classic \
         builder ignores them",
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;

    fn settings() -> BuildSettings {
        BuildSettings {
            context: PathBuf::from("app"),
            dockerfile: Some(PathBuf::from("app/deploy/Dockerfile")),
            target: Some("migrate".into()),
            args: BTreeMap::from([("NPM_TOKEN".into(), "s3cr3t".into())]),
            platform: Some("linux/amd64".into()),
            labels: BTreeMap::from([("team".into(), "db".into())]),
            cache_from: vec!["type=registry,ref=r/app:cache".into()],
            cache_to: vec!["type=inline".into()],
        }
    }

    fn request(settings: &BuildSettings) -> BuildRequest<'_> {
        BuildRequest {
            settings,
            reference: "r/app:abc",
            commit: Some("abc"),
            source: Some("https://github.com/o/r"),
        }
    }

    #[test]
    fn classic_build_honours_every_setting_but_the_cache() {
        let settings = settings();
        let args = build_args(Builder::Classic, &request(&settings));
        assert_eq!(
            args.join(" "),
            "build --tag r/app:abc --file app/deploy/Dockerfile --target migrate \
             --platform linux/amd64 --build-arg NPM_TOKEN=s3cr3t --label team=db \
             --label org.opencontainers.image.revision=abc \
             --label org.opencontainers.image.source=https://github.com/o/r app"
        );
        assert!(ignored_by(Builder::Classic, &settings).is_some());
    }

    #[test]
    fn buildx_loads_the_image_and_passes_the_cache_through() {
        let settings = settings();
        let args = build_args(Builder::Buildx, &request(&settings));
        assert_eq!(args[..3], ["buildx", "build", "--load"]);
        let joined = args.join(" ");
        assert!(joined.contains("--cache-from type=registry,ref=r/app:cache"));
        assert!(joined.contains("--cache-to type=inline"));
        assert!(ignored_by(Builder::Buildx, &settings).is_none());
    }

    #[test]
    fn secret_looking_build_args_are_masked_when_printed() {
        let settings = settings();
        let shown = printable(&build_args(Builder::Classic, &request(&settings)));
        assert!(
            shown.contains("NPM_TOKEN=***") && !shown.contains("s3cr3t"),
            "{shown}"
        );
    }
}
