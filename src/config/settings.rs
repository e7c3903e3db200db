//! The resolved configuration: concrete values with defaults applied, which the rest of the
//! crate reads without caring which layer (file or flag) a value came from.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use super::parity::ServiceOverrides;
use super::values::parse_keyword;
use super::{FailOn, LintSettings, LocalSettings, ToolSettings, VerifySettings};

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// `name`, else the service, else the base task definition's family, else the config file's
    /// stem, else "ecs-migrate"; keys sticky PR comments.
    pub name: String,
    /// The environment chosen from the file's `environments:`; with the name, the migration's
    /// identity (lock, tags, RunTask token, PR comment, check run). (Not `environment`, which
    /// is the container's environment variables.)
    pub environment_name: Option<String>,
    pub source: Option<PathBuf>,
    pub cluster: String,
    pub base: BaseSource,
    /// Kept even when `task_definition` is set: network and launch type come from it.
    pub service: Option<String>,
    pub container: Option<String>,
    pub family: Option<String>,
    pub command: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub environment: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
    pub image: ImageSettings,
    /// None: use the service's network configuration.
    pub network: Option<NetworkSettings>,
    pub launch_type: Option<String>,
    pub capacity_provider_strategy: Vec<CapacityProvider>,
    pub platform_version: Option<String>,
    /// ECS Exec, placement, EBS volumes and tag propagation, where the config overrides the service.
    pub service_overrides: ServiceOverrides,
    pub timeout: Duration,
    /// `None` (`auto`): adaptive pacing within the call budget; `Some`: poll exactly this often.
    pub poll_interval: Option<Duration>,
    pub on_cancel: OnCancel,
    /// What to do when another run of this migration holds the cluster.
    pub on_conflict: OnConflict,
    /// How long the wait rides out failing AWS calls before giving up (exit 3).
    pub max_outage: Duration,
    /// How long after the migration container exited its logs are still read (late batches).
    pub log_drain: Duration,
    pub keep_containers: KeepContainers,
    pub tags: BTreeMap<String, String>,
    pub report: ReportSettings,
    /// The migration tool, how it was chosen, and its down and status commands.
    pub tool: ToolSettings,
    /// The checks run after a successful migration (`verify:`, `verify_pending:`).
    pub verify: VerifySettings,
    /// How `--local` runs the migration container on the local Docker engine (`local:`).
    pub local: LocalSettings,
    /// How `plan` reviews a pull request's migrations (`lint:`).
    pub lint: LintSettings,
}

/// Where the task definition to derive the migration's from comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseSource {
    /// The task definition the service currently runs.
    Service(String),
    /// `family`, `family:revision` or a task definition ARN.
    TaskDefinition(String),
    /// A .json/.yml/.yaml file, already resolved against the config file's directory.
    File(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageSettings {
    /// A prebuilt image to run as is.
    pub uri: Option<String>,
    /// The ECR repository to push a built image to.
    pub repository: Option<String>,
    /// None: the commit being built.
    pub tag: Option<String>,
    pub create_repository: bool,
    /// Set whenever `repository` is: an image is built and pushed there.
    pub build: Option<BuildSettings>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSettings {
    /// Resolved against the config file's directory.
    pub context: PathBuf,
    /// Resolved against `context`, as `docker compose` does.
    pub dockerfile: Option<PathBuf>,
    pub target: Option<String>,
    pub args: BTreeMap<String, String>,
    pub platform: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub cache_from: Vec<String>,
    pub cache_to: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkSettings {
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub assign_public_ip: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityProvider {
    pub capacity_provider: String,
    pub weight: Option<i32>,
    pub base: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSettings {
    pub pr_comment: bool,
    pub check_run: bool,
    pub summary: bool,
    pub slack_webhook: Option<String>,
    /// Rewrites paths in reports (e.g. container paths to repository paths).
    pub path_map: BTreeMap<String, String>,
    /// The user's regex naming a failed migration in the log (groups file, message, line).
    pub error_pattern: Option<String>,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            pr_comment: true,
            check_run: true,
            summary: true,
            slack_webhook: None,
            path_map: BTreeMap::new(),
            error_pattern: None,
        }
    }
}

/// What to do with the task when the wait times out or is cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnCancel {
    #[default]
    Stop,
    Leave,
}

impl OnCancel {
    pub(super) const KEYWORDS: &[(&str, OnCancel)] =
        &[("stop", OnCancel::Stop), ("leave", OnCancel::Leave)];
}

/// What to do when another run of the same migration is already under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnConflict {
    /// Wait for it to finish (bounded by `timeout`).
    #[default]
    Wait,
    Fail,
}

impl OnConflict {
    pub(super) const KEYWORDS: &[(&str, OnConflict)] =
        &[("wait", OnConflict::Wait), ("fail", OnConflict::Fail)];
}

/// Which containers besides the migration's stay in the derived task definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeepContainers {
    /// Only those the migration container depends on (`dependsOn`, transitively).
    #[default]
    Dependencies,
    All,
}

impl KeepContainers {
    pub(super) const KEYWORDS: &[(&str, KeepContainers)] = &[
        ("dependencies", KeepContainers::Dependencies),
        ("all", KeepContainers::All),
    ];
}

macro_rules! keyword_enum_text {
    ($($kind:ty),*) => {$(
        impl FromStr for $kind {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                parse_keyword(text, Self::KEYWORDS)
            }
        }

        impl fmt::Display for $kind {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let keyword = Self::KEYWORDS.iter().find(|(_, value)| value == self);
                f.write_str(keyword.map_or("?", |(keyword, _)| keyword))
            }
        }
    )*};
}

keyword_enum_text!(OnCancel, OnConflict, KeepContainers, FailOn);
