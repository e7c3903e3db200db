//! What ecs-migrate knows about the tool, checked through the real binary on the real tool:
//! `status` before (all pending), the run's `applied` and `version`, `status` after (none
//! pending), `down` refused without `--yes` (nothing started), `down --steps 1 --yes`, and the
//! status that shows the last migration pending again (Django: `--to` the one before; sqlx: a
//! revert with nothing left to revert fails).

use serde_json::Value;

use super::{Project, ToolApp};
use crate::support::fake_github::FakeGitHub;

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
    // Read from the status task the run starts after the migration.
    assert_eq!(first["pending"], names(&[]), "{}: {first:#}", app.app);
    assert_eq!(
        first["version"]["before"],
        Value::Null,
        "{}: from empty",
        app.app
    );
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
    let (last, kept) = app.migrations.split_last().expect("migrations");
    // Django goes down per app to a named migration (`--steps` is refused): to the one before.
    let one_step = match app.app {
        "django" => ["--to", kept.last().expect("two migrations")],
        _ => ["--steps", "1"],
    };
    let before = run_tasks();
    let mut args = vec!["down"];
    args.extend(one_step);
    let refused = project.command(SHA, &[&args[..], &["--output", "json"]].concat(), &[]);
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

    args.extend(["--yes", "--output", "json"]);
    let down = project.command(SHA, &args, &[]);
    assert_eq!(down.code, 0, "{}: down\n{}", app.app, down.transcript());
    assert_eq!(down.json()["status"], "succeeded", "{}", down.transcript());

    let result = status(project, app, "after down");
    assert_eq!(result["pending"], names(&[last]), "{}: pending", app.app);
    assert_eq!(result["applied"], names(kept), "{}: applied", app.app);
    assert_version(&result, kept.last().copied(), app);
    if app.app == "sqlx" {
        nothing_to_revert(project);
    }
}

/// The rerun after `down` applies again what went down (sqlx: everything, see
/// [`nothing_to_revert`]); `version.before` is what the output names where the tool prints it
/// (Alembic's `Running upgrade 0001 -> 0002`), else the migration the status after the run
/// lists just before the first one the run applied (sqlx: none, it starts from nothing).
pub fn rerun_after_down(app: &ToolApp, rerun: &Value) {
    let (last, kept) = app.migrations.split_last().expect("migrations");
    let (applied, before) = match app.app {
        "sqlx" => (app.migrations.to_vec(), Value::Null),
        _ => (vec![*last], Value::from(kept.last().copied())),
    };
    assert_eq!(rerun["applied"], names(&applied), "{}: {rerun:#}", app.app);
    assert_eq!(rerun["version"]["before"], before, "{}: {rerun:#}", app.app);
    assert_eq!(rerun["version"]["after"], Value::from(*last), "{}", app.app);
    assert_eq!(rerun["pending"], names(&[]), "{}: {rerun:#}", app.app);
}

/// The rerun's PR comment (the sticky one of the pull request) shows what it applied, the
/// version change and that nothing is pending, as the result does.
pub fn reported_on_the_pull_request(fake: &FakeGitHub, app: &ToolApp) {
    let (last, kept) = app.migrations.split_last().expect("migrations");
    let comments = fake.comments(12);
    let [(_, body)] = &comments[..] else {
        panic!("{}: one sticky comment expected: {comments:#?}", app.app);
    };
    let (applied, before) = match app.app {
        "sqlx" => (app.migrations.join(", "), "?".to_owned()),
        _ => (
            (*last).to_owned(),
            kept.last().copied().unwrap_or("?").to_owned(),
        ),
    };
    for row in [
        format!("| Applied | {applied} |"),
        format!("| Version | {before} → {last} |"),
        "| Pending | none |".to_owned(),
    ] {
        assert!(body.contains(&row), "{}: no {row:?} in\n{body}", app.app);
    }
}

/// `plan --status` in the pull request with the database behind (after `down`): the plan's
/// `pending` and `version` are what the status task read, in the result and in the sticky
/// comment that the rerun then completes. The rerun applying exactly these shows that the
/// status task migrated nothing.
pub fn plan_status_shows_what_merging_would_apply(
    project: &Project<'_>,
    app: &ToolApp,
    github: &[(String, String)],
    fake: &FakeGitHub,
) {
    let (last, kept) = app.migrations.split_last().expect("migrations");
    let (pending, version) = match app.app {
        "sqlx" => (app.migrations.to_vec(), None),
        _ => (vec![*last], kept.last().copied()),
    };
    let plan = project.command(SHA, &["plan", "--status", "--output", "json"], github);
    assert_eq!(
        plan.code,
        0,
        "{}: plan --status\n{}",
        app.app,
        plan.transcript()
    );
    let result = plan.json();
    assert_eq!(result["status"], "planned", "{}", plan.transcript());
    assert_eq!(
        result["pending"],
        names(&pending),
        "{}: {result:#}",
        app.app
    );
    assert_version(&result, version, app);
    let task = result["status-task"]["task-arn"]
        .as_str()
        .unwrap_or_default();
    assert!(task.contains(":task/"), "{}: {result:#}", app.app);
    let comments = fake.comments(12);
    let [(_, body)] = &comments[..] else {
        panic!("{}: one sticky comment expected: {comments:#?}", app.app);
    };
    let row = format!("| Pending | {} |", pending.join(", "));
    assert!(body.contains(&row), "{}: no {row:?} in\n{body}", app.app);
}

/// A `status` in the same CI step as the `plan --status` before the rerun reads the database
/// as the rerun left it (nothing pending), not the plan's status task again: a status never
/// attaches to an earlier task by its RunTask token.
pub fn status_in_the_same_step_reads_afresh(
    project: &Project<'_>,
    app: &ToolApp,
    github: &[(String, String)],
) {
    let run = project.command(SHA, &["status", "--output", "json"], github);
    assert_eq!(run.code, 0, "{}: status\n{}", app.app, run.transcript());
    let result = run.json();
    assert_eq!(result["pending"], names(&[]), "{}: {result:#}", app.app);
    assert_version(&result, app.migrations.last().copied(), app);
}

/// sqlx: with everything reverted (`--to 0`), `sqlx migrate revert` exits 0 saying "No
/// migrations available to revert"; the down is failed, not a step down.
fn nothing_to_revert(project: &Project<'_>) {
    let all = project.command(
        SHA,
        &["down", "--to", "0", "--yes", "--output", "json"],
        &[],
    );
    assert_eq!(all.code, 0, "sqlx: down --to 0\n{}", all.transcript());
    let down = project.command(SHA, &["down", "--yes", "--output", "json"], &[]);
    assert_eq!(
        down.code,
        1,
        "sqlx: nothing to revert\n{}",
        down.transcript()
    );
    let result = down.json();
    assert_eq!(result["status"], "failed", "{}", down.transcript());
    let reason = result["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("nothing was migrated down: sqlx says \"No migrations available"),
        "sqlx: reason {reason:?}"
    );
}
