//! Tools that name the failed migration, not its file: Prisma (a directory name under its
//! migrations directory) and sqlx (a version number). The path is built from the tool's own
//! layout, with `*` where the log leaves part of the file name out.

use std::sync::LazyLock;

use regex::Regex;

use super::{Found, Line};

pub(super) fn scan(lines: &[Line<'_>], found: &mut Vec<Found>) {
    sqlx(lines, found);
    prisma(lines, found);
}

/// `sqlx migrate run` (0.7.4 and later): `error: while executing migration 20240314125700:
/// error returned from database: …`; or, for any version, `error: migration 20240314125700 was
/// previously applied but has been modified` (its checksum changed: the file is what to look at).
/// The file is `migrations/<version>_<description>.sql` (or `.up.sql`), and the description is
/// not in the message. A version `missing in the resolved migrations` has no file to name.
fn sqlx(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static FAILED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"while executing migration (\d+): (.*)").expect("valid"));
    static MODIFIED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(migration (\d+) was previously applied but has been modified)")
            .expect("valid")
    });
    for line in lines {
        let (version, message) = if line.text.contains("while executing migration ") {
            match FAILED.captures(line.text) {
                Some(captures) => (captures[1].to_owned(), captures[2].to_owned()),
                None => continue,
            }
        } else if line.text.contains(" has been modified") {
            match MODIFIED.captures(line.text) {
                Some(captures) => (captures[2].to_owned(), captures[1].to_owned()),
                None => continue,
            }
        } else {
            continue;
        };
        let path = format!("migrations/{version}_*.sql");
        found.push(Found::new(line.at, "sqlx", &path, None, &message));
    }
}

/// `prisma migrate deploy`: `Error: P3018` then `Migration name: <dir>`, `Database error code:`
/// and `Database error:` followed by the error itself; or `Error: P3009` naming a migration that
/// failed in an earlier run (`The \`<dir>\` migration started at … failed`). The migrations
/// directory comes from `N migrations found in <dir>`, else Prisma's default.
fn prisma(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static DIRECTORY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\d+ migrations? found in (\S+)").expect("valid"));
    static EARLIER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"The `([^`]+)` migration started at .* failed").expect("valid")
    });
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
                found.push(Found::new(line.at, "prisma", &path, None, &message));
            }
        } else if text.contains("` migration started at ")
            && let Some(captures) = EARLIER.captures(text)
        {
            let path = format!("{directory}/{}/migration.sql", &captures[1]);
            let message = "this migration failed in an earlier run and blocks new ones (P3009): \
                           fix the database, then `prisma migrate resolve`";
            found.push(Found::new(line.at, "prisma", &path, None, message));
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
