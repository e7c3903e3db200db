//! Cheap, bounded looks into a checkout for detection: does a path exist, what does a small file
//! say, which names are in one directory. Never a recursive walk (node_modules can be huge).

use std::path::{Path, PathBuf};

/// Files larger than this are not read for detection (a lock file or a dump, not a config).
const READ_LIMIT: u64 = 256 * 1024;
/// At most this many entries of one directory are looked at.
const LIST_LIMIT: usize = 2000;

/// The root of a checkout, as seen by the detectors.
#[derive(Debug, Clone)]
pub struct Checkout {
    root: PathBuf,
}

impl Checkout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn is_file(&self, relative: &str) -> bool {
        self.root.join(relative).is_file()
    }

    pub fn is_dir(&self, relative: &str) -> bool {
        self.root.join(relative).is_dir()
    }

    /// The first of `candidates` that is a file.
    pub fn first_file<'a>(&self, candidates: &[&'a str]) -> Option<&'a str> {
        candidates.iter().copied().find(|path| self.is_file(path))
    }

    /// A small text file's content; None when missing, too large or not text.
    pub fn read(&self, relative: &str) -> Option<String> {
        read_small(&self.root.join(relative))
    }

    /// Whether a small file mentions `needle` (e.g. a dependency in package.json).
    pub fn mentions(&self, relative: &str, needle: &str) -> bool {
        self.read(relative)
            .is_some_and(|text| text.contains(needle))
    }

    /// The names of the files directly in a directory, sorted; empty when it does not exist.
    pub fn files_in(&self, relative: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.root.join(relative)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .take(LIST_LIMIT)
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
            .filter_map(|entry| entry.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    }

    /// The first file in `dir` whose name satisfies `name_matches` and whose content contains
    /// `marker`; reads at most `max_reads` files.
    pub fn file_with_marker(
        &self,
        dir: &str,
        name_matches: impl Fn(&str) -> bool,
        marker: &str,
        max_reads: usize,
    ) -> Option<String> {
        self.files_in(dir)
            .into_iter()
            .filter(|name| name_matches(name))
            .take(max_reads)
            .find(|name| self.mentions(&format!("{dir}/{name}"), marker))
    }
}

fn read_small(path: &Path) -> Option<String> {
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() > READ_LIMIT {
        return None;
    }
    std::fs::read_to_string(path).ok()
}
