//! Secrets never appear in what the tool prints: not in `plan`, `render` or `run`, on stdout or
//! stderr, in text or JSON. In GitHub Actions they are masked before anything else is printed.

use std::fs;

use crate::support::aws::World;
use crate::support::binary::{Run, against_with_env};
use crate::support::stack::require_stack;

const PLAIN_PASSWORD: &str = "hunter2-plain-env-value";
const URL_PASSWORD: &str = "s3cr3t-in-the-url";
const SSM_VALUE: &str = "ssm-secret-never-read-by-the-tool";

fn assert_no_secret(run: &Run) {
    for secret in [PLAIN_PASSWORD, URL_PASSWORD, SSM_VALUE] {
        run.assert_hides(secret);
    }
}

#[test]
fn no_secret_of_the_config_appears_in_any_output() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "secrets", 64);
    let token_arn = world.secret_parameter(&format!("/{}/api-token", world.cluster), SSM_VALUE);
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("ecs-migrate.yml"),
        format!(
            "cluster: {cluster}\nservice: {service}\npoll_interval: 250ms\n\
             command: [\"sh\", \"-c\", \"test -n \\\"$API_TOKEN\\\" && test -n \\\"$DB_PASSWORD\\\" && echo secrets delivered\"]\n\
             environment:\n  DB_PASSWORD: \"${{DB_PASSWORD}}\"\n  DATABASE_URL: \"postgres://app:{URL_PASSWORD}@db:5432/app\"\n\
             secrets:\n  API_TOKEN: {token_arn}\n",
            cluster = world.cluster,
            service = world.service,
        ),
    )
    .unwrap();
    let env = [("DB_PASSWORD", PLAIN_PASSWORD)];

    for args in [
        vec!["plan"],
        vec!["plan", "--output", "json"],
        vec!["render"],
    ] {
        let run = against_with_env(&stack, &world.access_key, dir.path(), &args, &env);
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert_no_secret(&run);
        assert!(
            run.stderr.contains("DB_PASSWORD"),
            "no warning about DB_PASSWORD:\n{}",
            run.transcript()
        );
    }
    let run = against_with_env(
        &stack,
        &world.access_key,
        dir.path(),
        &["run", "--output", "json"],
        &env,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stderr.contains("secrets delivered"),
        "{}",
        run.transcript()
    );
    assert_no_secret(&run);

    // In GitHub Actions the values are masked first (on stderr, so a JSON result on stdout stays
    // parseable): the runner swallows `::add-mask::` lines.
    let actions = [("DB_PASSWORD", PLAIN_PASSWORD), ("GITHUB_ACTIONS", "true")];
    let run = against_with_env(
        &stack,
        &world.access_key,
        dir.path(),
        &["plan", "--output", "json"],
        &actions,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let mut first_lines: Vec<&str> = run.stderr.lines().take(2).collect();
    first_lines.sort_unstable();
    assert_eq!(
        first_lines,
        [
            format!("::add-mask::{PLAIN_PASSWORD}"),
            format!("::add-mask::{URL_PASSWORD}")
        ]
    );
    assert_eq!(run.json()["status"], "planned");
    assert_no_secret(&run);
}
