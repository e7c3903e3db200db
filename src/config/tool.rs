//! The migration tool of a config: `tool:` (or what the checkout shows), `migrations_dir:` and
//! `commands:`, resolved into the commands that `run`, `status` and `down` give the migration
//! container. `command:` stays the up command and wins over `commands.up` (so `--command` can
//! override a file's `commands.up`); with neither, a known tool's own up command is used.

use std::path::Path;

use super::resolve::{Resolver, non_empty};
use super::{CommandSpec, ConfigError, RawCommands};
use crate::tools::{self, CommandError, CommandSettings, DownTarget, ToolId};

/// How the tool was chosen, for `plan` and messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolOrigin {
    /// `tool:` or `--tool`.
    Configured,
    /// Found in the checkout (the working directory); the reason says what was found.
    Detected(String),
}

/// The resolved migration tool and its commands besides the up command (which is
/// `Settings::command`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolSettings {
    pub id: ToolId,
    pub origin: ToolOrigin,
    /// `migrations_dir:`, else the tool's default.
    pub migrations_dir: String,
    /// TypeORM's data source file, when the checkout has one.
    pub data_source: Option<String>,
    /// `commands.down` as configured; `{steps}` and `{version}` are filled in.
    pub down: Option<Vec<String>>,
    /// `commands.status` as configured.
    pub status: Option<Vec<String>>,
}

impl Default for ToolSettings {
    fn default() -> Self {
        ToolSettings {
            id: ToolId::Custom,
            origin: ToolOrigin::Configured,
            migrations_dir: ".".to_owned(),
            data_source: None,
            down: None,
            status: None,
        }
    }
}

/// The raw keys this module resolves.
pub(super) struct RawTool {
    pub tool: Option<String>,
    pub migrations_dir: Option<String>,
    pub commands: Option<RawCommands>,
    pub command: Option<CommandSpec>,
}

impl Resolver<'_> {
    /// The tool settings and the up command (None: the container's own command).
    pub(super) fn tool(
        &self,
        raw: RawTool,
        checkout: &Path,
    ) -> Result<(ToolSettings, Option<Vec<String>>), ConfigError> {
        let (id, origin, data_source) = match non_empty(raw.tool) {
            Some(name) => {
                // Checked again here: a name from --tool skipped the file's checks.
                let id = name
                    .parse::<ToolId>()
                    .map_err(|unknown| self.error("tool", unknown.to_string()))?;
                let detection = (id == ToolId::Typeorm).then(|| tools::detect::detect(checkout));
                let data_source = detection.and_then(|found| found.data_source);
                (id, ToolOrigin::Configured, data_source)
            }
            None => {
                let found = tools::detect::detect(checkout);
                (
                    found.tool,
                    ToolOrigin::Detected(found.reason),
                    found.data_source,
                )
            }
        };
        let commands = raw.commands.unwrap_or_default();
        let settings = ToolSettings {
            id,
            origin,
            migrations_dir: non_empty(raw.migrations_dir)
                .unwrap_or_else(|| tools::tool(id).default_migrations_dir().to_owned()),
            data_source,
            down: self.command("commands.down", commands.down)?,
            status: self.command("commands.status", commands.status)?,
        };
        let configured_up = match self.command("command", raw.command)? {
            Some(command) => Some(command),
            None => self.command("commands.up", commands.up)?,
        };
        let up = match configured_up {
            Some(command) => Some(command),
            None if id == ToolId::Custom => None,
            None => Some(
                tools::tool(id)
                    .up_command(&settings.command_settings())
                    .map_err(|error| self.error("tool", format!("{error} (or set `command`)")))?,
            ),
        };
        Ok((settings, up))
    }
}

impl ToolSettings {
    pub fn command_settings(&self) -> CommandSettings {
        CommandSettings {
            migrations_dir: self.migrations_dir.clone(),
            data_source: self.data_source.clone(),
        }
    }

    /// How the tool was chosen, in words: `alembic (detected: alembic.ini)`.
    pub fn describe(&self) -> String {
        match &self.origin {
            ToolOrigin::Configured => format!("{} (configured)", self.id),
            ToolOrigin::Detected(reason) => format!("{} (detected: {reason})", self.id),
        }
    }

    /// The read-only status command: `commands.status`, else the tool's.
    pub fn status_command(&self) -> Result<Vec<String>, String> {
        if let Some(command) = &self.status {
            return Ok(command.clone());
        }
        tools::tool(self.id)
            .status_command(&self.command_settings())
            .map_err(|error| explain(&error, "commands.status", "--status-command"))
    }

    /// The down command for `target`: `commands.down` with `{steps}`/`{version}` filled in, else
    /// the tool's.
    pub fn down_command(&self, target: &DownTarget) -> Result<Vec<String>, String> {
        match &self.down {
            Some(command) => fill_down(command, target),
            None => tools::tool(self.id)
                .down_command(target, &self.command_settings())
                .map_err(|error| explain(&error, "commands.down", "--down-command")),
        }
    }
}

fn explain(error: &CommandError, key: &str, flag: &str) -> String {
    match error {
        CommandError::MissingSetting {
            tool: ToolId::Custom,
            ..
        } => format!(
            "`tool: custom` has no {} command: set `{key}` in the config (or pass {flag}), or \
             set `tool:` to a known tool",
            key.trim_start_matches("commands.")
        ),
        other => format!("{other} (or set `{key}` to a command of your own)"),
    }
}

fn fill_down(command: &[String], target: &DownTarget) -> Result<Vec<String>, String> {
    let has = |placeholder: &str| command.iter().any(|word| word.contains(placeholder));
    let replace = |placeholder: &str, value: &str| -> Vec<String> {
        command
            .iter()
            .map(|word| word.replace(placeholder, value))
            .collect()
    };
    match target {
        DownTarget::To(version) if has("{version}") => Ok(replace("{version}", version)),
        DownTarget::To(_) => Err(
            "`commands.down` has no `{version}` placeholder, so it cannot go down --to a version \
             (add `{version}` where the version goes, or use --steps)"
                .to_owned(),
        ),
        DownTarget::Steps(_) if has("{version}") => Err(
            "`commands.down` takes a `{version}`: pass --to VERSION (or use `{steps}` in it)"
                .to_owned(),
        ),
        DownTarget::Steps(steps) if has("{steps}") => Ok(replace("{steps}", &steps.to_string())),
        DownTarget::Steps(1) => Ok(command.to_vec()),
        DownTarget::Steps(steps) => Err(format!(
            "`commands.down` has no `{{steps}}` placeholder, so it goes down one step only, not \
             {steps} (add `{{steps}}` where the count goes, or run it {steps} times)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn a_configured_down_command_gets_its_placeholders_filled_or_refuses() {
        let steps = words("migrate down {steps}");
        assert_eq!(
            fill_down(&steps, &DownTarget::Steps(3)),
            Ok(words("migrate down 3"))
        );
        assert!(
            fill_down(&steps, &DownTarget::To("5".into()))
                .unwrap_err()
                .contains("no `{version}` placeholder")
        );
        let to = words("migrate goto {version}");
        assert_eq!(
            fill_down(&to, &DownTarget::To("5".into())),
            Ok(words("migrate goto 5"))
        );
        assert!(
            fill_down(&to, &DownTarget::Steps(1))
                .unwrap_err()
                .contains("pass --to VERSION")
        );
        let plain = words("bin/rollback");
        assert_eq!(fill_down(&plain, &DownTarget::Steps(1)), Ok(plain.clone()));
        assert!(
            fill_down(&plain, &DownTarget::Steps(2))
                .unwrap_err()
                .contains("one step only, not 2")
        );
    }
}
