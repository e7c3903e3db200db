//! `verify:` and `verify_pending:`: checks as written, and the errors that name their key.

use super::*;
use crate::config::{Check, VerifySettings};

#[test]
fn checks_resolve_in_order_with_their_commands() {
    let settings = settings(
        "cluster: a\nservice: s\nverify_pending: true\nverify:\n  - name: users\n    \
         command: [python3, -c, 'print(1)']\n    expect: '^1$'\n  - name: plain\n    \
         command: bin/check --all\n",
    );
    assert_eq!(
        settings.verify,
        VerifySettings {
            checks: vec![
                Check {
                    name: "users".into(),
                    command: vec!["python3".into(), "-c".into(), "print(1)".into()],
                    expect: Some("^1$".into()),
                },
                Check {
                    name: "plain".into(),
                    command: vec!["bin/check".into(), "--all".into()],
                    expect: None,
                },
            ],
            pending: true,
            status_after: true,
        }
    );
    assert!(
        !super::settings("cluster: a\nservice: s\nstatus_after: false\n")
            .verify
            .status_after
    );
    assert_eq!(
        super::settings("cluster: a\nservice: s\n").verify,
        VerifySettings::default()
    );
}

#[test]
fn a_bad_expect_is_reported_at_its_line_with_its_key() {
    let error = load_error(
        "cluster: a\nverify:\n  - name: users\n    command: echo\n    expect: 'users: (\\d+'\n",
    );
    assert!(
        error.starts_with(
            "ecs-migrate.yml:5: verify[0].expect: invalid regular expression \"users: (\\\\d+\""
        ),
        "{error}"
    );
}

#[test]
fn a_check_needs_a_unique_name_and_a_command() {
    let error = resolve_error("cluster: a\nservice: s\nverify:\n  - command: 'true'\n");
    assert!(error.contains("verify[0].name: required"), "{error}");
    let error = resolve_error("cluster: a\nservice: s\nverify:\n  - name: x\n");
    assert!(error.contains("verify[0].command: required"), "{error}");
    let error = resolve_error(
        "cluster: a\nservice: s\nverify:\n  - {name: x, command: a}\n  - {name: x, command: b}\n",
    );
    assert!(
        error.contains("verify[1].name: `x` names two checks"),
        "{error}"
    );
    let error = load_error("cluster: a\nverify:\n  - name: x\n    expected: y\n");
    assert!(
        error.starts_with("ecs-migrate.yml:4: verify[0].expected: unknown key"),
        "{error}"
    );
    let error = load_error("cluster: a\nverify_pending: maybe\n");
    assert!(
        error.starts_with("ecs-migrate.yml:2: verify_pending:"),
        "{error}"
    );
}
