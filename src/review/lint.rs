//! Lock-risk lint of a SQL migration for PostgreSQL, by Squawk's own linter (`squawk-linter`
//! and `squawk-syntax`, pinned to 2.68.0: the newest release that builds with our toolchain;
//! 2.69 needs Rust 1.99). This small module is the only place that knows Squawk: it turns a
//! file's violations into [`Finding`]s at a line and column, with Squawk's advice, and SQL
//! that does not parse into a finding at its line, never a crash. `-- squawk-ignore <rule>`
//! comments are honoured by Squawk itself.

use std::str::FromStr;

use squawk_linter::{Linter, Rule, Version};
use squawk_syntax::SourceFile;

/// The PostgreSQL version the rules assume when the config names none.
pub const DEFAULT_PG_VERSION: &str = "15";

/// The rule name of a file Squawk could not parse.
pub const SYNTAX_ERROR: &str = "syntax-error";

/// How the lint runs: rules left out, and the server version (some rules depend on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintOptions {
    pub exclude: Vec<String>,
    pub pg_version: String,
}

impl Default for LintOptions {
    fn default() -> Self {
        Self {
            exclude: Vec::new(),
            pg_version: DEFAULT_PG_VERSION.to_owned(),
        }
    }
}

/// One lint finding in a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Squawk's rule name, e.g. `require-concurrent-index-creation`, or [`SYNTAX_ERROR`].
    pub rule: String,
    /// 1-based, as editors and GitHub annotations count.
    pub line: u32,
    pub column: u32,
    /// What the statement does wrong (what it locks, or why it is risky).
    pub message: String,
    /// How to do it safely, when Squawk says.
    pub help: Option<String>,
}

/// Checks `options` before anything runs: every excluded rule must be one Squawk knows, and the
/// version a number. The error names the value and says what to write.
pub fn check_options(options: &LintOptions) -> Result<(), String> {
    for name in &options.exclude {
        Rule::from_str(name).map_err(|_| {
            format!(
                "{name:?} is not a lint rule (rule names as Squawk spells them, e.g. \
                 require-concurrent-index-creation; see squawkhq.com/docs/rules)"
            )
        })?;
    }
    Version::from_str(&options.pg_version).map_err(|error| {
        format!(
            "{:?} is not a PostgreSQL version ({error}); write e.g. \"15\" or \"16.2\"",
            options.pg_version
        )
    })?;
    Ok(())
}

/// Lints one SQL file's text. Options are assumed checked ([`check_options`]); a rule or version
/// that is not understood is left out rather than stopping the review.
pub fn lint_sql(text: &str, options: &LintOptions) -> Vec<Finding> {
    let parsed = SourceFile::parse(text);
    let lines = LineIndex::new(text);
    let errors = parsed.errors();
    if let Some(error) = errors.first() {
        // A file that does not parse cannot be linted meaningfully: one finding, at the error.
        let (line, column) = lines.position(u32::from(error.range().start()));
        return vec![Finding {
            rule: SYNTAX_ERROR.to_owned(),
            line,
            column,
            message: format!("this SQL does not parse: {}", error.message()),
            help: Some(
                "check the statement; SQL the PostgreSQL grammar does not know (a tool's \
                 placeholders, psql meta-commands) cannot be linted"
                    .to_owned(),
            ),
        }];
    }
    let exclude: Vec<Rule> = options
        .exclude
        .iter()
        .filter_map(|name| Rule::from_str(name).ok())
        .collect();
    let mut linter = Linter::with_rules(&[], &exclude);
    if let Ok(version) = Version::from_str(&options.pg_version) {
        linter.settings.pg_version = version;
    }
    let mut findings: Vec<Finding> = linter
        .lint(&parsed, text)
        .into_iter()
        .map(|violation| {
            let (line, column) = lines.position(u32::from(violation.text_range.start()));
            Finding {
                rule: violation.code.to_string(),
                line,
                column,
                message: violation.message,
                help: violation.help,
            }
        })
        .collect();
    findings.sort_by(|a, b| (a.line, a.column, &a.rule).cmp(&(b.line, b.column, &b.rule)));
    findings
}

/// Byte offsets to 1-based line and column (columns in characters).
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self { text, starts }
    }

    fn position(&self, offset: u32) -> (u32, u32) {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        let line = self.starts.partition_point(|start| *start <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |part| part.chars().count());
        let number = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (number(line), number(column + 1))
    }
}

#[cfg(test)]
#[path = "lint_tests.rs"]
mod tests;
