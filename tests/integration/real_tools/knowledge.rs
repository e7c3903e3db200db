//! What ecs-migrate knows about the tool, checked through the real binary on the real tool:
//! `status` before (all pending), the run's `applied` and `version`, `status` after (none
//! pending), `down` refused without `--yes` (nothing started), `down --steps 1 --yes`, and the
//! status that shows the last migration pending again.

use serde_json::Value;

use super::{Project, ToolApp};

const SHA: &str = "1111111111111111111111111111111111111111";

fn names(list: &[&str]) -> Value {
    Value::from(
        list.iter()
            .map(|name| Value::from(*name))
            .collect::<Vec<_>>(),
    )
}

/// `ecs-migrate status`, which must succeed, as JSON.
fn status(project: &Project<'_>, app: &ToolApp, when: &str) -> Value {
    let run = project.command(SHA, &["status", "--output", "json"], &[]);
    assert_eq!(
        run.code,
        0,
        "{}: status {when} must succeed\n{}",
        app.app,
        run.transcript()
    );
    let result = run.json();
    assert_eq!(result["status"], "succeeded", "{}", run.transcript());
    result
}

/// Before the first run: every good migration is pending (Rails: `db:migrate:status` exits 1
/// before schema_migrations exists, read as nothing applied, the checkout's migrations pending).
pub fn status_before(project: &Project<'_>, app: &ToolApp) {
    let result = status(project, app, "before");
    assert_eq!(result["applied"], names(&[]), "{}: applied before", app.app);
    assert_eq!(
        result["pending"],
        names(app.migrations),
        "{}: pending before",
        app.app
    );
}

/// The first run's result names what it applied; a status then shows nothing pending.
pub fn after_run(project: &Project<'_>, app: &ToolApp, first: &Value) {
    let last = app.migrations.last().copied();
    assert_eq!(
        first["applied"],
        names(app.migrations),
        "{}: applied by the run: {first:#}",
        app.app
    );
    assert_eq!(first["version"]["after"], Value::from(last), "{}", app.app);
    let result = status(project, app, "after");
    assert_eq!(result["pending"], names(&[]), "{}: pending after", app.app);
    assert_eq!(
        result["applied"],
        names(app.migrations),
        "{}: applied after",
        app.app
    );
    assert_version(&result, last, app);
}

/// The status's version is the migration's name, or (dbmate) the version it starts with.
fn assert_version(result: &Value, migration: Option<&str>, app: &ToolApp) {
    let version = result["version"].as_str();
    let matches = match (version, migration) {
        (Some(version), Some(name)) => name.starts_with(version),
        (version, name) => version == name,
    };
    assert!(
        matches,
        "{}: version {version:?}, expected {migration:?}: {result:#}",
        app.app
    );
}

/// `down` without `--yes` starts nothing; with it, one step goes back.
pub fn down_one_step(project: &Project<'_>, app: &ToolApp) {
    let run_tasks = || {
        project
            .stack
            .actions(&project.world.access_key)
            .iter()
            .filter(|action| *action == "RunTask")
            .count()
    };
    let before = run_tasks();
    let refused = project.command(SHA, &["down", "--output", "json"], &[]);
    assert_eq!(refused.code, 2, "{}\n{}", app.app, refused.transcript());
    assert!(
        refused
            .stderr
            .contains("refusing to migrate down without --yes"),
        "{}",
        refused.transcript()
    );
    assert_eq!(
        run_tasks(),
        before,
        "{}: down without --yes ran a task",
        app.app
    );

    let down = project.command(
        SHA,
        &["down", "--steps", "1", "--yes", "--output", "json"],
        &[],
    );
    assert_eq!(down.code, 0, "{}: down\n{}", app.app, down.transcript());
    assert_eq!(down.json()["status"], "succeeded", "{}", down.transcript());

    let result = status(project, app, "after down");
    let (last, kept) = app.migrations.split_last().expect("migrations");
    assert_eq!(result["pending"], names(&[last]), "{}: pending", app.app);
    assert_eq!(result["applied"], names(kept), "{}: applied", app.app);
    assert_version(&result, kept.last().copied(), app);
}
