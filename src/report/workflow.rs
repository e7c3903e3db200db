//! GitHub Actions workflow commands (`::error::`, `::group::`, `::add-mask::`) with the runner's
//! escaping, so a reason with a newline or a `%` reaches the annotation intact.

use crate::ci::{CiContext, Runner};

/// Escapes a command's message: the runner reads `%25`, `%0D`, `%0A` back as `%`, CR, LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property (`title=…`), where `:` and `,` also end the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `::error title=…::message`, the annotation GitHub shows on the run and the job.
pub fn error_line(title: &str, message: &str) -> String {
    format!(
        "::error title={}::{}",
        escape_property(title),
        escape_data(message)
    )
}

fn in_github_actions() -> bool {
    CiContext::current().runner == Runner::GitHubActions
}

/// In GitHub Actions, an error annotation for a command that could not finish (exit 2 or 3).
pub fn annotate_error(message: &str) {
    if in_github_actions() {
        errln!("{}", error_line("ecs-migrate could not finish", message));
    }
}

/// In GitHub Actions, asks the runner to mask `secret` in every later log line.
pub fn mask(secret: &str) {
    if in_github_actions() && !secret.is_empty() {
        errln!("::add-mask::{}", escape_data(secret));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_newlines_and_percent_signs_through_the_runner() {
        assert_eq!(
            error_line("Migration db: failed, 1", "50% done\nthen\r\nboom"),
            "::error title=Migration db%3A failed%2C 1::50%25 done%0Athen%0D%0Aboom"
        );
    }
}
