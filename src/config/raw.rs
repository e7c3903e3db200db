//! The raw config layer: what one source (the file, or the CLI flags) says, every key optional,
//! so layers can be merged before defaults and validation are applied once in `resolve`.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::environments;
use super::interpolate::expand;
use super::lint::RawLint;
use super::local::RawLocal;
use super::parity::{RawEbsVolume, RawPlacement};
use super::scalar::{self, TEXT, own_error};
use super::values::split_command;
use super::verify::RawCheck;

/// One layer of `ecs-migrate.yml` keys. Strings in a layer read from a file are already expanded
/// and checked; `resolve` checks them again because the flags layer was not.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// ECS cluster to run the migration in.
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub cluster: Option<String>,
    /// Service whose task definition, network and launch type (or capacity providers) the migration derives from.
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub service: Option<String>,
    /// Base task definition: family[:revision], ARN, or a .json/.yml file (read relative to this file).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub task_definition: Option<String>,
    /// The container that runs the migration (default: the one essential container).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub container: Option<String>,
    /// Family to register the migration task definition under (default: <base family>-migrate).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub family: Option<String>,
    /// The migration command (default: the tool's up command, else the container's own).
    #[serde(default)]
    pub command: Option<CommandSpec>,
    /// The migration container's entrypoint (default: the container's own).
    #[serde(default)]
    pub entrypoint: Option<CommandSpec>,
    /// Environment variables of the migration container, over the base's.
    #[serde(default, deserialize_with = "scalar::text_map")]
    #[schemars(schema_with = "super::schema::text_map")]
    pub environment: Option<BTreeMap<String, String>>,
    /// Secrets of the migration container: name to SSM parameter or Secrets Manager ARN (`:json-key::` allowed).
    #[serde(default, deserialize_with = "scalar::text_map")]
    #[schemars(schema_with = "super::schema::text_map")]
    pub secrets: Option<BTreeMap<String, String>>,
    /// Task CPU units (default: the base's).
    #[serde(default, deserialize_with = "scalar::count")]
    #[schemars(schema_with = "super::schema::count")]
    pub cpu: Option<u32>,
    /// Task memory in MiB (default: the base's).
    #[serde(default, deserialize_with = "scalar::count")]
    #[schemars(schema_with = "super::schema::count")]
    pub memory: Option<u32>,
    /// The image to run: a URI, or built and pushed to ECR (default: the base container's image).
    #[serde(default)]
    pub image: Option<RawImage>,
    /// awsvpc network of the task (default: the service's).
    #[serde(default)]
    pub network: Option<RawNetwork>,
    /// FARGATE, EC2 or EXTERNAL (default: the service's); or capacity_provider_strategy.
    #[serde(default, deserialize_with = "scalar::launch_type")]
    #[schemars(schema_with = "super::schema::launch_type")]
    pub launch_type: Option<String>,
    /// Capacity providers instead of a launch type (default: the service's).
    #[serde(default)]
    pub capacity_provider_strategy: Option<Vec<RawCapacityProvider>>,
    /// Fargate platform version (default: the service's).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub platform_version: Option<String>,
    /// ECS Exec into the migration task (default: the service's).
    #[serde(default, deserialize_with = "scalar::flag")]
    #[schemars(schema_with = "super::schema::flag")]
    pub enable_execute_command: Option<bool>,
    /// EC2 only; [] sends none (default: the service's).
    #[serde(default)]
    pub placement_constraints: Option<Vec<RawPlacement>>,
    /// EC2 only; [] sends none (default: the service's).
    #[serde(default)]
    pub placement_strategy: Option<Vec<RawPlacement>>,
    /// EBS volumes configured at launch, per volume name, over the service's settings.
    #[serde(default)]
    pub volume_configurations: Option<BTreeMap<String, RawEbsVolume>>,
    /// TASK_DEFINITION or NONE (default: the service's).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub propagate_tags: Option<String>,
    /// The longest wait for the task; then it is stopped (exit 124). Default 1h.
    #[serde(default, deserialize_with = "scalar::duration")]
    #[schemars(schema_with = "super::schema::duration")]
    pub timeout: Option<String>,
    #[serde(default, deserialize_with = "scalar::poll_interval")]
    #[schemars(schema_with = "super::schema::poll_interval")]
    pub poll_interval: Option<String>,
    /// On timeout or SIGINT/SIGTERM: stop the task (default), or leave it running.
    #[serde(default, deserialize_with = "scalar::on_cancel")]
    #[schemars(schema_with = "super::schema::on_cancel")]
    pub on_cancel: Option<String>,
    /// Another run of this migration under way: wait for it (default, bounded by timeout), or fail.
    #[serde(default, deserialize_with = "scalar::on_conflict")]
    #[schemars(schema_with = "super::schema::on_conflict")]
    pub on_conflict: Option<String>,
    /// How long the wait rides out failing AWS calls before giving up (exit 3). Default 3m.
    #[serde(default, deserialize_with = "scalar::duration")]
    #[schemars(schema_with = "super::schema::duration")]
    pub max_outage: Option<String>,
    /// How long after the migration container exited its last log lines are read. Default 5s.
    #[serde(default, deserialize_with = "scalar::duration")]
    #[schemars(schema_with = "super::schema::duration")]
    pub log_drain: Option<String>,
    /// Keep only the containers the migration dependsOn (default: dependencies), or all.
    #[serde(default, deserialize_with = "scalar::keep_containers")]
    #[schemars(schema_with = "super::schema::keep_containers")]
    pub keep_containers: Option<String>,
    /// Tags on the task definition and the task, beside ecs-migrate's own.
    #[serde(default, deserialize_with = "scalar::text_map")]
    #[schemars(schema_with = "super::schema::text_map")]
    pub tags: Option<BTreeMap<String, String>>,
    /// The migration's name in reports (default: the service, else the base family).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub name: Option<String>,
    /// Where the result is reported: PR comment, check run, job summary, Slack.
    #[serde(default)]
    pub report: Option<RawReport>,
    /// The migration tool (default: detected in the checkout).
    #[serde(default, deserialize_with = "scalar::tool")]
    #[schemars(schema_with = "super::schema::tool")]
    pub tool: Option<String>,
    /// Where the migrations are, relative to the checkout (default: the tool's).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub migrations_dir: Option<String>,
    /// The tool's up, down and status commands, each overriding the tool's default.
    #[serde(default)]
    pub commands: Option<RawCommands>,
    /// Checks run as one-off tasks after a successful migration; a failed one fails the run.
    #[serde(default)]
    pub verify: Option<Vec<RawCheck>>,
    /// Fail the run when the status after it still lists pending migrations.
    #[serde(default, deserialize_with = "scalar::flag")]
    #[schemars(schema_with = "super::schema::flag")]
    pub verify_pending: Option<bool>,
    /// Run the tool's status task after a successful migration (default true).
    #[serde(default, deserialize_with = "scalar::flag")]
    #[schemars(schema_with = "super::schema::flag")]
    pub status_after: Option<bool>,
    /// How `--local` runs the migration container on the local Docker engine.
    #[serde(default)]
    pub local: Option<RawLocal>,
    /// How `plan` reviews a pull request's migrations.
    #[serde(default)]
    pub lint: Option<RawLint>,
    /// Named layers of the keys above, one chosen with `-e/--environment`; never nested.
    #[serde(default, deserialize_with = "environments::environments")]
    #[schemars(schema_with = "super::schema::environments")]
    pub environments: Option<BTreeMap<String, RawConfig>>,
}

