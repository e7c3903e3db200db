//! Real migration tools against the stack's PostgreSQL, end to end through the real binary.
//! Each tool's small app (tests/apps/<tool>) is built FROM the stack's image of its family,
//! pushed to the ECR stand-in and run as an ECS task: its good migrations apply, a rerun has
//! nothing to do, and a broken migration fails with its file and line named in the result and
//! annotated on the check run.

mod java;
mod knowledge;
mod node_compiled;
mod python_ruby;
mod verification;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::actions::{actions_env, pull_request_event};
use crate::support::aws::World;
use crate::support::binary::{Run, against_with_env};
use crate::support::fake_github::FakeGitHub;
use crate::support::postgres::Database;
use crate::support::stack::{Stack, require_stack};

/// One tool's app and what a person would see it do.
pub struct ToolApp {
    /// Folder under tests/apps/.
    pub app: &'static str,
    /// The variable of `.stack/env` naming the image the app builds FROM.
    pub image_env: &'static str,
    /// Text the tool prints while applying the good migrations; each must be in the output.
    pub applied: &'static [&'static str],
    /// A query whose single value proves the good migrations ran, and that value.
    pub check_sql: (&'static str, &'static str),
    /// The broken migration as reported, after the app's `path_map` (`/app: .`).
    pub failed_file: &'static str,
    /// Its line, where the tool's output names one.
    pub failed_line: Option<u32>,
    /// The good migrations as the tool names them, in order. When given, `status`, the run's
    /// `applied`/`version` and `down` are checked too (see `knowledge`).
    pub migrations: &'static [&'static str],
}

/// Good migrations, a rerun, then the broken one; see the module doc.
pub fn exercise(app: &ToolApp) {
    let stack = require_stack!();
    let base_image = std::env::var(app.image_env).unwrap_or_else(|_| {
        panic!(
            "{} is not set: tests/stack/up.sh builds the tool images",
            app.image_env
        )
    });
    let world = World::with_app(&stack, &format!("tool-{}", app.app), 1024);
    let database = Database::create(app.app);
    let url_arn =
        world.secret_parameter(&format!("/{}/database-url", world.family), &database.url());
    let checkout = tempfile::tempdir().unwrap();
    let source = apps_dir().join(app.app);
    copy_tree(&source, checkout.path(), &["broken"]);
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let project = Project {
        stack: &stack,
        world: &world,
        dir: checkout.path(),
        env: vec![
            ("APP_CLUSTER".into(), world.cluster.clone()),
            ("APP_SERVICE".into(), world.service.clone()),
            (
                "APP_REPOSITORY".into(),
                format!("ecs-migrate-it/{}", world.family),
            ),
            ("APP_BASE_IMAGE".into(), base_image),
            ("APP_DATABASE_URL_ARN".into(), url_arn),
        ],
    };

    let knows = !app.migrations.is_empty();
    if knows {
        knowledge::status_before(&project, app);
    }
    let first = project.run("1111111111111111111111111111111111111111", &[]);
    assert_eq!(
        first.code,
        0,
        "{}: the good migrations must apply\n{}",
        app.app,
        first.transcript()
    );
    assert_eq!(
        first.json()["status"],
        "succeeded",
        "{}",
        first.transcript()
    );
    for line in app.applied {
        assert!(
            first.stderr.contains(line) || first.stdout.contains(line),
            "{}: the tool's own line {line:?} is not in the output\n{}",
            app.app,
            first.transcript()
        );
    }
    let (sql, expected) = app.check_sql;
    assert_eq!(database.value(sql), expected, "{}: {sql}", app.app);
    first.assert_hides(&database.url());
    if knows {
        knowledge::after_run(&project, app, &first.json());
        verification::verify_passes_and_fails(&project, app);
        knowledge::down_one_step(&project, app);
    }

    let github = actions_env(&fake, checkout.path(), "pull_request", pull_request_event());
    if knows {
        knowledge::plan_status_shows_what_merging_would_apply(&project, app, &github, &fake);
    }
    let rerun = project.run("1111111111111111111111111111111111111111", &github);
    assert_eq!(
        rerun.code,
        0,
        "{}: the rerun (after down, it applies again what went down) must succeed\n{}",
        app.app,
        rerun.transcript()
    );
    assert_eq!(
        rerun.json()["failed-migration"],
        Value::Null,
        "{}",
        rerun.transcript()
    );
    if knows {
        knowledge::rerun_after_down(app, &rerun.json());
        knowledge::reported_on_the_pull_request(&fake, app);
        knowledge::status_in_the_same_step_reads_afresh(&project, app, &github);
    }

    copy_tree(&source.join("broken"), checkout.path(), &[]);
    let broken = project.run("3333333333333333333333333333333333333333", &github);
    assert_eq!(
        broken.code,
        1,
        "{}: the broken migration must fail\n{}",
        app.app,
        broken.transcript()
    );
    let result = broken.json();
    assert_eq!(result["status"], "failed", "{}", broken.transcript());
    let failed = &result["failed-migration"];
    assert_eq!(
        failed["file"],
        app.failed_file,
        "{}: failed-migration\n{}",
        app.app,
        broken.transcript()
    );
    assert_eq!(
        failed["line"],
        app.failed_line.map_or(Value::Null, Value::from),
        "{}: failed-migration line\n{}",
        app.app,
        broken.transcript()
    );
    let reason = result["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains(app.failed_file),
        "{}: reason {reason:?}",
        app.app
    );
    let completing = fake.requests_of("checks/update");
    let annotations = completing
        .last()
        .map(|request| request.body["output"]["annotations"].clone())
        .unwrap_or_default();
    let annotated = annotations
        .as_array()
        .into_iter()
        .flatten()
        .any(|annotation| {
            annotation["path"] == app.failed_file
                && annotation["start_line"] == app.failed_line.unwrap_or(1)
                && annotation["annotation_level"] == "failure"
        });
    assert!(
        annotated,
        "{}: no failure annotation on {}:{:?}: {annotations:#}",
        app.app, app.failed_file, app.failed_line
    );
    fake.assert_no_problems();
}

/// The app's checkout and the variables its ecs-migrate.yml reads.
struct Project<'a> {
    stack: &'a Stack,
    world: &'a World,
    dir: &'a Path,
    env: Vec<(String, String)>,
}

impl Project<'_> {
    /// `ecs-migrate run --output json` of commit `sha` (the image tag), as CI would run it.
    fn run(&self, sha: &str, extra: &[(String, String)]) -> Run {
        self.command(sha, &["run", "--output", "json"], extra)
    }

    /// `ecs-migrate <args>` of commit `sha`.
    fn command(&self, sha: &str, args: &[&str], extra: &[(String, String)]) -> Run {
        let mut env: Vec<(&str, &str)> = self
            .env
            .iter()
            .chain(extra)
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        env.push(("GITHUB_SHA", sha));
        against_with_env(self.stack, &self.world.access_key, self.dir, args, &env)
    }
}

pub fn apps_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/apps")
}

/// Copies `from` into `to` (merging), leaving out the top-level entries named in `skip`.
pub fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    for entry in fs::read_dir(from).unwrap_or_else(|error| panic!("{}: {error}", from.display())) {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if skip.iter().any(|skipped| name == *skipped) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target, &[]);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}
