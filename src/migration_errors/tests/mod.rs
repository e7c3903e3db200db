//! Tests of the recognisers on samples shaped like each tool's real output; every sample says
//! where its format comes from (the tool's source, or an issue that shows the output).

mod fixtures;
mod general;
mod go_and_named;
mod python_rails_flyway;
mod run_level_and_loading;

use std::collections::BTreeMap;

use super::{MigrationError, Recognizer};

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

fn scan_with(map: &[(&str, &str)], text: &str) -> Vec<MigrationError> {
    let path_map: BTreeMap<String, String> = map
        .iter()
        .map(|(from, to)| ((*from).to_owned(), (*to).to_owned()))
        .collect();
    Recognizer::new(None, &path_map)
        .expect("no user pattern")
        .scan(&lines(text))
}

fn scan(text: &str) -> Vec<MigrationError> {
    scan_with(&[], text)
}

fn error(tool: &'static str, path: &str, line: Option<u32>, message: &str) -> MigrationError {
    MigrationError {
        tool,
        path: path.to_owned(),
        line,
        message: message.to_owned(),
    }
}
