//! History checks of a pull request's migrations: a migration that already exists on the base
//! branch may have run in production, so changing, renaming or deleting it is an error; two
//! migrations with one version is an error; a new migration older than the base branch's
//! newest will run out of order (or, with some tools, never), a warning. Versions are the
//! leading digits of the file name (Flyway's `V` prefix skipped), which is how every supported
//! tool that numbers its files orders them; files without one are not compared.

use std::collections::BTreeMap;
use std::path::Path;

use super::{ChangedFile, FileStatus, Finding, Level};
use crate::file_tree;

/// Whether `path` lies under `dir` (`.`: no directory is known, nothing is).
pub fn under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    let dir = dir.strip_prefix("./").unwrap_or(dir);
    !dir.is_empty() && dir != "." && path.starts_with(dir) && path[dir.len()..].starts_with('/')
}

pub fn check(migrations: &[ChangedFile], dir: &str, checkout: &Path) -> Vec<Finding> {
    let mut findings = Vec::new();
    for file in migrations {
        let (rule, what) = match file.status {
            FileStatus::Added => continue,
            FileStatus::Modified => ("changed-migration", "changes"),
            FileStatus::Renamed => ("renamed-migration", "renames"),
            FileStatus::Removed => ("removed-migration", "deletes"),
        };
        let base_name = file.previous.as_deref().unwrap_or(&file.path);
        findings.push(Finding {
            path: file.path.clone(),
            line: 1,
            level: Level::Error,
            rule: rule.to_owned(),
            message: format!(
                "this pull request {what} {base_name}, a migration that already exists on the \
                 base branch: it may have run in production, where it will not run again"
            ),
            help: Some(
                "leave applied migrations as they are and add a new migration that makes the change"
                    .to_owned(),
            ),
        });
    }
    let added: Vec<&ChangedFile> = migrations
        .iter()
        .filter(|file| file.status == FileStatus::Added)
        .collect();
    if added.is_empty() {
        return findings;
    }
    let mut now = file_tree::files_under(checkout, dir);
    now.sort();
    // The base branch's migrations: what the pull request's tree has, less what it added, plus
    // what it removed or renamed away.
    let mut base: Vec<String> = now
        .iter()
        .filter(|path| !added.iter().any(|file| &file.path == *path))
        .cloned()
        .collect();
    for file in migrations {
        match file.status {
            FileStatus::Removed => base.push(file.path.clone()),
            FileStatus::Renamed => base.extend(file.previous.clone()),
            _ => {}
        }
    }
    let mut by_version: BTreeMap<Version, Vec<String>> = BTreeMap::new();
    for path in &now {
        if let Some(version) = version_of(path) {
            let stems = by_version.entry(version).or_default();
            let stem = stem(path);
            if !stems.contains(&stem) {
                stems.push(stem);
            }
        }
    }
    let newest_base = base.iter().filter_map(|path| version_of(path)).max();
    for file in added {
        let Some(version) = version_of(&file.path) else {
            continue;
        };
        if by_version
            .get(&version)
            .is_some_and(|stems| stems.len() > 1)
        {
            findings.push(Finding {
                path: file.path.clone(),
                line: 1,
                level: Level::Error,
                rule: "duplicate-version".to_owned(),
                message: format!(
                    "version {} is used by more than one migration in {dir}: {}",
                    version.text,
                    by_version[&version].join(", ")
                ),
                help: Some(
                    "give the new migration a version of its own (regenerate it)".to_owned(),
                ),
            });
        }
        if let Some(newest) = &newest_base
            && version < *newest
        {
            findings.push(Finding {
                path: file.path.clone(),
                line: 1,
                level: Level::Warning,
                rule: "out-of-order".to_owned(),
                message: format!(
                    "version {} is older than {}, the newest migration on the base branch: it \
                     will run out of order, and some tools will not run it at all",
                    version.text, newest.text
                ),
                help: Some(
                    "regenerate the migration so its version comes after the base branch's newest"
                        .to_owned(),
                ),
            });
        }
    }
    findings
}

/// A migration version, ordered as a number however many digits it has.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    /// The digits without leading zeros: a longer one is the larger number.
    value: String,
    text: String,
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.value.len(), &self.value, &self.text).cmp(&(
            other.value.len(),
            &other.value,
            &other.text,
        ))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

fn version_of(path: &str) -> Option<Version> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let name = match name.strip_prefix(['V', 'v']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => name,
    };
    let text: String = name.chars().take_while(char::is_ascii_digit).collect();
    if text.is_empty() {
        return None;
    }
    let value = text.trim_start_matches('0').to_owned();
    Some(Version { value, text })
}

/// The file as a migration: `.up`/`.down` halves of one reversible pair are one migration.
fn stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.replace(".up.", ".").replace(".down.", ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_numbers_and_skip_flyway_s_prefix() {
        let v = |path: &str| version_of(path).map(|version| version.text);
        assert_eq!(
            v("db/migrate/20240101120000_add.rb").as_deref(),
            Some("20240101120000")
        );
        assert_eq!(v("sql/V2__add.sql").as_deref(), Some("2"));
        assert_eq!(v("alembic/versions/abc123_x.py"), None);
        assert!(version_of("m/0010_b.sql") > version_of("m/9_a.sql"));
        assert!(version_of("m/0002_b.sql") < version_of("m/10_a.sql"));
    }

    #[test]
    fn under_needs_a_known_directory() {
        assert!(under("db/migrate/1_a.rb", "db/migrate"));
        assert!(under("db/migrate/1_a.rb", "./db/migrate/"));
        assert!(!under("db/migrate_old/1_a.rb", "db/migrate"));
        assert!(!under("app.py", "."));
    }
}