/// `commands:`: the tool's up, down and status commands, each overriding the tool's default.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCommands {
    /// The migration (default: the tool's up command).
    #[serde(default)]
    pub up: Option<CommandSpec>,
    /// The tool's down command, used by `ecs-migrate down`.
    #[serde(default)]
    pub down: Option<CommandSpec>,
    /// The tool's read-only status command, used by `status` and after a run.
    #[serde(default)]
    pub status: Option<CommandSpec>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawImage {
    /// A ready image URI (default: the base container's image).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub uri: Option<String>,
    /// ECR repository to push a build to.
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub repository: Option<String>,
    /// The build's tag (default: the commit).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub tag: Option<String>,
    /// Create the ECR repository when it is missing.
    #[serde(default, deserialize_with = "scalar::flag")]
    #[schemars(schema_with = "super::schema::flag")]
    pub create_repository: Option<bool>,
    /// Build the image with Docker and push it to ECR before the run.
    #[serde(default)]
    pub build: Option<RawBuild>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBuild {
    /// Build context directory (default: .).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub context: Option<String>,
    /// Dockerfile path (default: <context>/Dockerfile).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub dockerfile: Option<String>,
    /// Build stage to stop at.
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub target: Option<String>,
    /// Build arguments.
    #[serde(default, deserialize_with = "scalar::text_map")]
    #[schemars(schema_with = "super::schema::text_map")]
    pub args: Option<BTreeMap<String, String>>,
    /// Target platform, e.g. linux/arm64.
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub platform: Option<String>,
    /// Image labels.
    #[serde(default, deserialize_with = "scalar::text_map")]
    #[schemars(schema_with = "super::schema::text_map")]
    pub labels: Option<BTreeMap<String, String>>,
    /// External cache sources (buildx).
    #[serde(default, deserialize_with = "scalar::text_list")]
    #[schemars(schema_with = "super::schema::text_list")]
    pub cache_from: Option<Vec<String>>,
    /// Cache export destinations (buildx).
    #[serde(default, deserialize_with = "scalar::text_list")]
    #[schemars(schema_with = "super::schema::text_list")]
    pub cache_to: Option<Vec<String>>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    /// Subnet ids: a list, or one comma-separated string.
    #[serde(default, deserialize_with = "scalar::id_list")]
    #[schemars(schema_with = "super::schema::id_list")]
    pub subnets: Option<Vec<String>>,
    /// Security group ids: a list, or one comma-separated string.
    #[serde(default, deserialize_with = "scalar::id_list")]
    #[schemars(schema_with = "super::schema::id_list")]
    pub security_groups: Option<Vec<String>>,
    /// Give the task a public IP (Fargate in a public subnet without NAT).
    #[serde(default, deserialize_with = "scalar::flag")]
    #[schemars(schema_with = "super::schema::flag")]
    pub assign_public_ip: Option<bool>,
}

/// One `capacity_provider_strategy` entry as written.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCapacityProvider {
    /// The capacity provider's name, e.g. FARGATE_SPOT.
    #[serde(deserialize_with = "required_text")]
    #[schemars(schema_with = "super::schema::required_text")]
    pub capacity_provider: String,
    /// Relative share of tasks.
    #[serde(default, deserialize_with = "scalar::signed")]
    #[schemars(schema_with = "super::schema::signed")]
    pub weight: Option<i32>,
    /// Tasks placed on this provider first.
    #[serde(default, deserialize_with = "scalar::signed")]
    #[schemars(schema_with = "super::schema::signed")]
    pub base: Option<i32>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    /// Post the result as one sticky pull request comment (default true).
    #[serde(default, deserialize_with = "scalar::flag")]
    #[schemars(schema_with = "super::schema::flag")]
    pub pr_comment: Option<bool>,
    /// Report the run as a check run on the commit (default true).
    #[serde(default, deserialize_with = "scalar::flag")]
    #[schemars(schema_with = "super::schema::flag")]
    pub check_run: Option<bool>,
    /// Write the GitHub Actions job summary (default true).
    #[serde(default, deserialize_with = "scalar::flag")]
    #[schemars(schema_with = "super::schema::flag")]
    pub summary: Option<bool>,
    /// Slack incoming-webhook URL to post the result to.
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub slack_webhook: Option<String>,
    /// Container path prefixes to checkout paths, for annotations (e.g. /app: .).
    #[serde(default, deserialize_with = "scalar::text_map")]
    #[schemars(schema_with = "super::schema::text_map")]
    pub path_map: Option<BTreeMap<String, String>>,
    /// A regular expression naming the failed migration in your own tool's output.
    #[serde(default, deserialize_with = "scalar::error_pattern")]
    #[schemars(schema_with = "super::schema::error_pattern")]
    pub error_pattern: Option<String>,
}

