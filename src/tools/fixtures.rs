//! Test helper: the recorded real output of a tool, as lines, from `src/tools/fixtures/`.

use std::path::Path;

/// The lines of `fixtures/<tool>/<case>.txt`; lines starting with `#fixture:` (provenance notes
/// in outputs not recorded here) are left out.
pub fn lines(tool: &str, case: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/tools/fixtures")
        .join(tool)
        .join(format!("{case}.txt"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    text.lines()
        .filter(|line| !line.starts_with("#fixture:"))
        .map(str::to_owned)
        .collect()
}

/// Borrowed views of [`lines`], the shape the parsers take.
pub fn borrowed(lines: &[String]) -> Vec<&str> {
    lines.iter().map(String::as_str).collect()
}

/// Shorthand for expected name lists.
pub fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}
