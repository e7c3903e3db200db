//! Test helper: the recorded real output of a tool, as lines, from `src/tools/fixtures/`.

use std::path::Path;

use super::MigrationTool;

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

/// The life of a tool's two test migrations as recorded in `fixtures/<dir>/`: `status-before`
/// (both pending), `up` (both applied, in order), `status-after` (none pending, the version is
/// `versions.0`), `down` (applies nothing) and `status-after-down` (the second pending again,
/// the version `versions.1` where the tool reports one).
pub fn assert_recorded_lifecycle(
    tool: &dyn MigrationTool,
    dir: &str,
    (first, second): (&str, &str),
    versions: (&str, Option<&str>),
) {
    let status = |case: &str| tool.parse_status(&borrowed(&lines(dir, case)));
    let before = status("status-before");
    assert_eq!(
        (before.applied.len(), before.pending),
        (0, names(&[first, second]))
    );
    let up = tool.applied_by_up(&borrowed(&lines(dir, "up")));
    assert_eq!(up, names(&[first, second]));
    let after = status("status-after");
    assert_eq!(
        (after.applied, after.pending.len()),
        (names(&[first, second]), 0)
    );
    assert_eq!(after.version.as_deref(), Some(versions.0));
    assert!(
        tool.applied_by_up(&borrowed(&lines(dir, "down")))
            .is_empty()
    );
    let after_down = status("status-after-down");
    assert_eq!(
        (after_down.applied, after_down.pending),
        (names(&[first]), names(&[second]))
    );
    if let Some(version) = versions.1 {
        assert_eq!(after_down.version.as_deref(), Some(version));
    }
}
