//! The result as the PR comment and the check run show it: the job summary's section (one
//! renderer for every Markdown view of a result), fitted into GitHub's 65,535-character limit.

use crate::outcome::Outcome;
use crate::report::summary;
use crate::text::{first_bytes, shorten_bytes};

/// GitHub's limit for a check run summary and for a comment body.
pub const BODY_LIMIT: usize = 65_535;
/// One very long log line must not crowd out the others.
const LINE_LIMIT: usize = 1_000;
const TRUNCATED_NOTE: &str = "\n\n_…truncated: GitHub takes at most 65,535 characters here; the full log is in CloudWatch._\n";

/// `✅ Migration db succeeded`: plain text, for the check run's title.
pub fn headline(outcome: &Outcome) -> String {
    format!(
        "{} Migration {} {}",
        summary::icon(outcome.status),
        outcome.subject(),
        summary::status_words(outcome.status)
    )
}

/// The check run's title while the task runs.
pub fn running_headline(outcome: &Outcome) -> String {
    format!("⏳ Migration {} is running", outcome.subject())
}

/// `prefix`, the result's section and `suffix`, within [`BODY_LIMIT`]: long log lines are
/// shortened, then the oldest log lines dropped, and only then the text cut with a note.
pub fn report(outcome: &Outcome, prefix: &str, suffix: &str) -> String {
    let mut shown = outcome.clone();
    shown.log_tail = outcome
        .log_tail
        .iter()
        .map(|line| shorten_bytes(line, LINE_LIMIT))
        .collect();
    loop {
        let text = format!("{prefix}{}{suffix}", summary::section(&shown, &[]));
        if text.len() <= BODY_LIMIT || shown.log_tail.is_empty() {
            return within_limit(text);
        }
        let drop = shown.log_tail.len().div_ceil(2);
        shown.log_tail.drain(..drop);
    }
}

/// Cuts the text to [`BODY_LIMIT`] bytes (never more characters than that) with a note.
fn within_limit(text: String) -> String {
    if text.len() <= BODY_LIMIT {
        return text;
    }
    format!(
        "{}{TRUNCATED_NOTE}",
        first_bytes(&text, BODY_LIMIT - TRUNCATED_NOTE.len())
    )
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
