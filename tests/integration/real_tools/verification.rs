//! `verify:` and `verify_pending:` on every real tool, through the real binary: after the good
//! migrations, a rerun whose checks pass (Alembic's own `current`; nothing pending in the tool's
//! real status) exits 0 with `pending: []`; one whose check does not see what it expects exits 1 with the reason naming the
//! check, what was expected and what was seen. The app's config is restored afterwards.

use std::fs;

use super::{Project, ToolApp};

const SHA: &str = "1111111111111111111111111111111111111111";

/// The check that must pass after the good migrations: Alembic's `current` names the head; for
/// the other tools a shell check (every tool image has `sh`). `verify_pending` then reads each
/// tool's real status.
fn passing_check(app: &ToolApp) -> &'static str {
    match app.app {
        "alembic" => {
            "  - name: head\n    command: [alembic, current]\n    expect: '^0002 \\(head\\)'\n"
        }
        _ => {
            "  - name: head\n    command: [sh, -c, 'echo at head: yes']\n    expect: '^at head: yes$'\n"
        }
    }
}

pub fn verify_passes_and_fails(project: &Project<'_>, app: &ToolApp) {
    let head = passing_check(app);
    let config = project.dir.join("ecs-migrate.yml");
    let original = fs::read_to_string(&config).unwrap();

    fs::write(
        &config,
        format!("{original}verify_pending: true\nverify:\n{head}"),
    )
    .unwrap();
    let passing = project.command(SHA, &["run", "--output", "json"], &[]);
    assert_eq!(
        passing.code,
        0,
        "{}: verify must pass\n{}",
        app.app,
        passing.transcript()
    );
    let result = passing.json();
    assert_eq!(result["status"], "succeeded", "{}", passing.transcript());
    assert_eq!(result["pending"], serde_json::json!([]), "{}", app.app);
    assert!(
        passing.stderr.contains("verification head passed")
            && passing.stderr.contains("verification pending passed"),
        "{}",
        passing.transcript()
    );

    fs::write(
        &config,
        format!(
            "{original}verify:\n{head}  - name: widgets\n    command: [sh, -c, \
             'echo widgets: 0']\n    expect: '^widgets: [1-9]'\n"
        ),
    )
    .unwrap();
    let failing = project.command(SHA, &["run", "--output", "json"], &[]);
    assert_eq!(
        failing.code,
        1,
        "{}: a failed check fails the run\n{}",
        app.app,
        failing.transcript()
    );
    let result = failing.json();
    assert_eq!(result["status"], "failed", "{}", failing.transcript());
    assert_eq!(
        result["reason"],
        "migrated, but verification widgets failed: expected output matching \
         \"^widgets: [1-9]\", saw \"widgets: 0\"",
        "{}",
        failing.transcript()
    );
    assert!(
        failing.stdout.contains("verification widgets failed")
            || failing.stderr.contains("verification widgets failed"),
        "{}",
        failing.transcript()
    );
    fs::write(&config, original).unwrap();
}
