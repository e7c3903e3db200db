//! Log streaming: every line once, in order, including the ones that land after STOPPED.

use crate::support::aws::World;
use crate::support::binary::{against, against_with_env, run_args};
use crate::support::stack::require_stack;

#[test]
fn five_thousand_lines_arrive_complete_in_order_without_duplicates() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "five-thousand-lines", 64);
    let dir = tempfile::tempdir().unwrap();
    let run = against(
        &stack,
        &world.access_key,
        dir.path(),
        &[
            "run",
            "--cluster",
            &world.cluster,
            "--service",
            &world.service,
            "--poll-interval",
            "250ms",
            "--command",
            "sh -c 'i=1; while [ $i -le 5000 ]; do echo \"line $i\"; i=$((i+1)); done'",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let lines = run.lines_starting_with("line ");
    let expected: Vec<String> = (1..=5000).map(|n| format!("line {n}")).collect();
    assert_eq!(lines.len(), 5000, "got {} lines", lines.len());
    assert!(
        lines.iter().zip(&expected).all(|(got, want)| got == want),
        "lines out of order or altered"
    );
}

/// `--quiet`: the result alone (stdout), no progress or task lines on stderr. `NO_COLOR`: the
/// task's lines without their colour escapes; without it they pass as the task printed them.
#[test]
fn quiet_prints_only_the_result_and_no_color_takes_the_task_s_colours_out() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "quiet-no-color", 64);
    let dir = tempfile::tempdir().unwrap();
    let command = r#"sh -c 'printf "\033[31mred line\033[0m\n"'"#;
    let mut quiet = run_args(&world, command);
    quiet.push("--quiet");
    let run = against(&stack, &world.access_key, dir.path(), &quiet);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.json()["status"], "succeeded");
    assert_eq!(run.stderr, "", "{}", run.transcript());

    let with_no_color = |value: &str| {
        let run = against_with_env(
            &stack,
            &world.access_key,
            dir.path(),
            &run_args(&world, command),
            &[("NO_COLOR", value)],
        );
        assert_eq!(run.code, 0, "{}", run.transcript());
        run
    };
    // The test binary's environment sets NO_COLOR=1; empty is unset (no-color.org).
    let coloured = with_no_color("");
    assert!(
        coloured.stderr.contains("\u{1b}[31mred line\u{1b}[0m"),
        "{}",
        coloured.transcript()
    );
    let plain = with_no_color("1");
    assert_eq!(plain.lines_starting_with("red line"), ["red line"]);
    assert!(!plain.stderr.contains('\u{1b}'), "{}", plain.transcript());
}
