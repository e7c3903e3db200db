//! TypeORM (0.3 CLI): `typeorm migration:run -d <data source>`. The data source file is the
//! app's own configuration: detection looks in the usual places, else it must be configured.
//! Migrations are named by class name (`CreateWidgets1704110400000`).

use std::sync::LazyLock;

use regex::Regex;

use super::output::{captured, plain};
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, MigrationTool, StatusReport, ToolId,
    argv, one_step_only,
};

pub struct Typeorm;

/// Where data sources usually live, in the order they are looked for.
const DATA_SOURCES: [&str; 8] = [
    "data-source.js",
    "data-source.ts",
    "src/data-source.ts",
    "src/data-source.js",
    "src/db/data-source.ts",
    "src/database/data-source.ts",
    "dist/data-source.js",
    "ormconfig.ts",
];

/// `Migration CreateWidgets1704110400000 has been  executed successfully.` (two spaces in 0.3.20)
static EXECUTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^Migration (\S+) has been\s+executed successfully").expect("valid regex")
});
/// `[X] 1 CreateWidgets1704110400000` / `[ ] AddPriceToWidgets1704196800000` in `migration:show`.
static SHOW_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[([ X])\] (?:\d+ )?(\S+)$").expect("valid regex"));

/// The data source file of the checkout, if it is in one of the usual places.
pub fn data_source(checkout: &Checkout) -> Option<String> {
    checkout.first_file(&DATA_SOURCES).map(str::to_owned)
}

impl Typeorm {
    fn with_data_source(
        &self,
        settings: &CommandSettings,
        command: &str,
    ) -> Result<Argv, CommandError> {
        let data_source = settings.data_source.as_deref().ok_or(CommandError::MissingSetting {
            tool: ToolId::Typeorm,
            setting: "its data source file",
            why: "the typeorm CLI loads the app's DataSource (`-d`); none was found in the usual \
                  places (data-source.js/ts, src/data-source.ts, …), so configure its path",
        })?;
        Ok(argv(["typeorm", command, "-d", data_source]))
    }
}

impl MigrationTool for Typeorm {
    fn id(&self) -> ToolId {
        ToolId::Typeorm
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        if !checkout.mentions("package.json", "\"typeorm\"") {
            return None;
        }
        Some(match data_source(checkout) {
            Some(file) => format!("typeorm in package.json, data source {file}"),
            None => "typeorm in package.json (no data source file found)".to_owned(),
        })
    }

    fn default_migrations_dir(&self) -> &'static str {
        "migrations"
    }

    fn up_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError> {
        self.with_data_source(settings, "migration:run")
    }

    fn down_command(
        &self,
        target: &DownTarget,
        settings: &CommandSettings,
    ) -> Result<Argv, CommandError> {
        let revert = self.with_data_source(settings, "migration:revert")?;
        one_step_only(
            ToolId::Typeorm,
            target,
            revert,
            "run `down` once per migration",
        )
    }

    fn status_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError> {
        self.with_data_source(settings, "migration:show")
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        captured(lines, &EXECUTED)
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        let mut report = StatusReport::default();
        for line in lines.iter().map(|line| plain(line)) {
            if let Some(row) = SHOW_ROW.captures(&line) {
                let list = if &row[1] == "X" {
                    &mut report.applied
                } else {
                    &mut report.pending
                };
                list.push(row[2].to_owned());
            }
        }
        report.version = report.applied.last().cloned();
        report
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{assert_recorded_lifecycle, borrowed, lines};
    use super::*;

    const CREATE: &str = "CreateWidgets1704110400000";
    const PRICE: &str = "AddPriceToWidgets1704196800000";

    fn status(case: &str) -> StatusReport {
        Typeorm.parse_status(&borrowed(&lines("typeorm", case)))
    }

    #[test]
    fn reads_the_real_typeorm_0_3_20_outputs() {
        assert_recorded_lifecycle(&Typeorm, "typeorm", (CREATE, PRICE), (PRICE, None));
    }

    #[test]
    fn commands_need_the_data_source() {
        let mut settings = CommandSettings {
            migrations_dir: "migrations".into(),
            data_source: None,
        };
        let error = Typeorm.up_command(&settings).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("typeorm needs its data source file: ")
        );
        settings.data_source = Some("data-source.js".into());
        assert_eq!(
            Typeorm.up_command(&settings).unwrap(),
            argv(["typeorm", "migration:run", "-d", "data-source.js"])
        );
        assert_eq!(
            Typeorm
                .down_command(&DownTarget::Steps(1), &settings)
                .unwrap(),
            argv(["typeorm", "migration:revert", "-d", "data-source.js"])
        );
        assert!(
            Typeorm
                .down_command(&DownTarget::Steps(2), &settings)
                .is_err()
        );
    }
}
