//! Knex: `knex migrate:latest`. Migrations are named by file name. `--verbose` makes
//! `migrate:latest` list the files it ran (without it, knex prints only a count).

use super::output::plain;
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, MigrationTool, StatusReport, ToolId,
    argv, one_step_only,
};

pub struct Knex;

const KNEXFILES: [&str; 4] = ["knexfile.js", "knexfile.ts", "knexfile.cjs", "knexfile.mjs"];

impl MigrationTool for Knex {
    fn id(&self) -> ToolId {
        ToolId::Knex
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        checkout.first_file(&KNEXFILES).map(str::to_owned)
    }

    fn default_migrations_dir(&self) -> &'static str {
        "migrations"
    }

    fn up_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["knex", "migrate:latest", "--verbose"]))
    }

    fn down_command(&self, target: &DownTarget, _: &CommandSettings) -> Result<Argv, CommandError> {
        // `migrate:down` undoes the last migration; `migrate:down <name>` undoes that one alone,
        // out of order, so it is no "down to"; `migrate:rollback` undoes a whole batch.
        one_step_only(
            ToolId::Knex,
            target,
            argv(["knex", "migrate:down"]),
            "run `down` once per migration, or set commands.down to [knex, migrate:rollback] \
             to undo the last batch",
        )
    }

    fn status_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["knex", "migrate:status"]))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        // `Batch 1 run: 2 migrations` then, with --verbose, one file name per line.
        let mut applied = Vec::new();
        let mut in_batch = false;
        for line in lines.iter().map(|line| plain(line)) {
            if line.starts_with("Batch ") && line.contains(" run: ") {
                in_batch = true;
            } else if in_batch && is_migration_file(&line) {
                applied.push(line.trim().to_owned());
            } else {
                in_batch = false;
            }
        }
        applied
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        // `Found 2 Completed Migration file/files.` / `Found 1 Pending Migration file/files.`,
        // each followed by the file names.
        enum Section {
            None,
            Completed,
            Pending,
        }
        let mut report = StatusReport::default();
        let mut section = Section::None;
        for line in lines.iter().map(|line| plain(line)) {
            if line.contains("Completed Migration file") {
                section = Section::Completed;
            } else if line.contains("Pending Migration file") {
                section = Section::Pending;
            } else if is_migration_file(&line) {
                match section {
                    Section::Completed => report.applied.push(line.trim().to_owned()),
                    Section::Pending => report.pending.push(line.trim().to_owned()),
                    Section::None => {}
                }
            } else {
                section = Section::None;
            }
        }
        report.version = report.applied.last().cloned();
        report
    }
}

fn is_migration_file(line: &str) -> bool {
    let name = line.trim();
    !name.is_empty()
        && !name.contains(' ')
        && [".js", ".ts", ".cjs", ".mjs", ".coffee"]
            .iter()
            .any(|extension| name.ends_with(extension))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{assert_recorded_lifecycle, borrowed, lines};
    use super::*;

    const CREATE: &str = "20240101120000_create_widgets.js";
    const PRICE: &str = "20240102120000_add_price_to_widgets.js";

    fn status(case: &str) -> StatusReport {
        Knex.parse_status(&borrowed(&lines("knex", case)))
    }

    #[test]
    fn reads_the_real_knex_3_1_outputs() {
        // The rollback's "rolled back the following migrations" list is no "run" batch.
        assert_recorded_lifecycle(&Knex, "knex", (CREATE, PRICE), (PRICE, None));
    }

    #[test]
    fn down_is_one_migration_per_call() {
        let settings = CommandSettings {
            migrations_dir: "migrations".into(),
            data_source: None,
        };
        assert_eq!(
            Knex.down_command(&DownTarget::Steps(1), &settings).unwrap(),
            argv(["knex", "migrate:down"])
        );
        let error = Knex
            .down_command(&DownTarget::Steps(3), &settings)
            .unwrap_err();
        assert!(error.to_string().starts_with(
            "knex cannot migrate down 3 steps: its CLI undoes one migration per call"
        ));
        assert!(
            Knex.down_command(&DownTarget::To("x".into()), &settings)
                .is_err()
        );
    }
}
