//! The image flags of `run` and `plan`: which ECR repository and tag, and how to build. Paths
//! given on the command line are relative to the current directory, as with `docker build`.

use std::collections::BTreeMap;
use std::path::Path;

use clap::Args;

use crate::config::{RawBuild, RawImage};

#[derive(Debug, Default, Args)]
pub struct ImageArgs {
    /// ECR repository to build and push the image to (its URI comes from ECR)
    #[arg(long, value_name = "NAME")]
    pub repository: Option<String>,
    /// Image tag [default: the commit: GITHUB_SHA, CODEBUILD_RESOLVED_SOURCE_VERSION, or git HEAD]
    #[arg(long)]
    pub tag: Option<String>,
    /// Create the ECR repository when it does not exist
    #[arg(long)]
    pub create_repository: bool,
    /// Build context directory [default: the config file's directory]
    #[arg(long, value_name = "DIR")]
    pub build_context: Option<String>,
    /// Dockerfile [default: Dockerfile in the build context]
    #[arg(long, value_name = "PATH")]
    pub dockerfile: Option<String>,
    /// Build argument (repeatable)
    #[arg(long = "build-arg", value_name = "NAME=VALUE", value_parser = super::migration_args::parse_pair)]
    pub build_args: Vec<(String, String)>,
    /// Build stage to stop at
    #[arg(long, value_name = "STAGE")]
    pub target: Option<String>,
    /// Target platform of the build (e.g. linux/arm64)
    #[arg(long, value_name = "P")]
    pub platform: Option<String>,
    /// Build and push even when ECR already has the tag
    #[arg(long)]
    pub rebuild: bool,
}

impl ImageArgs {
    /// The `image` layer of the flags; `uri` is the `--image` flag.
    pub fn to_raw(&self, uri: Option<String>) -> Option<RawImage> {
        let from_cwd = |path: &String| {
            std::env::current_dir()
                .map(|dir| dir.join(path).display().to_string())
                .unwrap_or_else(|_| path.clone())
        };
        let build = RawBuild {
            context: self.build_context.as_ref().map(from_cwd),
            dockerfile: self.dockerfile.as_ref().map(|path| {
                if Path::new(path).is_absolute() {
                    path.clone()
                } else {
                    from_cwd(path)
                }
            }),
            target: self.target.clone(),
            args: (!self.build_args.is_empty())
                .then(|| self.build_args.iter().cloned().collect::<BTreeMap<_, _>>()),
            platform: self.platform.clone(),
            ..RawBuild::default()
        };
        let image = RawImage {
            uri,
            repository: self.repository.clone(),
            tag: self.tag.clone(),
            create_repository: self.create_repository.then_some(true),
            build: (build != RawBuild::default()).then_some(build),
        };
        (image != RawImage::default()).then_some(image)
    }
}
