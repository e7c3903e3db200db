//! `plan` reviews a pull request's migrations, through the real binary and the fake GitHub
//! (every request checked against GitHub's OpenAPI description): the pull request's files from
//! "list pull request files" (all pages), real SQL in the checkout linted by Squawk, history
//! checks, and `lint.fail_on` setting the status and exit code.

use std::fs;
use std::path::Path;

use serde_json::{Value, json};

use crate::support::actions::{actions_env, pull_request_event};
use crate::support::binary::{Run, offline_with_env};
use crate::support::fake_github::FakeGitHub;

const INDEX: &str = "migrations/000002_index_widgets.up.sql";

/// A checkout of an app using golang-migrate (migrations in `migrations/`), one migration on
/// the base branch and one the pull request adds, planned with no AWS at all.
fn checkout(lint: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(
        root.join("examples/taskdef.json"),
        dir.path().join("taskdef.json"),
    )
    .unwrap();
    fs::write(
        dir.path().join("ecs-migrate.yml"),
        format!(
            "cluster: app-prod\ntask_definition: taskdef.json\ntool: golang-migrate\n\
             network: {{ subnets: [subnet-0a1b2c3d4e5f60718], security_groups: [sg-0123456789abcdef0] }}\n\
             {lint}"
        ),
    )
    .unwrap();
    let migrations = dir.path().join("migrations");
    fs::create_dir(&migrations).unwrap();
    fs::write(
        migrations.join("000001_create_widgets.up.sql"),
        "CREATE TABLE widgets (id bigint PRIMARY KEY, name text);\n",
    )
    .unwrap();
    fs::write(
        migrations.join("000001_create_widgets.down.sql"),
        "DROP TABLE widgets;\n",
    )
    .unwrap();
    fs::write(
        dir.path().join(INDEX),
        "-- look widgets up by name\nCREATE INDEX widgets_name ON widgets (name);\n",
    )
    .unwrap();
    dir
}

/// `plan --output json` in a pull_request job whose files are `files`.
fn plan(dir: &Path, fake: &FakeGitHub, files: &[(&str, &str, Option<&str>)]) -> (Run, Value) {
    fake.set_pr_files(files);
    let env = actions_env(fake, dir, "pull_request", pull_request_event());
    let run = offline_with_env(dir, &["plan", "--output", "json"], &env);
    let review = run.json()["review"].clone();
    (run, review)
}

fn finding<'a>(review: &'a Value, path: &str, rule: &str) -> Option<&'a Value> {
    review["findings"]
        .as_array()?
        .iter()
        .find(|finding| finding["path"] == path && finding["rule"] == rule)
}

