//! What a valid duration, launch type, keyword or command looks like. Shared by the file parser,
//! which can point at the line, and by `resolve`, which also sees values from CLI flags.

use std::time::Duration;

pub(super) const DURATION_EXAMPLES: &str = "use e.g. 90s, 15m, 1h30m";
const MAX_DURATION_MILLIS: u64 = 365 * 86_400_000;
pub(super) const LAUNCH_TYPES: [&str; 3] = ["FARGATE", "EC2", "EXTERNAL"];

/// Parses `1h30m`, `90s`, `500ms`, `2d`: whole numbers with a unit, largest first or not, and
/// never zero. Deliberately stricter than humantime (no `1hour`, no `2 months`), so a typo
/// cannot silently mean something else.
pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("invalid duration {text:?} ({DURATION_EXAMPLES})");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut millis: u64 = 0;
    while !rest.is_empty() {
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let amount: u64 = rest[..digits_end].parse().map_err(|_| invalid())?;
        rest = &rest[digits_end..];
        let unit_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit_millis: u64 = match &rest[..unit_end] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(invalid()),
        };
        millis = amount
            .checked_mul(unit_millis)
            .and_then(|part| millis.checked_add(part))
            .ok_or_else(invalid)?;
        rest = rest[unit_end..].trim_start();
    }
    if millis == 0 {
        return Err(format!(
            "duration {text:?} must be longer than zero ({DURATION_EXAMPLES})"
        ));
    }
    // A deadline is `now + duration`: past a year it is a typo, and near u64::MAX it would
    // overflow the clock.
    if millis > MAX_DURATION_MILLIS {
        return Err(format!(
            "duration {text:?} is longer than a year ({DURATION_EXAMPLES})"
        ));
    }
    Ok(Duration::from_millis(millis))
}

/// Accepts any letter case and returns the spelling ECS expects.
pub(super) fn parse_launch_type(text: &str) -> Result<String, String> {
    let upper = text.trim().to_ascii_uppercase();
    if LAUNCH_TYPES.contains(&upper.as_str()) {
        Ok(upper)
    } else {
        Err(format!(
            "invalid launch type {text:?} (use one of {}, or set capacity_provider_strategy \
             instead)",
            LAUNCH_TYPES.join(", ")
        ))
    }
}

/// Matches `text` against a fixed set of lower-case keywords.
pub(super) fn parse_keyword<T: Copy>(text: &str, choices: &[(&str, T)]) -> Result<T, String> {
    let wanted = text.trim().to_ascii_lowercase();
    choices
        .iter()
        .find(|(keyword, _)| *keyword == wanted)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let keywords: Vec<&str> = choices.iter().map(|(keyword, _)| *keyword).collect();
            format!(
                "invalid value {text:?} (use one of: {})",
                keywords.join(", ")
            )
        })
}

pub(super) fn parse_count(text: &str) -> Result<u32, String> {
    let trimmed = text.trim();
    let digits_only = !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit());
    match trimmed.parse() {
        Ok(count) if digits_only => Ok(count),
        _ => Err(format!(
            "invalid number {text:?} (use a whole number, e.g. 512)"
        )),
    }
}

pub(super) fn parse_signed(text: &str) -> Result<i32, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("invalid number {text:?} (use a whole number, e.g. 1)"))
}

pub(super) fn parse_flag(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("invalid boolean {text:?} (use true or false)")),
    }
}

/// Splits a command written as one string the way a POSIX shell would (quotes, escapes), without
/// expanding anything.
pub(super) fn split_command(text: &str) -> Result<Vec<String>, String> {
    shell_words::split(text).map_err(|error| {
        format!(
            "cannot split {text:?} into arguments: {error} (balance the quotes, or write a list: \
             [\"bin/rails\", \"db:migrate\"])"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration(" 1h 30m "), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(
            parse_duration("1hour").unwrap_err(),
            "invalid duration \"1hour\" (use e.g. 90s, 15m, 1h30m)"
        );
        for bad in [
            "",
            "90",
            "h",
            "1.5h",
            "-1s",
            "99999999999999999999s",
            "18446744073709551615ms",
            "366d",
            "1h!",
            "１h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(
            parse_duration("0s").unwrap_err(),
            "duration \"0s\" must be longer than zero (use e.g. 90s, 15m, 1h30m)"
        );
        assert!(parse_duration("999999999999d").is_err());
    }

    #[test]
    fn scalars() {
        assert_eq!(parse_launch_type("fargate"), Ok("FARGATE".to_owned()));
        assert!(parse_launch_type("LAMBDA").is_err());
        assert_eq!(parse_keyword("Leave", &[("stop", 1), ("leave", 2)]), Ok(2));
        assert_eq!(
            parse_keyword("maybe", &[("stop", 1), ("leave", 2)]).unwrap_err(),
            "invalid value \"maybe\" (use one of: stop, leave)"
        );
        assert_eq!(parse_count("512"), Ok(512));
        assert!(parse_count("+5").is_err() && parse_count("-1").is_err());
        assert_eq!(parse_signed("-2"), Ok(-2));
        assert_eq!(parse_flag("TRUE"), Ok(true));
        assert!(parse_flag("yes").is_err());
        assert_eq!(
            split_command("sh -c 'a b'"),
            Ok(vec!["sh".into(), "-c".into(), "a b".into()])
        );
        assert!(split_command("echo 'oops").is_err());
    }
}
