//! golang-migrate: `migrate -path DIR -database URL up`. Its CLI reads the database URL only from
//! `-database`, and an ECS command is not run by a shell, so the commands run under `sh -c` to
//! expand `$DATABASE_URL` (the official migrate/migrate image is Alpine, with sh; an image
//! without a shell needs commands of its own). Applied migrations are named `<version>_<name>`,
//! the version alone is the status.

use std::sync::LazyLock;

use regex::Regex;

use super::output::plain_go_log;
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, HalfMigrated, Listed, MigrationTool,
    StatusReport, ToolId, argv,
};
use crate::migration_errors::{Found, Line};

pub struct GolangMigrate;

/// `1/u create_users_table (12.7821ms)`: Migration.LogString() and the run time.
static UP_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d+)/u (\S+)").expect("valid regex"));
/// `2`, or `68 (dirty)`: what `migrate version` prints.
static VERSION_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d+)( \(dirty\))?$").expect("valid regex"));
static DIRTY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"Dirty database version (\d+)").expect("valid regex"));

fn migrate(settings: &CommandSettings, arguments: &str) -> Argv {
    let script = format!(
        "exec migrate -path {} -database \"$DATABASE_URL\" {arguments}",
        shell_words::quote(&settings.migrations_dir)
    );
    argv(["sh", "-c", &script])
}

impl MigrationTool for GolangMigrate {
    fn id(&self) -> ToolId {
        ToolId::GolangMigrate
    }

    /// Its table.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &["schema_migrations"]
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        // sqlx's reversible migrations use the same .up.sql/.down.sql pairs.
        if checkout.mentions("Cargo.toml", "sqlx") {
            return None;
        }
        ["migrations", "db/migrations"].into_iter().find_map(|dir| {
            let files = checkout.files_in(dir);
            let up = files.iter().find(|name| name.ends_with(".up.sql"))?;
            let down = format!("{}.down.sql", up.trim_end_matches(".up.sql"));
            files
                .contains(&down)
                .then(|| format!("{dir}/{up} and {down}"))
        })
    }

    fn default_migrations_dir(&self) -> &'static str {
        "migrations"
    }

    fn up_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(migrate(settings, "up"))
    }

    fn down_command(
        &self,
        target: &DownTarget,
        settings: &CommandSettings,
    ) -> Result<Argv, CommandError> {
        Ok(match target {
            // `down N` asks no question; a bare `down` (all) would prompt.
            DownTarget::Steps(steps) => migrate(settings, &format!("down {steps}")),
            DownTarget::To(version) => {
                migrate(settings, &format!("goto {}", shell_words::quote(version)))
            }
        })
    }

    fn status_command(&self, settings: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(migrate(settings, "version"))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        lines
            .iter()
            .filter_map(|line| {
                let line = plain_go_log(line);
                UP_LINE
                    .captures(&line)
                    .map(|found| format!("{}_{}", &found[1], &found[2]))
            })
            .collect()
    }

    /// `migrate version` prints the current version alone.
    fn status_lists(&self) -> Listed {
        Listed::NEITHER
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        let version = lines.iter().find_map(|line| {
            let line = plain_go_log(line);
            VERSION_LINE
                .captures(line.trim())
                .map(|found| found[1].to_owned())
        });
        StatusReport {
            version,
            half_migrated: self.half_migrated(lines),
            note: Some(
                "golang-migrate reports only the current version, not which migrations are \
                 applied or pending"
                    .to_owned(),
            ),
            ..StatusReport::default()
        }
    }

    fn half_migrated(&self, lines: &[&str]) -> Option<HalfMigrated> {
        let version = lines.iter().find_map(|line| {
            let line = plain_go_log(line);
            DIRTY
                .captures(&line)
                .map(|found| found[1].to_owned())
                .or_else(|| {
                    VERSION_LINE
                        .captures(line.trim())
                        .filter(|found| found.get(2).is_some())
                        .map(|found| found[1].to_owned())
                })
        })?;
        Some(HalfMigrated {
            state: "dirty",
            fix: format!(
                "repair what migration {version} left half done, then `migrate force V` with the \
                 last version that is fully applied ({version} if you finished it, the one \
                 before if you undid it)"
            ),
            migration: Some(version),
        })
    }

    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        scan_failures(lines, found);
    }
}