#[test]
fn an_index_without_concurrently_is_a_warning_at_its_line_with_the_fix() {
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let dir = checkout("");
    let (run, review) = plan(
        dir.path(),
        &fake,
        &[(INDEX, "added", None), ("app/server.go", "modified", None)],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.json()["status"], "planned");
    assert_eq!(review["pull-request"], 12);
    assert_eq!(
        review["migrations"],
        json!([{"path": INDEX, "status": "added"}])
    );
    let index = finding(&review, INDEX, "require-concurrent-index-creation")
        .unwrap_or_else(|| panic!("{review:#}"));
    assert_eq!(index["line"], 2);
    assert_eq!(index["level"], "warning");
    assert!(
        index["help"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("concurrently"),
        "{index}"
    );
    assert_eq!(review["rejected"], false);

    // The sticky comment and the check run show it; the annotation sits on the line.
    let comments = fake.comments(12);
    assert_eq!(comments.len(), 1, "{comments:#?}");
    let body = &comments[0].1;
    assert!(body.contains("Review of pull request #12"), "{body}");
    assert!(
        body.contains("require-concurrent-index-creation")
            && body.contains("<br>Fix: Use `concurrently`"),
        "{body}"
    );
    let annotations = annotations(&fake);
    let on_index = annotations
        .iter()
        .find(|a| a["title"] == "require-concurrent-index-creation")
        .unwrap_or_else(|| panic!("{annotations:#?}"));
    assert_eq!(on_index["path"], INDEX);
    assert_eq!(on_index["start_line"], 2);
    assert_eq!(on_index["annotation_level"], "warning");
    let checks = fake.requests_of("checks/create");
    assert_eq!(checks.last().unwrap().body["conclusion"], "neutral");
    fake.assert_no_problems();
}

/// Every annotation the check run requests carried.
fn annotations(fake: &FakeGitHub) -> Vec<Value> {
    let mut all = Vec::new();
    for request in fake
        .requests_of("checks/create")
        .into_iter()
        .chain(fake.requests_of("checks/update"))
    {
        all.extend(
            request.body["output"]["annotations"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
    }
    all
}

#[test]
fn fail_on_warning_rejects_and_an_ignore_comment_silences_its_rule() {
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let dir = checkout("lint: { fail_on: warning }\n");
    let (run, review) = plan(dir.path(), &fake, &[(INDEX, "added", None)]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(run.json()["status"], "rejected");
    assert_eq!(review["rejected"], true);
    let checks = fake.requests_of("checks/create");
    assert_eq!(checks.last().unwrap().body["conclusion"], "failure");

    // Every rule the file trips, ignored where it happens: nothing left, nothing rejected.
    let rules: Vec<String> = review["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap().to_owned())
        .collect();
    fs::write(
        dir.path().join(INDEX),
        format!(
            "-- look widgets up by name\n-- squawk-ignore {}\nCREATE INDEX widgets_name ON widgets (name);\n",
            rules.join(",")
        ),
    )
    .unwrap();
    let (run, review) = plan(dir.path(), &fake, &[(INDEX, "added", None)]);
    assert_eq!(run.code, 0, "{}\n{review:#}", run.transcript());
    assert_eq!(review["findings"], json!([]), "{review:#}");
    fake.assert_no_problems();
}

#[test]
fn an_edited_old_migration_is_an_error_and_unparseable_sql_a_finding() {
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let dir = checkout("");
    let broken = "migrations/000003_broken.up.sql";
    fs::write(
        dir.path().join(broken),
        "ALTER TABLE widgets ADD COLUMN price numeric(10,;\n",
    )
    .unwrap();
    let old = "migrations/000001_create_widgets.up.sql";
    let (run, review) = plan(
        dir.path(),
        &fake,
        &[(old, "modified", None), (broken, "added", None)],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(run.json()["status"], "rejected");
    let edited = finding(&review, old, "changed-migration").unwrap_or_else(|| panic!("{review:#}"));
    assert_eq!(edited["level"], "error");
    assert!(
        annotations(&fake)
            .iter()
            .any(|a| a["path"] == old && a["annotation_level"] == "failure"),
        "{:#?}",
        annotations(&fake)
    );
    let syntax = finding(&review, broken, "syntax-error").unwrap_or_else(|| panic!("{review:#}"));
    assert_eq!(syntax["line"], 1);
    fake.assert_no_problems();
}

#[test]
fn every_page_of_the_pull_request_s_files_is_read() {
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let dir = checkout("");
    // 150 files: the migration is on the second page of 100.
    let others: Vec<String> = (0..149).map(|n| format!("app/file{n:03}.go")).collect();
    let mut files: Vec<(&str, &str, Option<&str>)> = others
        .iter()
        .map(|path| (path.as_str(), "modified", None))
        .collect();
    files.push((INDEX, "added", None));
    let (run, review) = plan(dir.path(), &fake, &files);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(fake.requests_of("pulls/list-files").len(), 2);
    assert!(
        finding(&review, INDEX, "require-concurrent-index-creation").is_some(),
        "{review:#}"
    );
    fake.assert_no_problems();
}

#[test]
fn a_hundred_and_twenty_findings_are_annotated_fifty_per_request() {
    let (_runtime, fake) = FakeGitHub::start_blocking();
    let dir = checkout("lint: { exclude: [prefer-robust-stmts, require-timeout-settings] }\n");
    // 120 lines each renaming a column: one finding per line.
    let many = "migrations/000004_renames.up.sql";
    let sql: String = (0..120)
        .map(|n| format!("ALTER TABLE widgets RENAME COLUMN c{n} TO d{n};\n"))
        .collect();
    fs::write(dir.path().join(many), sql).unwrap();
    let (run, review) = plan(dir.path(), &fake, &[(many, "added", None)]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let renames = review["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["rule"] == "renaming-column")
        .count();
    assert_eq!(renames, 120, "{review:#}");
    let sent: Vec<usize> = fake
        .requests_of("checks/create")
        .into_iter()
        .chain(fake.requests_of("checks/update"))
        .map(|request| {
            request.body["output"]["annotations"]
                .as_array()
                .map_or(0, Vec::len)
        })
        .collect();
    let total = review["findings"].as_array().unwrap().len();
    assert!(sent.iter().all(|count| *count <= 50), "{sent:?}");
    assert_eq!(sent.iter().sum::<usize>(), total, "{sent:?}");
    assert!(sent.len() >= 3, "{sent:?}");
    fake.assert_no_problems();
}
