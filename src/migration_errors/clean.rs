//! Undoes what sits between a tool and our log: colour escapes, and the prefixes that CI runners
//! and log collectors put in front of every line (timestamps, `service_1  | `, Cloud Foundry's
//! `[APP/TASK/…]`). Recognisers then see the line as the tool printed it.

use std::sync::LazyLock;

use regex::Regex;

/// How many stacked prefixes are removed (`svc | 2024-…Z text` has two).
const MAX_PREFIXES: usize = 3;

/// The line without colour escapes, a trailing `\r`, and the runner prefixes in front of it.
pub(crate) fn line(raw: &str) -> String {
    let mut text = without_escapes(raw.trim_end_matches(['\r', '\n']));
    for _ in 0..MAX_PREFIXES {
        match strip_prefix(&text) {
            Some(rest) => text = rest.to_owned(),
            None => break,
        }
    }
    text
}

/// `ESC [ … letter` (SGR colours, cursor moves) and a lone `ESC`.
pub(crate) fn without_escapes(text: &str) -> String {
    if !text.contains('\u{1b}') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            for next in chars.by_ref() {
                if next.is_ascii_alphabetic() {
                    break;
                }
            }
        }
    }
    out
}

fn strip_prefix(text: &str) -> Option<&str> {
    static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            // ISO 8601 (GitHub Actions, CloudWatch exports, `docker logs -t`), with fraction
            // and zone; and CodeBuild's `2024/05/01 10:00:00.123`.
            r"^(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})? ?",
            r"|\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? ",
            // docker-compose: the service name padded to a column, then `| `.
            r"|[A-Za-z0-9][\w.-]*\s+\| ?",
            // Cloud Foundry: `14:14:50.638: [APP/TASK/18d59cfb.0] `.
            r"|\d{2}:\d{2}:\d{2}\.\d+: \[[A-Z]+/[^\]]*\] ?)",
        ))
        .expect("valid")
    });
    let found = PREFIX.find(text)?;
    (found.end() > 0).then(|| &text[found.end()..])
}

#[cfg(test)]
mod tests {
    use super::line;

    #[test]
    fn colours_and_runner_prefixes_are_removed() {
        assert_eq!(line("\u{1b}[31mERROR\u{1b}[0m: boom\r"), "ERROR: boom");
        assert_eq!(
            line("2024-05-01T10:00:00.1234567Z == 1 X: migrating"),
            "== 1 X: migrating"
        );
        assert_eq!(
            line("2025-09-16T16:07:23.98+08:00   File \"a\""),
            "  File \"a\""
        );
        assert_eq!(line("migrate_1  | Applying: 1_x.sql"), "Applying: 1_x.sql");
        assert_eq!(line("web-1  | 2024-05-01T10:00:00Z Error: x"), "Error: x");
        assert_eq!(
            line("14:14:50.638: [APP/TASK/18d59cfb.0] ERROR: x"),
            "ERROR: x"
        );
        assert_eq!(
            line("[Container] 2024/05/01 10:00:00.1 Running"),
            "[Container] 2024/05/01 10:00:00.1 Running"
        );
        assert_eq!(line("Applying: 1_x.sql"), "Applying: 1_x.sql");
    }
}
