//! Docker's env file format (`docker run --env-file`), so one file serves both: `NAME=value`
//! per line, the value taken as is (no quotes removed, no `$` expanded), blank lines and `#`
//! comments skipped. A bare `NAME` takes the variable from our own environment.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};

pub fn read_env_file(path: &Path) -> Result<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the env file {}", path.display()))?;
    parse(&text, &|name| std::env::var(name).ok())
        .with_context(|| format!("in the env file {}", path.display()))
}

fn parse(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<BTreeMap<String, String>> {
    let mut values = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = match line.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (line.trim_end(), None),
        };
        let valid = !name.is_empty()
            && !name.contains(char::is_whitespace)
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            bail!(
                "line {}: {name:?} is not a variable name (write NAME=value)",
                index + 1
            );
        }
        if let Some(value) = value.or_else(|| lookup(name)) {
            values.insert(name.to_owned(), value);
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_taken_as_docker_takes_them() {
        let text = "# local database\n\nDATABASE_URL=postgres://u:p@localhost/db?x=1\n\
                    QUOTED=\"kept\"\n  INDENTED=yes\nFROM_SHELL\nUNSET_IN_SHELL\n";
        let lookup = |name: &str| (name == "FROM_SHELL").then(|| "shell".to_owned());
        let values = parse(text, &lookup).unwrap();
        assert_eq!(values["DATABASE_URL"], "postgres://u:p@localhost/db?x=1");
        assert_eq!(values["QUOTED"], "\"kept\"");
        assert_eq!(values["INDENTED"], "yes");
        assert_eq!(values["FROM_SHELL"], "shell");
        assert!(!values.contains_key("UNSET_IN_SHELL"));
    }

    #[test]
    fn a_line_that_is_not_a_variable_names_its_line() {
        let error = parse("A=1\nnot a name=2\n", &|_| None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 2: \"not a name\" is not a variable name (write NAME=value)"
        );
    }
}
