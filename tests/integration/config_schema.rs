//! `ecs-migrate schema` is what editors check ecs-migrate.yml against: every shipped config (the
//! example and the test apps') validates, each carries the `yaml-language-server` line naming
//! where releases publish the schema, and mistakes the loader refuses fail the schema too.
//! Validated by check-jsonschema (the stack's venv), an implementation independent of ours.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::binary::offline;
use crate::support::stack::check_jsonschema;

const SCHEMA_LINE: &str = "# yaml-language-server: $schema=https://github.com/ecs-migrate/ecs-migrate/releases/latest/download/ecs-migrate.schema.json";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shipped_configs() -> Vec<PathBuf> {
    let mut configs = vec![repo().join("examples/ecs-migrate.yml")];
    for app in fs::read_dir(repo().join("tests/apps")).unwrap() {
        let config = app.unwrap().path().join("ecs-migrate.yml");
        if config.exists() {
            configs.push(config);
        }
    }
    configs
}

/// `ecs-migrate schema`, written to `dir/ecs-migrate.schema.json`.
fn schema_file(dir: &Path) -> PathBuf {
    let printed = offline(dir, &["schema"]);
    assert_eq!(printed.code, 0, "{}", printed.transcript());
    let schema = dir.join("ecs-migrate.schema.json");
    fs::write(&schema, &printed.stdout).unwrap();
    schema
}

/// check-jsonschema and the schema file in `dir`; None (the test is skipped) without the stack's
/// venv.
fn checker_and_schema(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let checker = check_jsonschema()?;
    Some((checker, schema_file(dir)))
}

fn validate(checker: &Path, schema: &Path, files: &[PathBuf]) -> Output {
    Command::new(checker)
        .arg("--schemafile")
        .arg(schema)
        .args(files)
        .output()
        .expect("run check-jsonschema")
}

#[test]
fn every_shipped_config_validates_and_carries_the_schema_line() {
    let dir = tempfile::tempdir().unwrap();
    let Some((checker, schema)) = checker_and_schema(dir.path()) else {
        return;
    };

    let configs = shipped_configs();
    assert!(configs.len() >= 10, "{configs:?}");
    for config in &configs {
        let text = fs::read_to_string(config).unwrap();
        assert_eq!(
            text.lines().next(),
            Some(SCHEMA_LINE),
            "{} must start with the schema line",
            config.display()
        );
    }
    let checked = validate(&checker, &schema, &configs);
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[test]
fn mistakes_the_loader_refuses_fail_the_schema_too() {
    let dir = tempfile::tempdir().unwrap();
    let Some((checker, schema)) = checker_and_schema(dir.path()) else {
        return;
    };
    let base = "cluster: c\nservice: s\n";
    for (mistake, key) in [
        ("clustr: c\n", "clustr"),
        ("on_cancel: later\n", "on_cancel"),
        ("timeout: soon\n", "timeout"),
        ("cpu: lots\n", "cpu"),
        ("network: { subnet: [a] }\n", "subnet"),
        ("lint: { fail_on: sometimes }\n", "fail_on"),
        (
            "environments: { staging: { environments: {} } }\n",
            "environments",
        ),
    ] {
        let config = dir.path().join("ecs-migrate.yml");
        fs::write(&config, format!("{base}{mistake}")).unwrap();
        let checked = validate(&checker, &schema, std::slice::from_ref(&config));
        assert!(
            !checked.status.success(),
            "the schema accepts {mistake:?}: {}",
            String::from_utf8_lossy(&checked.stdout)
        );
        let loaded = offline(dir.path(), &["plan"]);
        assert_eq!(loaded.code, 2, "the loader accepts {mistake:?}");
        assert!(loaded.stderr.contains(key), "{}", loaded.transcript());
    }
    // `${VAR}` stands for any value until it is expanded.
    let config = dir.path().join("ecs-migrate.yml");
    fs::write(
        &config,
        format!("{base}cpu: ${{CPU}}\non_cancel: ${{ON_CANCEL:-stop}}\npoll_interval: auto\n"),
    )
    .unwrap();
    let checked = validate(&checker, &schema, &[config]);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
}
