//! `lint:`, how `plan` reviews a pull request's migrations: the level from which a finding
//! rejects the pull request, the lint rules left out, and the PostgreSQL version they assume.

use schemars::JsonSchema;
use serde::Deserialize;

use super::ConfigError;
use super::resolve::{Resolver, non_empty};
use super::scalar;
use crate::review::lint::{DEFAULT_PG_VERSION, LintOptions, check_options};

/// `lint:` as written.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLint {
    /// The lowest finding that rejects the pull request: error (default), warning or never.
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::fail_on")]
    pub fail_on: Option<String>,
    /// Squawk rule names to leave out.
    #[serde(default, deserialize_with = "scalar::text_list")]
    #[schemars(schema_with = "super::schema::text_list")]
    pub exclude: Option<Vec<String>>,
    /// The PostgreSQL version the rules assume (default 15).
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub pg_version: Option<String>,
}

impl RawLint {
    pub(super) fn merge(self, over: RawLint) -> RawLint {
        RawLint {
            fail_on: over.fail_on.or(self.fail_on),
            exclude: over.exclude.or(self.exclude),
            pg_version: over.pg_version.or(self.pg_version),
        }
    }
}

/// The lowest level of finding that rejects the pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailOn {
    /// Only errors (history problems) reject; lint warnings are shown. The default.
    Error,
    /// Warnings reject too.
    Warning,
    /// Nothing rejects: findings are shown only.
    Never,
}

impl FailOn {
    pub(super) const KEYWORDS: &[(&'static str, FailOn)] = &[
        ("error", FailOn::Error),
        ("warning", FailOn::Warning),
        ("never", FailOn::Never),
    ];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintSettings {
    pub fail_on: FailOn,
    pub options: LintOptions,
}

impl Default for LintSettings {
    fn default() -> Self {
        Self {
            fail_on: FailOn::Error,
            options: LintOptions::default(),
        }
    }
}

impl Resolver<'_> {
    pub(super) fn lint(&self, raw: Option<RawLint>) -> Result<LintSettings, ConfigError> {
        let raw = raw.unwrap_or_default();
        let fail_on = match non_empty(raw.fail_on).as_deref() {
            None => FailOn::Error,
            Some(word)
                if let Some((_, level)) =
                    FailOn::KEYWORDS.iter().find(|(name, _)| *name == word) =>
            {
                *level
            }
            Some(other) => {
                return Err(self.error(
                    "lint.fail_on",
                    format!("{other:?} is not a level: write error, warning or never"),
                ));
            }
        };
        let options = LintOptions {
            exclude: raw.exclude.unwrap_or_default(),
            pg_version: non_empty(raw.pg_version).unwrap_or_else(|| DEFAULT_PG_VERSION.to_owned()),
        };
        check_options(&options).map_err(|message| {
            let key = match message.contains("PostgreSQL version") {
                true => "lint.pg_version",
                false => "lint.exclude",
            };
            self.error(key, message)
        })?;
        Ok(LintSettings { fail_on, options })
    }
}
