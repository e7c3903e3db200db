//! Finds the repository file behind a path the log gave only in part: a bare file name (goose,
//! dbmate with another directory), a pattern with `*` (sqlx, golang-migrate, Rails without a
//! backtrace), or a version without its zero padding (`2_add_email` for `000002_add_email`).

use std::path::Path;

use super::MigrationError;
use crate::file_tree;
use crate::tools::{self, ToolId};

/// Replaces each path that does not name a file under `root` by the one file in the tree that
/// matches it, in the directories the path gives or else anywhere; a path with no match, or
/// several, is left as it is. Then places each line in its file where the tool counts lines its
/// own way (`MigrationTool::file_line`: dbmate). Call it once per finding.
pub fn resolve_in(root: &Path, errors: &mut [MigrationError]) {
    let unresolved = |error: &MigrationError| {
        !Path::new(&error.path).is_absolute()
            && (error.path.contains('*') || !root.join(&error.path).is_file())
    };
    if errors.iter().any(unresolved) {
        let files = file_tree::files_under(root, "");
        for error in errors.iter_mut().filter(|error| unresolved(error)) {
            let name = error.path.rsplit('/').next().unwrap_or_default();
            let found = [error.path.as_str(), name].into_iter().find_map(|wanted| {
                unique(&files, |file| matches_path(wanted, file)).or_else(|| {
                    // A reversible pair (sqlx's `V_x.up.sql`/`V_x.down.sql`) both fit a
                    // version: the migration that ran up is the `.up.` one.
                    unique(&files, |file| {
                        matches_path(wanted, file) && !file.contains(".down.")
                    })
                })
            });
            if let Some(file) = found {
                error.path = file.clone();
            }
        }
    }
    for error in errors.iter_mut() {
        let (Some(line), Ok(id)) = (error.line, error.tool.parse::<ToolId>()) else {
            continue;
        };
        let file = root.join(&error.path);
        error.line = tools::tool(id).file_line(line, &|| std::fs::read_to_string(&file).ok());
    }
}

/// The one file that fits, if exactly one does.
fn unique(files: &[String], fits: impl Fn(&str) -> bool) -> Option<&String> {
    let mut matching = files.iter().filter(|file| fits(file));
    let first = matching.next()?;
    matching.next().is_none().then_some(first)
}

/// Whether `file` (relative to the root) is what `wanted` names: the file names match (with `*`
/// as a wildcard and leading zeros of a numeric prefix ignored), and the directories `wanted`
/// gives, if any, are the last directories of `file`.
fn matches_path(wanted: &str, file: &str) -> bool {
    let (wanted_dir, wanted_name) = wanted.rsplit_once('/').unwrap_or(("", wanted));
    let (file_dir, file_name) = file.rsplit_once('/').unwrap_or(("", file));
    let directory_fits = wanted_dir.is_empty()
        || file_dir == wanted_dir
        || file_dir.ends_with(&format!("/{wanted_dir}"));
    directory_fits && wildcard_match(&without_padding(wanted_name), &without_padding(file_name))
}

/// `000002_add_email.up.sql` → `2_add_email.up.sql`.
fn without_padding(name: &str) -> String {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    if digits < 2 {
        return name.to_owned();
    }
    let zeros = name.bytes().take_while(|byte| *byte == b'0').count();
    name[zeros.min(digits - 1)..].to_owned()
}

/// `*` matches any run of characters except `/`; everything else literally.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last) && !rest.contains('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_of_a_reversible_pair_is_its_up_file() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("migrations");
        std::fs::create_dir_all(&dir).unwrap();
        for name in [
            "20240103120000_backfill.up.sql",
            "20240103120000_backfill.down.sql",
        ] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        let at = |path: &str| {
            let mut errors = [MigrationError {
                tool: "sqlx",
                path: path.to_owned(),
                line: None,
                message: String::new(),
            }];
            resolve_in(root.path(), &mut errors);
            errors[0].path.clone()
        };
        assert_eq!(
            at("migrations/20240103120000_*.sql"),
            "migrations/20240103120000_backfill.up.sql"
        );
    }
}
