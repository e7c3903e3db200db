//! `verify:` and `verify_pending:` on a real tool, through the real binary: after the good
//! migrations, a rerun whose checks pass (the tool's own `current`, nothing pending) exits 0 with
//! `pending: []`; one whose check does not see what it expects exits 1 with the reason naming the
//! check, what was expected and what was seen. The app's config is restored afterwards.

use std::fs;

use super::{Project, ToolApp};

const SHA: &str = "1111111111111111111111111111111111111111";

/// A check that reads the real schema version, by tool; None: not exercised for this tool.
fn version_check(app: &ToolApp) -> Option<&'static str> {
    match app.app {
        "alembic" => Some(
            "  - name: head\n    command: [alembic, current]\n    expect: '^0002 \\(head\\)'\n",
        ),
        _ => None,
    }
}

pub fn verify_passes_and_fails(project: &Project<'_>, app: &ToolApp) {
    let Some(head) = version_check(app) else {
        return;
    };
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
            "{original}verify:\n{head}  - name: widgets\n    command: [python3, -c, \
             'print(\"widgets: 0\")']\n    expect: '^widgets: [1-9]'\n"
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
