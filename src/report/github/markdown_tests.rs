use super::*;
use crate::outcome::Status;

fn failed_outcome() -> Outcome {
    let mut outcome = Outcome::new("app-web", Status::Failed);
    outcome.reason = Some("container \"app\" exited with code 3".into());
    outcome.exit_code = Some(3);
    outcome.task_arn = Some("arn:aws:ecs:us-east-1:1:task/c/0f1e".into());
    outcome.log_tail = vec!["migrating".into(), "boom".into()];
    outcome
}

#[test]
fn the_report_is_the_summary_section_between_prefix_and_suffix() {
    let outcome = failed_outcome();
    let text = report(&outcome, "PRE\n", "SUF\n");
    assert_eq!(
        text,
        format!("PRE\n{}SUF\n", summary::section(&outcome, &[]))
    );
    assert!(text.contains("| Exit code | 3 |"), "{text}");
}

#[test]
fn headlines_name_the_migration_and_its_status() {
    assert_eq!(headline(&failed_outcome()), "❌ Migration app-web failed");
    let succeeded = Outcome::new("db", Status::Succeeded);
    assert_eq!(headline(&succeeded), "✅ Migration db succeeded");
    assert_eq!(running_headline(&succeeded), "⏳ Migration db is running");
}

#[test]
fn long_log_lines_are_shortened_then_the_oldest_dropped_so_the_newest_fit() {
    let mut outcome = failed_outcome();
    outcome.log_tail = (0..50)
        .map(|index| format!("{index:02}{}", "y".repeat(5_000)))
        .collect();
    let text = report(&outcome, "", "");
    assert!(text.len() <= BODY_LIMIT, "{}", text.len());
    assert!(!text.contains("truncated: GitHub"));
    assert!(
        text.contains("Last 50 log lines"),
        "lines are shortened first"
    );
    assert_eq!(text.matches("…\n").count(), 50);

    outcome.log_tail = (0..100)
        .map(|index| format!("{index:02}{}", "z".repeat(2_000)))
        .collect();
    let text = report(&outcome, "", "");
    assert!(text.len() <= BODY_LIMIT, "{}", text.len());
    assert!(text.contains("Last 50 log lines"), "{}", &text[..300]);
    assert!(text.contains("\n99z") && !text.contains("\n49z"));
    assert!(
        text.trim_end().ends_with("</details>"),
        "the fence is closed"
    );
}

#[test]
fn an_oversized_reason_is_cut_to_the_limit_with_a_note() {
    let mut outcome = failed_outcome();
    outcome.reason = Some("r".repeat(70_000));
    let text = report(&outcome, "", "");
    assert!(text.len() <= BODY_LIMIT, "{}", text.len());
    assert!(text.ends_with(TRUNCATED_NOTE));
}
