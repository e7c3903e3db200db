//! The raw config layer: what one source (the file, or the CLI flags) says, every key optional,
//! so layers can be merged before defaults and validation are applied once in `resolve`.

use std::collections::BTreeMap;
use std::fmt;

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
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default, deserialize_with = "scalar::text")]
    pub cluster: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub service: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub task_definition: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub container: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub family: Option<String>,
    #[serde(default)]
    pub command: Option<CommandSpec>,
    #[serde(default)]
    pub entrypoint: Option<CommandSpec>,
    #[serde(default, deserialize_with = "scalar::text_map")]
    pub environment: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "scalar::text_map")]
    pub secrets: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "scalar::count")]
    pub cpu: Option<u32>,
    #[serde(default, deserialize_with = "scalar::count")]
    pub memory: Option<u32>,
    #[serde(default)]
    pub image: Option<RawImage>,
    #[serde(default)]
    pub network: Option<RawNetwork>,
    #[serde(default, deserialize_with = "scalar::launch_type")]
    pub launch_type: Option<String>,
    #[serde(default)]
    pub capacity_provider_strategy: Option<Vec<RawCapacityProvider>>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub platform_version: Option<String>,
    #[serde(default, deserialize_with = "scalar::flag")]
    pub enable_execute_command: Option<bool>,
    #[serde(default)]
    pub placement_constraints: Option<Vec<RawPlacement>>,
    #[serde(default)]
    pub placement_strategy: Option<Vec<RawPlacement>>,
    #[serde(default)]
    pub volume_configurations: Option<BTreeMap<String, RawEbsVolume>>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub propagate_tags: Option<String>,
    #[serde(default, deserialize_with = "scalar::duration")]
    pub timeout: Option<String>,
    #[serde(default, deserialize_with = "scalar::duration")]
    pub poll_interval: Option<String>,
    #[serde(default, deserialize_with = "scalar::on_cancel")]
    pub on_cancel: Option<String>,
    #[serde(default, deserialize_with = "scalar::on_conflict")]
    pub on_conflict: Option<String>,
    #[serde(default, deserialize_with = "scalar::duration")]
    pub max_outage: Option<String>,
    #[serde(default, deserialize_with = "scalar::duration")]
    pub log_drain: Option<String>,
    #[serde(default, deserialize_with = "scalar::keep_containers")]
    pub keep_containers: Option<String>,
    #[serde(default, deserialize_with = "scalar::text_map")]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub name: Option<String>,
    #[serde(default)]
    pub report: Option<RawReport>,
    #[serde(default, deserialize_with = "scalar::tool")]
    pub tool: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub migrations_dir: Option<String>,
    #[serde(default)]
    pub commands: Option<RawCommands>,
    #[serde(default)]
    pub verify: Option<Vec<RawCheck>>,
    #[serde(default, deserialize_with = "scalar::flag")]
    pub verify_pending: Option<bool>,
    #[serde(default, deserialize_with = "scalar::flag")]
    pub status_after: Option<bool>,
    #[serde(default)]
    pub local: Option<RawLocal>,
    #[serde(default)]
    pub lint: Option<RawLint>,
    /// Named layers of the keys above, one chosen with `-e/--environment`; never nested.
    #[serde(default, deserialize_with = "environments::environments")]
    pub environments: Option<BTreeMap<String, RawConfig>>,
}

/// `commands:`: the tool's up, down and status commands, each overriding the tool's default.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommands {
    #[serde(default)]
    pub up: Option<CommandSpec>,
    #[serde(default)]
    pub down: Option<CommandSpec>,
    #[serde(default)]
    pub status: Option<CommandSpec>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawImage {
    #[serde(default, deserialize_with = "scalar::text")]
    pub uri: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub repository: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub tag: Option<String>,
    #[serde(default, deserialize_with = "scalar::flag")]
    pub create_repository: Option<bool>,
    #[serde(default)]
    pub build: Option<RawBuild>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBuild {
    #[serde(default, deserialize_with = "scalar::text")]
    pub context: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub dockerfile: Option<String>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub target: Option<String>,
    #[serde(default, deserialize_with = "scalar::text_map")]
    pub args: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub platform: Option<String>,
    #[serde(default, deserialize_with = "scalar::text_map")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "scalar::text_list")]
    pub cache_from: Option<Vec<String>>,
    #[serde(default, deserialize_with = "scalar::text_list")]
    pub cache_to: Option<Vec<String>>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    #[serde(default, deserialize_with = "scalar::id_list")]
    pub subnets: Option<Vec<String>>,
    #[serde(default, deserialize_with = "scalar::id_list")]
    pub security_groups: Option<Vec<String>>,
    #[serde(default, deserialize_with = "scalar::flag")]
    pub assign_public_ip: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapacityProvider {
    #[serde(deserialize_with = "required_text")]
    pub capacity_provider: String,
    #[serde(default, deserialize_with = "scalar::signed")]
    pub weight: Option<i32>,
    #[serde(default, deserialize_with = "scalar::signed")]
    pub base: Option<i32>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    #[serde(default, deserialize_with = "scalar::flag")]
    pub pr_comment: Option<bool>,
    #[serde(default, deserialize_with = "scalar::flag")]
    pub check_run: Option<bool>,
    #[serde(default, deserialize_with = "scalar::flag")]
    pub summary: Option<bool>,
    #[serde(default, deserialize_with = "scalar::text")]
    pub slack_webhook: Option<String>,
    #[serde(default, deserialize_with = "scalar::text_map")]
    pub path_map: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "scalar::error_pattern")]
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
