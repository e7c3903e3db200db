//! Prisma Migrate: `prisma migrate deploy`. Migrations are named by directory
//! (`20201231000000_init`). Prisma has no down; `prisma migrate status` lists only what is not
//! applied (and failed migrations), never what is.

use std::sync::LazyLock;

use regex::Regex;

use super::output::{captured, plain};
use super::{
    Argv, Checkout, CommandError, CommandSettings, DownTarget, HalfMigrated, Listed, MigrationTool,
    StatusReport, ToolId, argv,
};
use crate::migration_errors::{Found, Line};

pub struct Prisma;

/// "Applying migration `20201231000000_init`" (printed before each one since Prisma 3).
static APPLYING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^Applying migration `([^`]+)`").expect("valid regex"));
/// "The `20230519223302_add_projects` migration started at … failed" (P3009).
static FAILED_STARTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"The `([^`]+)` migration started at .* failed").expect("valid regex")
});

impl MigrationTool for Prisma {
    fn id(&self) -> ToolId {
        ToolId::Prisma
    }

    /// Its table.
    fn bookkeeping(&self) -> &'static [&'static str] {
        &["_prisma_migrations"]
    }

    fn detect(&self, checkout: &Checkout) -> Option<String> {
        checkout
            .is_file("prisma/schema.prisma")
            .then(|| "prisma/schema.prisma".to_owned())
    }

    fn default_migrations_dir(&self) -> &'static str {
        "prisma/migrations"
    }

    fn up_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["prisma", "migrate", "deploy"]))
    }

    fn down_command(&self, _: &DownTarget, _: &CommandSettings) -> Result<Argv, CommandError> {
        Err(CommandError::NoDown {
            tool: ToolId::Prisma,
            instead: "Prisma Migrate has no down migrations; generate the reverting SQL with \
                      `prisma migrate diff` into a new migration and deploy it (a failed \
                      migration is marked undone with `prisma migrate resolve --rolled-back NAME`)",
        })
    }

    fn status_command(&self, _: &CommandSettings) -> Result<Argv, CommandError> {
        Ok(argv(["prisma", "migrate", "status"]))
    }

    fn applied_by_up(&self, lines: &[&str]) -> Vec<String> {
        let applying: Vec<String> = captured(lines, &APPLYING);
        if !applying.is_empty() {
            return applying;
        }
        // Older Prisma printed only the tree after "The following migration(s) have been applied".
        let mut in_tree = false;
        let mut applied = Vec::new();
        for line in lines.iter().map(|line| plain(line)) {
            if line.contains("The following migration(s) have been applied") {
                in_tree = true;
            } else if in_tree && let Some(name) = line.trim().strip_prefix("└─ ") {
                if let Some(directory) = name.strip_suffix('/') {
                    applied.push(directory.to_owned());
                }
            } else if in_tree && line.starts_with("All migrations") {
                in_tree = false;
            }
        }
        applied
    }

    /// `prisma migrate status` lists only the migrations not applied yet.
    fn status_lists(&self) -> Listed {
        Listed {
            applied: false,
            pending: true,
        }
    }

    fn parse_status(&self, lines: &[&str]) -> StatusReport {
        let mut report = StatusReport::default();
        let mut in_pending = false;
        for line in lines.iter().map(|line| plain(line)) {
            if line.starts_with("Following migration") && line.contains("not yet been applied") {
                in_pending = true;
            } else if in_pending && is_migration_name(&line) {
                report.pending.push(line.trim().to_owned());
            } else {
                in_pending = false;
            }
        }
        report.note = Some(
            "prisma migrate status lists only migrations not yet applied; applied ones and the \
             version are not in its output"
                .to_owned(),
        );
        report.half_migrated = self.half_migrated(lines);
        report
    }

    fn half_migrated(&self, lines: &[&str]) -> Option<HalfMigrated> {
        let plain_lines: Vec<String> = lines.iter().map(|line| plain(line)).collect();
        let failed = plain_lines.iter().enumerate().find_map(|(index, line)| {
            if let Some(found) = FAILED_STARTED.captures(line) {
                return Some(found[1].to_owned());
            }
            // `migrate status`: "Following migration have failed:" then the names.
            (line.starts_with("Following migration") && line.contains("failed"))
                .then(|| {
                    plain_lines
                        .get(index + 1)
                        .map(|next| next.trim().to_owned())
                })
                .flatten()
        })?;
        Some(HalfMigrated {
            state: "failed (P3009)",
            fix: format!(
                "undo its partial changes then `prisma migrate resolve --rolled-back \"{failed}\"`, \
                 or finish them by hand then `prisma migrate resolve --applied \"{failed}\"`"
            ),
            migration: Some(failed),
        })
    }

    fn failures(&self, lines: &[Line<'_>], found: &mut Vec<Found>) {
        scan_failures(lines, found);
    }
}

