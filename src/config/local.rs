//! `local:`, how `--local` runs the migration container on the local Docker engine: the Docker
//! network that reaches the developer's database, and values for the task definition's secrets
//! (and extra variables) that are then not fetched from AWS.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;

use super::resolve::{Resolver, non_empty};
use super::scalar;

/// `local:` as written.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLocal {
    /// Docker network of the local container (default: host).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub network: Option<String>,
    /// A dotenv file with the secrets' values for a local run.
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub env_file: Option<String>,
    /// Values of the container's secrets for a local run (name to value).
    #[serde(default, deserialize_with = "scalar::text_map")]
    #[schemars(schema_with = "super::schema::text_map")]
    pub env: Option<BTreeMap<String, String>>,
}

impl RawLocal {
    pub(super) fn merge(self, over: RawLocal) -> RawLocal {
        let mut env = self.env.unwrap_or_default();
        env.extend(over.env.unwrap_or_default());
        RawLocal {
            network: over.network.or(self.network),
            env_file: over.env_file.or(self.env_file),
            env: (!env.is_empty()).then_some(env),
        }
    }
}

/// The Docker network a local run joins when `local.network` names none: the host's, so
/// `localhost` in the container is the developer's machine, as in their `DATABASE_URL`.
pub const DEFAULT_NETWORK: &str = "host";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalSettings {
    pub network: String,
    /// A Docker-style env file (`NAME=value` lines), relative to the config file.
    pub env_file: Option<PathBuf>,
    /// Values by variable name: a secret's value, or an extra variable.
    pub env: BTreeMap<String, String>,
}

impl Default for LocalSettings {
    fn default() -> Self {
        Self {
            network: DEFAULT_NETWORK.to_owned(),
            env_file: None,
            env: BTreeMap::new(),
        }
    }
}

impl Resolver<'_> {
    pub(super) fn local(&self, raw: Option<RawLocal>) -> LocalSettings {
        let raw = raw.unwrap_or_default();
        LocalSettings {
            network: non_empty(raw.network).unwrap_or_else(|| DEFAULT_NETWORK.to_owned()),
            env_file: non_empty(raw.env_file).map(|path| self.relative_to_file(&path)),
            env: raw.env.unwrap_or_default(),
        }
    }
}
