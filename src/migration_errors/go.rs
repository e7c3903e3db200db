//! The Go migration runners: golang-migrate, goose and dbmate. Each prints the migration it is
//! on (or fails on) by file name or version, and the database error after it.

use std::sync::LazyLock;

use regex::Regex;

use super::{Found, Line};

pub(super) fn scan(lines: &[Line<'_>], found: &mut Vec<Found>) {
    golang_migrate(lines, found);
    goose(lines, found);
    dbmate(lines, found);
}

/// `migrate -verbose` announces `Read and execute 2/u add_email` (version, direction, the name
/// between the version and `.up.sql`); the failure is `error: <reason> in line N: <query…>`,
/// where the query runs over several lines and may end in `(details: <driver error>)`.
/// Without `-verbose` the failing file is never named, so nothing can be annotated.
fn golang_migrate(lines: &[Line<'_>], found: &mut Vec<Found>) {
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
            "golang-migrate",
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

/// goose: `goose run: ERROR 00002_add_email.sql: failed to run SQL migration: <error>`
/// (also after `panic: ` when goose is used as a library). It names only the file.
fn goose(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static FAILED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\bERROR (\S+\.(?:sql|go)): (failed to (?:run|parse) (?:SQL|Go) migration.*)")
            .expect("valid")
    });
    for line in lines {
        if !line.text.contains("ERROR ") || !line.text.contains(" migration") {
            continue;
        }
        if let Some(captures) = FAILED.captures(line.text) {
            let message = captures[2]
                .strip_prefix("failed to run SQL migration: ")
                .unwrap_or(&captures[2]);
            found.push(Found::new(line.at, "goose", &captures[1], None, message));
        }
    }
}

/// dbmate: `Applying: 20240101120000_add_email.sql`, then `Applied: … in 12ms` once per
/// `-- migrate:up` section run (printed even when the section failed), then `Error: <database
/// error>` from its `main`. The file is named without its directory; dbmate's default,
/// `db/migrations`, is assumed. For PostgreSQL the error starts `line: 5, column: 8, position:
/// 161: ` (dbmate's `QueryError`): the line counts from the failing section's `-- migrate:up`
/// line, which is the file's first line in dbmate's template, so it is the file's line when the
/// first section failed; [`super::locate::resolve_in`] adds any comment lines above the directive.
/// A later section's line cannot be placed without the file, so none is given then.
fn dbmate(lines: &[Line<'_>], found: &mut Vec<Found>) {
    static POSITION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^line: (\d+), column: \d+, position: \d+: (.*)$").expect("valid")
    });
    let mut applying: Option<&str> = None;
    let mut sections_run = 0;
    for line in lines {
        let text = line.text.trim_end();
        if let Some(file) = text.strip_prefix("Applying: ") {
            applying = Some(file.trim());
            sections_run = 0;
        } else if let Some(applied) = text.strip_prefix("Applied: ") {
            if applying.is_some_and(|file| applied.starts_with(&format!("{file} in "))) {
                sections_run += 1;
            }
        } else if let (Some(file), Some(error)) = (applying, text.strip_prefix("Error: ")) {
            let path = format!("db/migrations/{file}");
            let (line_number, message) = match POSITION.captures(error) {
                Some(captures) => (
                    captures[1].parse().ok().filter(|_| sections_run <= 1),
                    captures.get(2).map_or(error, |message| message.as_str()),
                ),
                None => (None, error),
            };
            found.push(Found::new(line.at, "dbmate", &path, line_number, message));
            applying = None;
        }
    }
}