const TOOL: &str = ToolId::GolangMigrate.as_str();

/// `migrate -verbose` announces `Read and execute 2/u add_email` (version, direction, the name
/// between the version and `.up.sql`); the failure is `error: <reason> in line N: <query…>`,
/// where the query runs over several lines and may end in `(details: <driver error>)`.
/// Without `-verbose` the failing file is never named, so nothing can be annotated.
fn scan_failures(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static EXECUTING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"Read and execute (\d+)/([ud]) (\S+)").expect("valid"));
    static FAILED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\berror: (.*?) in line (\d+): ").expect("valid"));
    let mut current: Option<(String, &str)> = None;
    for (index, line) in lines.iter().enumerate() {
        if line.text.contains("Read and execute ") {
            if let Some(captures) = EXECUTING.captures(line.text) {
                let direction = if &captures[2] == "u" { "up" } else { "down" };
                current = Some((format!("{}_{}", &captures[1], &captures[3]), direction));
            }
            continue;
        }
        if !line.text.contains(" in line ") {
            continue;
        }
        let (Some((name, direction)), Some(captures)) = (&current, FAILED.captures(line.text))
        else {
            continue;
        };
        let mut message = captures[1].to_owned();
        if message == "migration failed"
            && let Some(details) = details_after(&lines[index..])
        {
            message = format!("migration failed: {details}");
        }
        let path = format!("{name}.{direction}.*");
        found.push(Found::new(
            line.at,
            TOOL,
            &path,
            captures[2].parse().ok(),
            &message,
        ));
        current = None;
    }
}

/// The driver error in ` (details: …)` at the end of the (multi-line) query.
fn details_after(lines: &[Line<'_>]) -> Option<String> {
    lines.iter().take(500).find_map(|line| {
        let start = line.text.rfind("(details: ")?;
        let details = &line.text[start + "(details: ".len()..];
        Some(details.strip_suffix(')').unwrap_or(details).to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{borrowed, lines, names};
    use super::*;

    fn report(case: &str) -> StatusReport {
        GolangMigrate.parse_status(&borrowed(&lines("golang-migrate", case)))
    }

    #[test]
    fn reads_recorded_outputs() {
        let up = GolangMigrate.applied_by_up(&borrowed(&lines("golang-migrate", "up")));
        assert_eq!(up, names(&["1_create_users_table", "2_create_blogs_table"]));
        assert_eq!(report("version").version.as_deref(), Some("2"));
        assert_eq!(report("version").half_migrated, None);
        assert_eq!(report("version-none").version, None);

        let dirty = report("version-dirty");
        assert_eq!(dirty.version.as_deref(), Some("68"));
        assert_eq!(dirty.half_migrated.unwrap().state, "dirty");
        let up_dirty = lines("golang-migrate", "up-dirty");
        let half = GolangMigrate.half_migrated(&borrowed(&up_dirty)).unwrap();
        assert_eq!(half.migration.as_deref(), Some("68"));
        assert!(half.fix.contains("`migrate force V`"));
    }

    #[test]
    fn commands_expand_the_database_url_in_a_shell() {
        let settings = CommandSettings {
            migrations_dir: "db/migrations".into(),
            data_source: None,
        };
        assert_eq!(
            GolangMigrate
                .down_command(&DownTarget::Steps(2), &settings)
                .unwrap(),
            [
                "sh",
                "-c",
                "exec migrate -path db/migrations -database \"$DATABASE_URL\" down 2"
            ]
        );
        assert_eq!(
            GolangMigrate
                .down_command(&DownTarget::To("3".into()), &settings)
                .unwrap()[2],
            "exec migrate -path db/migrations -database \"$DATABASE_URL\" goto 3"
        );
    }
}