fn required_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    de::DeserializeSeed::deserialize(TEXT, deserializer)
}

/// A command or entrypoint as written: a list of arguments, or one string split like a shell.
/// A string read from a file has already been checked to split cleanly.
#[derive(Debug, Clone, PartialEq)]
pub enum CommandSpec {
    List(Vec<String>),
    Shell(String),
}

impl CommandSpec {
    /// The arguments, splitting a shell string (which fails only on unbalanced quotes).
    pub fn to_args(&self) -> Result<Vec<String>, String> {
        match self {
            CommandSpec::List(args) => Ok(args.clone()),
            CommandSpec::Shell(line) => split_command(line),
        }
    }
}

impl<'de> Deserialize<'de> for CommandSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CommandVisitor)
    }
}

struct CommandVisitor;

impl<'de> Visitor<'de> for CommandVisitor {
    type Value = CommandSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of arguments, or a command line as one string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<CommandSpec, E> {
        let line = expand(text).map_err(own_error)?;
        split_command(&line).map_err(own_error)?;
        Ok(CommandSpec::Shell(line))
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<CommandSpec, E> {
        Ok(CommandSpec::Shell(number.to_string()))
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<CommandSpec, E> {
        Ok(CommandSpec::Shell(number.to_string()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<CommandSpec, A::Error> {
        let mut args = Vec::new();
        while let Some(arg) = items.next_element_seed(TEXT)? {
            args.push(arg);
        }
        Ok(CommandSpec::List(args))
    }
}
