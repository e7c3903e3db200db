//! `verify:` and `verify_pending:`, what "done" means beyond the migration's exit 0: checks run
//! after a successful migration, each its own one-off task of the same task definition (only the
//! command differs), whose output must match `expect`; and a status task that must show nothing
//! pending.

use schemars::JsonSchema;
use serde::Deserialize;

use super::ConfigError;
use super::raw::CommandSpec;
use super::resolve::{Resolver, non_empty};
use super::scalar;

/// One `verify:` entry as written.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    /// The check's name in the result.
    #[serde(default, deserialize_with = "scalar::text")]
    #[schemars(schema_with = "super::schema::text")]
    pub name: Option<String>,
    /// What the check runs in the migration container (a list, or a shell-split string).
    #[serde(default)]
    pub command: Option<CommandSpec>,
    /// Checked to be a regular expression while the file is read, so a bad one names its line.
    #[serde(default, deserialize_with = "scalar::regex")]
    #[schemars(schema_with = "super::schema::regex")]
    pub expect: Option<String>,
}

/// A resolved check: run `command`; it passes when the task exits 0 and (with `expect`) its
/// output matches the regular expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub command: Vec<String>,
    pub expect: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifySettings {
    pub checks: Vec<Check>,
    /// A status task after the migration must list nothing pending.
    pub pending: bool,
    /// `status_after` (default true): a status task after a successful migration reads what is
    /// pending and the version where the migration's own output does not say.
    pub status_after: bool,
}

impl Default for VerifySettings {
    fn default() -> Self {
        Self {
            checks: Vec::new(),
            pending: false,
            status_after: true,
        }
    }
}

/// Checks `pattern` compiles as a regular expression; the error is the user's to read.
pub(super) fn check_regex(pattern: &str) -> Result<(), String> {
    regex::Regex::new(pattern).map(|_| ()).map_err(|error| {
        let detail = error.to_string();
        let detail = detail.lines().last().unwrap_or_default().trim().to_owned();
        format!("invalid regular expression {pattern:?}: {detail} (write a Rust regex)")
    })
}

impl Resolver<'_> {
    pub(super) fn verify(
        &self,
        raw: Option<Vec<RawCheck>>,
        pending: Option<bool>,
        status_after: Option<bool>,
    ) -> Result<VerifySettings, ConfigError> {
        let mut checks: Vec<Check> = Vec::new();
        for (index, raw) in raw.unwrap_or_default().into_iter().enumerate() {
            let key = |field: &str| format!("verify[{index}].{field}");
            let name = non_empty(raw.name).ok_or_else(|| {
                self.error(
                    &key("name"),
                    "required: name the check (it names a failure)",
                )
            })?;
            if checks.iter().any(|check| check.name == name) {
                return Err(self.error(
                    &key("name"),
                    format!("`{name}` names two checks (give each its own name)"),
                ));
            }
            let command = self.command(&key("command"), raw.command)?.ok_or_else(|| {
                self.error(
                    &key("command"),
                    "required: the command to run in the migration container",
                )
            })?;
            let expect = non_empty(raw.expect);
            if let Some(pattern) = &expect {
                check_regex(pattern).map_err(|message| self.error(&key("expect"), message))?;
            }
            checks.push(Check {
                name,
                command,
                expect,
            });
        }
        Ok(VerifySettings {
            checks,
            pending: pending.unwrap_or(false),
            status_after: status_after.unwrap_or(true),
        })
    }
}
