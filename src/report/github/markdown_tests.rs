use super::*;

fn failed_outcome() -> Outcome {
    let mut outcome = Outcome::new("app-web", Status::Failed);
    outcome.reason = Some("container \"app\" exited with code 3".into());
    outcome.exit_code = Some(3);
    outcome.task_arn = Some("arn:aws:ecs:us-east-1:1:task/c/0f1e".into());
    outcome.task_url = Some("https://console/task/0f1e".into());
    outcome.task_definition_arn =
        Some("arn:aws:ecs:us-east-1:1:task-definition/app-migrate:7".into());
    outcome.image = Some("1.dkr.ecr/app:abc".into());
    outcome.command = Some(vec!["sh".into(), "-c".into(), "a | b".into()]);
    outcome.duration_seconds = Some(75);
    outcome.stop_code = Some("EssentialContainerExited".into());
    outcome.stopped_reason = Some("Essential container in task exited".into());
    outcome.log_url = Some("https://console/logs".into());
    outcome.log_tail = vec!["migrating".into(), "```".into(), "boom".into()];
    outcome
}

#[test]
fn the_report_shows_every_row_and_folds_the_log_tail() {
    let text = report(&failed_outcome(), "PRE\n", "SUF\n");
    assert!(text.starts_with("PRE\n> container \"app\" exited with code 3\n"));
    for row in [
        "| Task | [`0f1e`](https://console/task/0f1e) |",
        "| Task definition | `arn:aws:ecs:us-east-1:1:task-definition/app-migrate:7` |",
        "| Image | `1.dkr.ecr/app:abc` |",
        "| Command | `sh -c 'a \\| b'` |",
        "| Duration | 1m 15s |",
        "| Exit code | 3 |",
        "| Stop reason | `EssentialContainerExited`: Essential container in task exited |",
        "| Logs | [CloudWatch Logs](https://console/logs) |",
    ] {
        assert!(text.contains(row), "missing {row:?} in\n{text}");
    }
    // A fence longer than any backtick run in the log, so ``` in a line cannot close it.
    assert!(
        text.contains("<details><summary>Last 3 log lines</summary>\n\n````text\nmigrating\n```\nboom\n````\n</details>\n"),
        "{text}"
    );
    assert!(text.ends_with("SUF\n"));
}

#[test]
fn headlines_name_the_migration_and_its_status() {
    assert_eq!(headline(&failed_outcome()), "❌ Migration `app-web` failed");
    let succeeded = Outcome::new("db", Status::Succeeded);
    assert_eq!(headline(&succeeded), "✅ Migration `db` succeeded");
}

#[test]
fn an_oversized_report_is_cut_to_the_limit_with_a_note() {
    let mut outcome = failed_outcome();
    outcome.log_tail = vec!["x".repeat(5_000); 50];
    outcome.reason = Some("r".repeat(70_000));
    let text = report(&outcome, "", "");
    assert!(text.len() <= BODY_LIMIT, "{}", text.len());
    assert!(text.ends_with(TRUNCATED_NOTE));
}

#[test]
fn long_log_lines_are_shortened_so_the_tail_fits() {
    let mut outcome = failed_outcome();
    outcome.log_tail = vec!["y".repeat(5_000); 50];
    let text = report(&outcome, "", "");
    assert!(text.len() <= BODY_LIMIT);
    assert!(!text.contains("truncated: GitHub"));
    assert_eq!(text.matches("…\n").count(), 50);
}
