use super::*;

fn failed_outcome() -> Outcome {
    let mut outcome = Outcome::new("db", Status::Failed);
    outcome.exit_code = Some(3);
    outcome.reason = Some("container \"app\" exited with code 3 <oops>".to_owned());
    outcome.task_arn = Some("arn:aws:ecs:us-east-1:1:task/c/0f1e".to_owned());
    outcome.task_url = Some("https://console/ecs/0f1e".to_owned());
    outcome.log_url = Some("https://console/logs".to_owned());
    outcome.task_definition_arn =
        Some("arn:aws:ecs:us-east-1:1:task-definition/app-migrate:7".to_owned());
    outcome.image = Some("app:1".to_owned());
    outcome.command = Some(vec!["sh".into(), "-c".into(), "echo a|b; exit 3".into()]);
    outcome.stop_code = Some("EssentialContainerExited".to_owned());
    outcome.stopped_reason = Some("Essential container in task exited".to_owned());
    outcome.duration_seconds = Some(62);
    outcome.log_tail = vec![
        "\u{1b}[31mmigrating\u{1b}[0m".to_owned(),
        "```".to_owned(),
        "</details>".to_owned(),
    ];
    outcome
}

#[test]
fn a_failed_run_shows_every_row_links_and_the_folded_log_tail() {
    assert_eq!(
        section(&failed_outcome(), &[]),
        "### ❌ Migration ` db ` failed\n\
         \n\
         | Status | **failed** |\n\
         | --- | --- |\n\
         | Task | [` 0f1e `](https://console/ecs/0f1e) |\n\
         | Task definition | ` arn:aws:ecs:us-east-1:1:task-definition/app-migrate:7 ` |\n\
         | Image | ` app:1 ` |\n\
         | Command | ` sh -c 'echo a\\|b; exit 3' ` |\n\
         | Duration | 1m 2s |\n\
         | Exit code | 3 |\n\
         | Stop reason | ` EssentialContainerExited: Essential container in task exited ` |\n\
         | Reason | container \"app\" exited with code 3 &lt;oops&gt; |\n\
         \n\
         [CloudWatch logs](https://console/logs) · [ECS task](https://console/ecs/0f1e)\n\
         \n\
         <details><summary>Last 3 log lines</summary>\n\
         \n\
         ````text\n\
         migrating\n\
         ```\n\
         </details>\n\
         ````\n\
         \n\
         </details>\n\
         \n"
    );
}

#[test]
fn a_plan_lists_only_what_is_known_plus_its_own_rows() {
    let mut outcome = Outcome::new("db", Status::Planned);
    outcome.image = Some("app:`x`".to_owned());
    let text = section(&outcome, &[("Family", "app-migrate (register)".to_owned())]);
    assert_eq!(
        text,
        "### 📝 Migration ` db ` planned\n\n\
         | Status | **planned** |\n\
         | --- | --- |\n\
         | Family | app-migrate (register) |\n\
         | Image | `` app:`x` `` |\n\n"
    );
}

#[test]
fn what_the_tool_said_and_a_failed_verification_are_rows() {
    let mut outcome = Outcome::new("db", Status::Failed);
    outcome.exit_code = Some(0);
    outcome.applied = Some(vec!["0001".into(), "0002".into()]);
    outcome.version = Some(crate::outcome::Version::Change {
        before: None,
        after: Some("0002".into()),
    });
    outcome.pending = Some(Vec::new());
    outcome.reason = Some(
        "migrated, but verification widgets failed: expected output matching \"^widgets: \
         [1-9]\", saw \"widgets: 0\""
            .into(),
    );
    assert_eq!(
        section(&outcome, &[]),
        "### ❌ Migration ` db ` failed\n\
         \n\
         | Status | **failed** |\n\
         | --- | --- |\n\
         | Exit code | 0 |\n\
         | Applied | 0001, 0002 |\n\
         | Version | ? → 0002 |\n\
         | Pending | none |\n\
         | Reason | migrated, but verification widgets failed: expected output matching \
         \"^widgets: [1-9]\", saw \"widgets: 0\" |\n\
         \n"
    );
    outcome.version = Some(crate::outcome::Version::Current("0002".into()));
    outcome.applied = None;
    let text = section(&outcome, &[]);
    assert!(text.contains("| Version | 0002 |\n"), "{text}");
    assert!(!text.contains("| Applied"), "{text}");
}

#[test]
fn the_environment_is_in_the_heading_and_a_row() {
    let mut outcome = Outcome::new("db", Status::Succeeded);
    outcome.environment = Some("staging".to_owned());
    let text = section(&outcome, &[]);
    assert!(
        text.starts_with(
            "### ✅ Migration ` db ` (staging) succeeded\n\n| Status | **succeeded** |\n| --- | --- |\n\
             | Environment | ` staging ` |\n"
        ),
        "{text}"
    );
    assert!(!section(&Outcome::new("db", Status::Succeeded), &[]).contains("Environment"));
}
