//! Real failing output of each tool, kept with the tool's other recorded output: one
//! `src/tools/fixtures/<tool>/failures/<case>.log` with its `<case>.expected.json` (`{"tool",
//! "file", "line", "source"}`, and optionally `"path_map": {"/app": "."}`, applied like
//! `report.path_map`; without it no path is mapped), read through the whole `Recognizer` (every
//! tool, then the run-level filter): the first finding must name that file and line, and a `null`
//! file means no finding may name a file. Prints a score table per tool, then fails on any
//! mismatch. Anyone may add pairs in this format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::scan_with;

#[derive(Debug, Deserialize)]
struct Expected {
    tool: String,
    file: Option<String>,
    line: Option<u32>,
    #[allow(dead_code)]
    source: String,
    /// Container prefix → repository path, as in the app's `report.path_map`.
    #[serde(default)]
    path_map: BTreeMap<String, String>,
}

/// Per tool: cases, right files, lines expected, right lines.
#[derive(Default)]
struct Score {
    cases: usize,
    files_right: usize,
    lines_expected: usize,
    lines_right: usize,
}

fn fixture_logs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tools/fixtures");
    let mut logs = Vec::new();
    for tool in std::fs::read_dir(&root)
        .expect("fixtures directory")
        .flatten()
    {
        let Ok(cases) = std::fs::read_dir(tool.path().join("failures")) else {
            continue;
        };
        for case in cases.flatten() {
            let path = case.path();
            if path.extension().is_some_and(|extension| extension == "log") {
                logs.push(path);
            }
        }
    }
    logs.sort();
    logs
}

#[test]
fn every_fixture_names_the_expected_file_and_line() {
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    let mut mismatches = Vec::new();
    let logs = fixture_logs();
    assert!(!logs.is_empty(), "no fixtures found");
    for log in &logs {
        let expected_path = log.with_extension("expected.json");
        let expected: Expected = serde_json::from_str(
            &std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|error| panic!("{}: {error}", expected_path.display())),
        )
        .unwrap_or_else(|error| panic!("{}: {error}", expected_path.display()));
        let text = std::fs::read_to_string(log).expect("readable log");
        let path_map: Vec<(&str, &str)> = expected
            .path_map
            .iter()
            .map(|(from, to)| (from.as_str(), to.as_str()))
            .collect();
        let findings = scan_with(&path_map, &text);
        let first = findings.first();
        let got_file = first.map(|finding| finding.path.clone());
        let got_line = first.and_then(|finding| finding.line);
        let got_tool = first.map(|finding| finding.tool);
        let score = scores.entry(expected.tool.clone()).or_default();
        score.cases += 1;
        let file_right = got_file == expected.file
            && (expected.file.is_none() || got_tool == Some(expected.tool.as_str()));
        let line_right = got_line == expected.line;
        score.files_right += usize::from(file_right);
        if expected.line.is_some() {
            score.lines_expected += 1;
            score.lines_right += usize::from(file_right && line_right);
        }
        if !file_right || !line_right {
            mismatches.push(format!(
                "{}: expected {} {:?} line {:?}, got {:?} {:?} line {:?}",
                log.display(),
                expected.tool,
                expected.file,
                expected.line,
                got_tool,
                got_file,
                got_line
            ));
        }
    }
    println!("| tool | fixtures | right file | lines expected | right line |");
    println!("| --- | --- | --- | --- | --- |");
    for (tool, score) in &scores {
        println!(
            "| {tool} | {} | {} | {} | {} |",
            score.cases, score.files_right, score.lines_expected, score.lines_right
        );
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}
