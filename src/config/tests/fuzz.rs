//! Property-based fuzzing of the config loader and of `${VAR}` interpolation: any text, and
//! config-shaped YAML built from the real keys with hostile values, must end in `Ok` or an
//! error a user can act on (see `assert_handled`), the same one every time, never a panic or a
//! hang (each run is bounded); a misspelt key or a document that is not a mapping never loads.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::load;
use crate::config::error::OWN_MESSAGE_MARK;
use crate::config::interpolate::interpolate;

/// Generous for a debug build on a loaded 2-core CI machine; a hang never finishes at all.
const HANG_LIMIT: Duration = Duration::from_secs(120);

/// Runs `body` on its own thread and fails if it does not finish within [`HANG_LIMIT`].
fn bounded(name: &str, body: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        body();
        let _ = done.send(());
    });
    match finished.recv_timeout(HANG_LIMIT) {
        Ok(()) => worker.join().expect("fuzz worker"),
        // The worker panicked: join to surface the failing input proptest printed.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: no answer in {HANG_LIMIT:?}"),
    }
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Scalars that stress the value parsers and interpolation.
fn hostile_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        "\\PC{0,20}",
        Just("${".to_owned()),
        Just("$${X}".to_owned()),
        "\\$\\{[A-Z_]{0,6}(:-[ -~]{0,8})?\\}?",
        "-?[0-9]{1,25}(\\.[0-9]{0,3})?(ms|s|m|h|d)?",
        Just("~".to_owned()),
        Just("[a, [b, {c: d}]]".to_owned()),
        Just("{a: 1, b: [2]}".to_owned()),
        Just("!!binary aGk=".to_owned()),
        Just("&x 1".to_owned()),
        Just("*x".to_owned()),
    ]
}

const KEYS: [&str; 25] = [
    "cluster",
    "service",
    "task_definition",
    "container",
    "family",
    "command",
    "entrypoint",
    "environment",
    "secrets",
    "cpu",
    "memory",
    "image",
    "network",
    "launch_type",
    "capacity_provider_strategy",
    "platform_version",
    "timeout",
    "poll_interval",
    "on_cancel",
    "on_conflict",
    "max_outage",
    "log_drain",
    "keep_containers",
    "tags",
    "report",
];

/// A config-shaped document: real keys (sometimes misspelt), with scalar, list or map values.
fn config_document() -> impl Strategy<Value = String> {
    let entry = (
        prop::sample::select(KEYS.to_vec()),
        any::<bool>(),
        prop_oneof![
            hostile_value().prop_map(|value| format!(" {value}")),
            prop::collection::vec(hostile_value(), 0..4)
                .prop_map(|items| format!("\n  - {}", items.join("\n  - "))),
            prop::collection::vec(("[a-z_]{1,10}", hostile_value()), 0..4).prop_map(|pairs| {
                pairs
                    .iter()
                    .map(|(key, value)| format!("\n  {key}: {value}"))
                    .collect::<String>()
            }),
        ],
    )
        .prop_map(|(key, misspelt, value)| {
            let key = if misspelt {
                format!("{key}s")
            } else {
                key.to_owned()
            };
            format!("{key}:{value}\n")
        });
    prop::collection::vec(entry, 0..8).prop_map(|entries| entries.concat())
}

/// Loads and resolves `yaml` as `ecs-migrate.yml`; the error as the user would read it.
fn outcome(yaml: &str) -> Result<(), String> {
    load(yaml)
        .and_then(|raw| raw.resolve(Some(Path::new("ecs-migrate.yml"))))
        .map(drop)
        .map_err(|error| error.to_string())
}

/// What any input must give: the same answer every time, and an error a user can act on: it
/// names the file, a line that exists, and carries none of the parser's internals (our message
/// mark, libyaml's ` at line N column M`).
fn assert_handled(yaml: &str) -> Result<(), String> {
    let first = outcome(yaml);
    assert_eq!(first, outcome(yaml), "two answers for {yaml:?}");
    if let Err(message) = &first {
        assert!(
            message.starts_with("ecs-migrate.yml:") && message.len() > "ecs-migrate.yml: ".len(),
            "{message:?} does not name the file for {yaml:?}"
        );
        if let Some(line) = message
            .strip_prefix("ecs-migrate.yml:")
            .and_then(|rest| rest.split(':').next())
            .and_then(|number| number.parse::<usize>().ok())
        {
            // libyaml reports an error at the very end of the text on the line after it, and
            // counts YAML 1.1's line breaks: CR, LF, NEL, LS and PS.
            let breaks = ['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'];
            let lines = yaml.replace("\r\n", "\n").split(breaks).count() + 1;
            assert!(
                (1..=lines).contains(&line),
                "line {line} of a {lines}-line document: {message:?} for {yaml:?}"
            );
        }
        assert!(
            !message.contains(OWN_MESSAGE_MARK) && !message.contains(" column "),
            "parser internals in {message:?} for {yaml:?}"
        );
    }
    first
}

#[test]
fn arbitrary_text_never_panics_the_loader() {
    bounded("arbitrary text", || {
        runner(400)
            .run(&"\\PC{0,200}", |text| {
                // Text that is not a mapping never loads: a config is `key: value` lines.
                let loaded = assert_handled(&text);
                let mapping = serde_yaml::from_str::<serde_yaml::Value>(&text)
                    .is_ok_and(|value| value.is_mapping() || value.is_null());
                prop_assert!(mapping || loaded.is_err(), "{text:?} loaded");
                Ok(())
            })
            .unwrap();
    });
}

#[test]
fn config_shaped_documents_never_panic_the_loader() {
    bounded("config-shaped documents", || {
        runner(600)
            .run(&config_document(), |yaml| {
                // A misspelt key is never ignored: the document is refused.
                let misspelt = yaml
                    .lines()
                    .any(|line| KEYS.iter().any(|key| line.starts_with(&format!("{key}s:"))));
                let loaded = assert_handled(&yaml);
                prop_assert!(!misspelt || loaded.is_err(), "{yaml:?} loaded");
                Ok(())
            })
            .unwrap();
    });
}

#[test]
fn interpolation_keeps_plain_text_and_never_panics() {
    bounded("interpolation", || {
        let lookup = |name: &str| name.len().is_multiple_of(2).then(|| format!("<{name}>"));
        runner(1_000)
            .run(&"[ -~]{0,80}", |text| {
                let expanded = interpolate(&text, &lookup);
                if !text.contains('$') {
                    prop_assert_eq!(expanded, Ok(text));
                } else if let Err(message) = expanded {
                    prop_assert!(!message.is_empty());
                }
                Ok(())
            })
            .unwrap();
    });
}