fn is_migration_name(line: &str) -> bool {
    let name = line.trim();
    !name.is_empty() && !name.contains(' ') && !name.ends_with(':')
}

const TOOL: &str = ToolId::Prisma.as_str();

/// `prisma migrate deploy`: `Error: P3018` then `Migration name: <dir>`, `Database error code:`
/// and `Database error:` followed by the error itself; or `Error: P3009` naming a migration that
/// failed in an earlier run (``The `<dir>` migration started at … failed``). The migrations
/// directory comes from `N migrations found in <dir>`, else Prisma's default.
fn scan_failures(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static DIRECTORY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\d+ migrations? found in (\S+)").expect("valid"));
    let mut directory = "prisma/migrations".to_owned();
    for (index, line) in lines.iter().enumerate() {
        let text = line.text.trim();
        if text.contains(" found in ")
            && let Some(captures) = DIRECTORY.captures(text)
        {
            directory = captures[1].trim_end_matches('/').to_owned();
        } else if text.contains("P3018") {
            if let Some((name, message)) = p3018_details(&lines[index + 1..]) {
                let path = format!("{directory}/{name}/migration.sql");
                found.push(Found::new(line.at, TOOL, &path, None, &message));
            }
        } else if text.contains("` migration started at ")
            && let Some(captures) = FAILED_STARTED.captures(text)
        {
            let path = format!("{directory}/{}/migration.sql", &captures[1]);
            let message = "this migration failed in an earlier run and blocks new ones (P3009): \
                           fix the database, then `prisma migrate resolve`";
            found.push(Found::new(line.at, TOOL, &path, None, message));
        }
    }
}

/// The migration name and database error from the lines after `P3018`.
fn p3018_details(lines: &[Line<'_>]) -> Option<(String, String)> {
    let mut name = None;
    let mut code = None;
    let mut message = None;
    let mut texts = lines.iter().take(40).map(|line| line.text.trim());
    while let Some(text) = texts.next() {
        if let Some(value) = text.strip_prefix("Migration name:") {
            name = Some(value.trim().to_owned());
        } else if let Some(value) = text.strip_prefix("Database error code:") {
            code = Some(value.trim().to_owned());
        } else if text == "Database error:" {
            message = texts.find(|text| !text.is_empty()).map(str::to_owned);
            break;
        } else if text.starts_with("Error: P") {
            break;
        }
    }
    let message = match (message, code) {
        (Some(message), Some(code)) => format!("{message} (database error code {code})"),
        (Some(message), None) => message,
        (None, Some(code)) => format!("database error code {code}"),
        (None, None) => "the migration failed to apply (P3018)".to_owned(),
    };
    Some((name?, message))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{borrowed, lines, names};
    use super::*;

    fn status(case: &str) -> StatusReport {
        Prisma.parse_status(&borrowed(&lines("prisma", case)))
    }

    #[test]
    fn reads_recorded_prisma_outputs() {
        let up = Prisma.applied_by_up(&borrowed(&lines("prisma", "up")));
        assert_eq!(up, names(&["20201231000000_init"]));
        let tree_only: Vec<&str> = vec![
            "The following migration(s) have been applied:",
            "",
            "migrations/",
            "  └─ 20201231000000_init/",
            "    └─ migration.sql",
        ];
        assert_eq!(
            Prisma.applied_by_up(&tree_only),
            names(&["20201231000000_init"])
        );

        let pending = status("status-pending");
        assert_eq!(
            pending.pending,
            names(&["03_remove_cascade_delete", "04_add_uuid"])
        );
        assert!(pending.applied.is_empty() && pending.note.is_some());
        let up_to_date = status("status-up-to-date");
        assert!(up_to_date.pending.is_empty() && up_to_date.half_migrated.is_none());
    }

    #[test]
    fn names_failed_migrations_with_resolve_as_the_fix() {
        let failed = status("status-failed").half_migrated.unwrap();
        assert_eq!(failed.migration.as_deref(), Some("20201231000000_failed"));
        assert!(
            failed
                .fix
                .contains("prisma migrate resolve --rolled-back \"20201231000000_failed\"")
        );
        let deploy = Prisma
            .half_migrated(&borrowed(&lines("prisma", "up-p3009")))
            .unwrap();
        assert_eq!(
            deploy.migration.as_deref(),
            Some("20230519223302_add_projects")
        );
        let error = Prisma.down_command(
            &DownTarget::Steps(1),
            &CommandSettings {
                migrations_dir: "prisma/migrations".into(),
                data_source: None,
            },
        );
        assert!(
            error
                .unwrap_err()
                .to_string()
                .contains("`prisma migrate diff`")
        );
    }
}
