//! Small helpers shared by the output parsers: plain text out of coloured, prefixed log lines,
//! status tables of one row per migration, and the version part of a migration file name.

use std::sync::LazyLock;

use regex::Regex;

/// Go's `log` prefix (`2024/01/12 11:55:18 `), printed by goose and golang-migrate.
static GO_LOG_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? ").expect("valid regex")
});

/// The line as the tool printed it (without colour codes and the prefixes CI runners and log
/// collectors add: the same cleaning the failure recognisers use) and without trailing blanks.
pub fn plain(line: &str) -> String {
    crate::migration_errors::clean::line(line)
        .trim_end_matches([' ', '\t'])
        .to_owned()
}

/// The first capture group of `pattern` in every line that matches it, in order.
pub fn captured(lines: &[&str], pattern: &Regex) -> Vec<String> {
    lines
        .iter()
        .filter_map(|line| {
            pattern
                .captures(&plain(line))
                .map(|found| found[1].to_owned())
        })
        .collect()
}

/// A status table of one row per migration, each matching `row` with the row's mark as the first
/// capture group (`applied_mark` for an applied migration, anything else pending) and the
/// migration's name as the second, in the tool's order: the applied ones, the pending ones, and
/// the version (the last applied).
pub fn status_rows(lines: &[&str], row: &Regex, applied_mark: &str) -> super::StatusReport {
    let mut report = super::StatusReport::default();
    for line in lines.iter().map(|line| plain(line)) {
        if let Some(found) = row.captures(&line) {
            let list = if &found[1] == applied_mark {
                &mut report.applied
            } else {
                &mut report.pending
            };
            list.push(found[2].to_owned());
        }
    }
    report.version = report.applied.last().cloned();
    report
}

/// [`plain`], also without a Go `log` timestamp prefix.
pub fn plain_go_log(line: &str) -> String {
    let line = plain(line);
    GO_LOG_PREFIX.replace(&line, "").into_owned()
}

/// The leading digits of a migration name (`20240101120000_create.sql` → `20240101120000`);
/// the whole name when it does not start with digits.
pub fn leading_version(name: &str) -> String {
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        name.to_owned()
    } else {
        digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_colour_and_go_log_prefixes() {
        assert_eq!(plain("\u{1b}[4mSequelize CLI\u{1b}[24m\r"), "Sequelize CLI");
        assert_eq!(
            plain_go_log("2024/01/12 11:55:18 OK   0001_a.sql (1ms)"),
            "OK   0001_a.sql (1ms)"
        );
        assert_eq!(plain_go_log("1/u init (3ms)"), "1/u init (3ms)");
    }

    #[test]
    fn leading_version_is_the_digits_or_the_name() {
        assert_eq!(
            leading_version("20240101120000_create.sql"),
            "20240101120000"
        );
        assert_eq!(leading_version("00001_init.sql"), "00001");
        assert_eq!(leading_version("init.sql"), "init.sql");
    }
}
