//! `report.path_map`: rewrites the paths a tool printed inside the container (`/app/db/migrate/…`)
//! into the repository paths GitHub annotates (`db/migrate/…`).

use std::collections::BTreeMap;

/// The map as (container prefix, repository prefix) pairs, longest prefix first so the most
/// specific mapping wins.
pub(super) fn prepare_map(path_map: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = path_map
        .iter()
        .map(|(from, to)| (tidy(from), tidy(to)))
        .filter(|(from, _)| !from.is_empty())
        .collect();
    pairs.sort_by(|(a, _), (b, _)| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    pairs
}

/// Applies the longest matching prefix (whole path components only); paths no mapping covers
/// are kept as they are, only tidied.
pub(super) fn map(path: &str, pairs: &[(String, String)]) -> String {
    let path = tidy(path);
    for (from, to) in pairs {
        let rest = if from == "/" {
            path.strip_prefix('/')
        } else {
            path.strip_prefix(from.as_str())
                .and_then(|rest| rest.strip_prefix('/').or(rest.is_empty().then_some("")))
        };
        if let Some(rest) = rest {
            let joined = match (to.as_str(), rest) {
                (to, "") => to.to_owned(),
                ("." | "", rest) => rest.to_owned(),
                (to, rest) => format!("{to}/{rest}"),
            };
            return tidy(&joined);
        }
    }
    path
}

/// Drops `.` components, repeated and trailing slashes: `./db//migrate/` → `db/migrate`; Windows
/// backslashes become slashes (`C:\app\x.js` → `C:/app/x.js`). `..` is kept: without the file
/// system it cannot be resolved safely.
fn tidy(path: &str) -> String {
    let path = path.trim().replace('\\', "/");
    let path = path.as_str();
    let absolute = path.starts_with('/');
    let parts: Vec<&str> = path
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) if path.is_empty() => String::new(),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(entries: &[(&str, &str)]) -> Vec<(String, String)> {
        let map: BTreeMap<String, String> = entries
            .iter()
            .map(|(from, to)| ((*from).to_owned(), (*to).to_owned()))
            .collect();
        prepare_map(&map)
    }

    #[test]
    fn the_longest_matching_prefix_wins() {
        let table = pairs(&[
            ("/app", "."),
            ("/app/engines/billing", "billing"),
            ("/srv/", "srv"),
        ]);
        assert_eq!(
            map("/app/db/migrate/20240101_add_x.rb", &table),
            "db/migrate/20240101_add_x.rb"
        );
        assert_eq!(
            map("/app/engines/billing/db/migrate/1_x.rb", &table),
            "billing/db/migrate/1_x.rb"
        );
        assert_eq!(map("/srv/x.sql", &table), "srv/x.sql");
    }

    #[test]
    fn prefixes_match_whole_components_only() {
        let table = pairs(&[("/app", ".")]);
        assert_eq!(map("/application/x.rb", &table), "/application/x.rb");
        assert_eq!(map("/app", &table), ".");
    }

    #[test]
    fn unmapped_and_relative_paths_are_kept_but_tidied() {
        let table = pairs(&[("/app", ".")]);
        assert_eq!(map("./db/migrate//1_x.rb", &table), "db/migrate/1_x.rb");
        assert_eq!(map("/usr/lib/x.py", &table), "/usr/lib/x.py");
        assert_eq!(map("V2__add.sql", &table), "V2__add.sql");
        assert_eq!(map("../shared/x.sql", &table), "../shared/x.sql");
    }

    #[test]
    fn a_mapping_to_a_directory_or_from_the_root_works() {
        let table = pairs(&[("/flyway/sql/", "./db/migration"), ("/", "rootfs")]);
        assert_eq!(
            map("/flyway/sql/V2__x.sql", &table),
            "db/migration/V2__x.sql"
        );
        assert_eq!(map("/etc/x", &table), "rootfs/etc/x");
    }

    #[test]
    fn windows_paths_are_mapped_like_others() {
        let table = pairs(&[("C:\\app", ".")]);
        assert_eq!(
            map("C:\\app\\migrations\\001.js", &table),
            "migrations/001.js"
        );
        assert_eq!(map("D:\\x\\001.js", &table), "D:/x/001.js");
    }
}
