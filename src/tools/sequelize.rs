//! Sequelize (sequelize-cli): `sequelize-cli db:migrate`. Migrations are named by file name
//! without its extension, as `db:migrate` prints them (`db:migrate:status` adds `.js`).

use std::sync::LazyLock;

use regex::Regex;

use super::output::{captured, plain};
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, MigrationTool, StatusReport, ToolId,
    argv, one_step_only,
};

pub struct Sequelize;

/// `== 20240101120000-create-widgets: migrated (0.015s)`
static MIGRATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^== (.+): migrated \(").expect("valid regex"));
/// `up 20240101120000-create-widgets.js` / `down …` in `db:migrate:status`.
static STATUS_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(up|down) (\S+)$").expect("valid regex"));

impl MigrationTool for Sequelize {
    fn id(&self) -> ToolId {
        ToolId::Sequelize
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        if checkout.is_file(".sequelizerc") {
            return Some(".sequelizerc".to_owned());
        }
        (checkout.is_file("config/config.json")
            && checkout.is_dir("migrations")
            && checkout.mentions("package.json", "\"sequelize"))
        .then(|| "config/config.json, migrations/ and sequelize in package.json".to_owned())
    }

    fn default_migrations_dir(&self) -> &'static str {
        "migrations"
    }

    fn up_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["sequelize-cli", "db:migrate"]))
    }

    fn down_command(&self, target: &DownTarget, _: &CommandSettings) -> Result<Argv, CommandError> {
        // `db:migrate:undo:all --to X` reverts X too, so it cannot express "down to X, keep X".
        one_step_only(
            ToolId::Sequelize,
            target,
            argv(["sequelize-cli", "db:migrate:undo"]),
            "run `down` once per migration, or set commands.down to [sequelize-cli, \
             db:migrate:undo:all, --to, NAME] where NAME is the first migration to revert \
             (sequelize reverts it too)",
        )
    }

    fn status_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["sequelize-cli", "db:migrate:status"]))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        captured(lines, &MIGRATED)
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        let mut report = StatusReport::default();
        for line in lines.iter().map(|line| plain(line)) {
            if let Some(row) = STATUS_ROW.captures(&line) {
                let name = without_extension(&row[2]);
                let list = if &row[1] == "up" {
                    &mut report.applied
                } else {
                    &mut report.pending
                };
                list.push(name);
            }
        }
        report.version = report.applied.last().cloned();
        report
    }
}

fn without_extension(file: &str) -> String {
    [".js", ".cjs", ".mjs", ".ts"]
        .iter()
        .find_map(|extension| file.strip_suffix(extension))
        .unwrap_or(file)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{assert_recorded_lifecycle, borrowed, lines};
    use super::*;

    const CREATE: &str = "20240101120000-create-widgets";
    const PRICE: &str = "20240102120000-add-price-to-widgets";

    fn status(case: &str) -> StatusReport {
        Sequelize.parse_status(&borrowed(&lines("sequelize", case)))
    }

    #[test]
    fn reads_the_real_sequelize_cli_6_6_outputs() {
        assert_recorded_lifecycle(
            &Sequelize,
            "sequelize",
            (CREATE, PRICE),
            (PRICE, Some(CREATE)),
        );
    }

    #[test]
    fn down_is_one_migration_per_call() {
        let settings = CommandSettings {
            migrations_dir: "migrations".into(),
            data_source: None,
        };
        assert_eq!(
            Sequelize
                .down_command(&DownTarget::Steps(1), &settings)
                .unwrap(),
            argv(["sequelize-cli", "db:migrate:undo"])
        );
        let error = Sequelize
            .down_command(&DownTarget::To(CREATE.into()), &settings)
            .unwrap_err();
        assert!(error.to_string().contains("sequelize reverts it too"));
    }
}
