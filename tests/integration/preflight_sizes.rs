//! Pre-flight refuses what ECS would refuse about the task definition itself (a Fargate task
//! size it does not offer, awslogs without `awslogs-region`): exit 2 from `plan` and `run`,
//! the valid values in the fix, and nothing registered or run.

use crate::support::aws::World;
use crate::support::binary::{against, offline};
use crate::support::stack::require_stack;

#[test]
fn a_fargate_size_ecs_would_refuse_stops_plan_and_run_before_anything_is_registered() {
    let stack = require_stack!();
    let world = World::with_app(&stack, "fargate-size", 64);
    let migrate = |command: &str, sizes: &[&str]| {
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec![
            command,
            "--cluster",
            &world.cluster,
            "--service",
            &world.service,
            "--command",
            "sh -c 'echo migrating'",
        ];
        args.extend_from_slice(sizes);
        against(&stack, &world.access_key, dir.path(), &args)
    };
    for command in ["plan", "run"] {
        let refused = migrate(command, &["--memory", "64"]);
        assert_eq!(refused.code, 2, "{command}: {}", refused.transcript());
        for expected in [
            "pre-flight found 1 problem (nothing was registered or run)",
            "Fargate has no task size of 256 CPU with 64 MiB memory",
            "with cpu 256, memory 512, 1024, 2048 (MiB)",
            "no Fargate cpu takes 64 MiB (cpu values: 256, 512, 1024, 2048, 4096, 8192, 16384)",
        ] {
            assert!(
                refused.stderr.contains(expected),
                "{command}: no {expected:?} in\n{}",
                refused.transcript()
            );
        }
    }
    let refused = migrate("plan", &["--cpu", "1024", "--memory", "1024"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("with cpu 1024, memory 2048, 3072, 4096, 5120, 6144, 7168, 8192")
            && refused
                .stderr
                .contains("or keep memory 1024 with cpu 256 or 512"),
        "{}",
        refused.transcript()
    );
    let actions = stack.actions(&world.access_key);
    let mutating: Vec<&String> = actions
        .iter()
        .filter(|action| ["RegisterTaskDefinition", "RunTask"].contains(&action.as_str()))
        .collect();
    assert!(mutating.is_empty(), "sent {mutating:?} of {actions:?}");
    assert!(world.migration_revisions().is_empty());

    // The same service with a size Fargate offers plans: the refusal is about the pair.
    let fine = migrate("plan", &["--cpu", "512", "--memory", "1024"]);
    assert_eq!(fine.code, 0, "{}", fine.transcript());
}

#[test]
fn a_base_task_definition_without_awslogs_region_is_refused_even_offline() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/taskdef.json"),
    )
    .unwrap();
    let without_region = example.replace("\"awslogs-region\": \"eu-west-1\",", "");
    assert_ne!(
        without_region, example,
        "the example names its awslogs-region"
    );
    std::fs::write(dir.path().join("taskdef.json"), without_region).unwrap();
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ecs-migrate.yml"),
        dir.path().join("ecs-migrate.yml"),
    )
    .unwrap();
    let run = offline(dir.path(), &["plan", "-c", "ecs-migrate.yml"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("container \"app\" logs with awslogs but has no awslogs-region option"),
        "{}",
        run.transcript()
    );
    assert!(
        run.stderr.contains("add \"awslogs-region\": \""),
        "{}",
        run.transcript()
    );
    assert!(run.stdout.is_empty(), "a refused plan printed a plan");
}
