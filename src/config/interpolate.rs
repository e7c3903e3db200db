//! `${VAR}` / `${VAR:-default}` / `$$` expansion of string values, applied after YAML parsing so
//! a value such as `p@ss: #1` can never change the document's structure.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

thread_local! {
    /// The variables visible to the deserializers of the file being loaded. serde gives a
    /// `Deserialize` impl no way to receive context, and expanding inside the deserializers is
    /// what lets an undefined variable be reported with its key path and line.
    static VARIABLES: RefCell<Option<HashMap<String, String>>> = const { RefCell::new(None) };
}

/// Runs `parse` with `variables` visible to [`expand`]; restores the previous set afterwards,
/// even if `parse` unwinds.
pub(super) fn with_variables<R>(
    variables: HashMap<String, String>,
    parse: impl FnOnce() -> R,
) -> R {
    struct Restore(Option<HashMap<String, String>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            VARIABLES.with(|slot| *slot.borrow_mut() = previous);
        }
    }
    let _restore = Restore(VARIABLES.with(|slot| slot.replace(Some(variables))));
    parse()
}

/// Expands `text` with the variables of the file being loaded (none outside [`with_variables`]).
pub(super) fn expand(text: &str) -> Result<String, String> {
    VARIABLES.with(|slot| {
        let variables = slot.borrow();
        interpolate(text, &|name| variables.as_ref()?.get(name).cloned())
    })
}

/// Every variable name `text` refers to, so they can be looked up before parsing starts.
pub(super) fn referenced_names(text: &str, names: &mut BTreeSet<String>) {
    let collected = RefCell::new(Vec::new());
    let _ = interpolate(text, &|name| {
        collected.borrow_mut().push(name.to_owned());
        Some(String::new())
    });
    names.extend(collected.into_inner());
}

/// Expands `${NAME}`, `${NAME:-default}` (default when unset or empty) and `$$` (a literal `$`).
/// A `$` followed by anything else is kept as is, so shell snippets like `$HOME` pass through
/// to the container untouched. Defaults are literal text.
pub(super) fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body_and_tail) = after.strip_prefix('{') {
            let Some(close) = body_and_tail.find('}') else {
                return Err(format!(
                    "unterminated `${{` in {text:?} (close it with `}}`, or write `$$` for a \
                     literal `$`)"
                ));
            };
            out.push_str(&substitute(&body_and_tail[..close], text, lookup)?);
            rest = &body_and_tail[close + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// `body` is what stands between `${` and `}`.
fn substitute(
    body: &str,
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let (name, default) = match body.split_once(":-") {
        Some((name, default)) => (name, Some(default)),
        None => (body, None),
    };
    if !is_variable_name(name) {
        return Err(format!(
            "invalid variable name {name:?} in {text:?} (use letters, digits and `_`, not starting \
             with a digit; `${{NAME:-default}}` for a default; `$$` for a literal `$`)"
        ));
    }
    match (lookup(name), default) {
        (Some(value), Some(default)) if value.is_empty() => Ok(default.to_owned()),
        (Some(value), _) => Ok(value),
        (None, Some(default)) => Ok(default.to_owned()),
        (None, None) => Err(format!(
            "variable `{name}` is not set (set it in the environment, or give a default: \
             `${{{name}:-value}}`)"
        )),
    }
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<String> {
        match name {
            "SHA" => Some("abc123".to_owned()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn run(text: &str) -> Result<String, String> {
        interpolate(text, &lookup)
    }

    #[test]
    fn expands_variables_and_defaults() {
        assert_eq!(run("app:${SHA}").unwrap(), "app:abc123");
        assert_eq!(run("${MISSING:-fallback}").unwrap(), "fallback");
        assert_eq!(run("${EMPTY:-fallback}").unwrap(), "fallback");
        assert_eq!(run("${EMPTY}").unwrap(), "");
        assert_eq!(run("${SHA:-x}-${SHA}").unwrap(), "abc123-abc123");
        assert_eq!(run("${MISSING:-}").unwrap(), "");
        assert_eq!(run("${MISSING:-a:-b}").unwrap(), "a:-b");
    }

    #[test]
    fn dollar_escapes_and_lone_dollars_stay_literal() {
        assert_eq!(run("$${SHA}").unwrap(), "${SHA}");
        assert_eq!(run("cost $5 and $HOME, $").unwrap(), "cost $5 and $HOME, $");
        assert_eq!(run("$$$$").unwrap(), "$$");
        assert_eq!(run("é${SHA}ü").unwrap(), "éabc123ü");
    }

    #[test]
    fn reports_undefined_unterminated_and_invalid_names() {
        assert_eq!(
            run("${NOPE}").unwrap_err(),
            "variable `NOPE` is not set (set it in the environment, or give a default: \
             `${NOPE:-value}`)"
        );
        assert_eq!(
            run("x-${SHA").unwrap_err(),
            "unterminated `${` in \"x-${SHA\" (close it with `}`, or write `$$` for a literal `$`)"
        );
        assert!(
            run("${}")
                .unwrap_err()
                .starts_with("invalid variable name \"\"")
        );
        assert!(
            run("${1X}")
                .unwrap_err()
                .starts_with("invalid variable name \"1X\"")
        );
        assert!(
            run("${A-b}")
                .unwrap_err()
                .starts_with("invalid variable name \"A-b\"")
        );
    }

    #[test]
    fn collects_every_referenced_name() {
        let mut names = BTreeSet::new();
        referenced_names("${A}/${B:-x}/$${C}/${1bad}/${D", &mut names);
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["A", "B"]);
    }
}
