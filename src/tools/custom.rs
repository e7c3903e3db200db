//! `custom`: any other migration command, run as configured and judged by its exit code alone
//! (today's behaviour). It has no default commands and its output says nothing ecs-migrate can
//! read.

use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, Listed, MigrationTool, StatusReport,
    ToolId,
};

pub struct Custom;

fn not_configured(setting: &'static str) -> CommandError {
    CommandError::MissingSetting {
        tool: ToolId::Custom,
        setting,
        why: "a custom migration tool has no default commands",
    }
}

impl MigrationTool for Custom {
    fn id(&self) -> ToolId {
        ToolId::Custom
    }

    fn detect(&self, _: &Checkout) -> Option<String> {
        // Chosen when no other tool is recognised, never by evidence of its own.
        None
    }

    fn default_migrations_dir(&self) -> &'static str {
        "."
    }

    fn up_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Err(not_configured("`command`"))
    }

    fn down_command(&self, _: &DownTarget, _: &CommandSettings) -> Result<Argv, CommandError> {
        Err(not_configured("`commands.down`"))
    }

    fn status_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Err(not_configured("`commands.status`"))
    }

    fn applied_by_up(&self, _: &[&str]) -> Vec<String> {
        Vec::new()
    }

    /// A custom tool's output is not read.
    fn status_lists(&self) -> Listed {
        Listed::NEITHER
    }

    fn parse_status(&self, _: &[&str]) -> StatusReport {
        StatusReport {
            note: Some("a custom tool's output is not read".to_owned()),
            ..StatusReport::default()
        }
    }
}
