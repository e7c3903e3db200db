//! A bounded listing of the files under a directory of the checkout, skipping version control,
//! dependencies and build output: for the migration file a log names only in part, and for the
//! migrations a pull request's review compares. A huge checkout (or a wrong root) costs little.

use std::path::Path;

/// Directories never listed: dependencies and build output (and every `.`-directory).
const SKIPPED: &[&str] = &["node_modules", "target", "vendor", "__pycache__", "venv"];
const MAX_ENTRIES: usize = 50_000;
const MAX_DEPTH: usize = 12;

/// The files under `dir` (relative to `root`; empty for the root itself), as paths relative to
/// `root` with `/`, in no particular order.
pub fn files_under(root: &Path, dir: &str) -> Vec<String> {
    let dir = dir.trim_end_matches('/');
    let mut files = Vec::new();
    let mut pending = vec![(root.join(dir), dir.to_owned(), 0)];
    let mut seen = 0;
    while let Some((dir, prefix, depth)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_ENTRIES {
                return files;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                let skip = name.starts_with('.') || SKIPPED.contains(&name.as_str());
                if !skip && depth < MAX_DEPTH {
                    pending.push((entry.path(), relative, depth + 1));
                }
            } else if kind.is_file() {
                files.push(relative);
            }
        }
    }
    files
}
