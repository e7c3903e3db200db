//! Log streaming: every line once, in order, including the ones that land after STOPPED.

use crate::support::aws::World;
use crate::support::binary::against;
use crate::support::stack::require_stack;

#[test]
fn five_thousand_lines_arrive_complete_in_order_without_duplicates() {
    let stack = require_stack!();
    let world = World::new(&stack, "five-thousand-lines");
    world.app_service(&stack, 64);
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
