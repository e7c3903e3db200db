//! Properties every tool must have: a registry entry under its own id, non-interactive defaults
//! where it has them, and an explanation where it has none.

use super::*;

fn settings(id: ToolId) -> CommandSettings {
    CommandSettings {
        migrations_dir: tool(id).default_migrations_dir().to_owned(),
        data_source: Some("data-source.js".to_owned()),
    }
}

#[test]
fn the_registry_holds_every_tool_under_its_own_id() {
    for id in ToolId::ALL {
        assert_eq!(tool(id).id(), id);
        assert!(!tool(id).default_migrations_dir().is_empty());
    }
}

#[test]
fn every_real_tool_has_up_and_status_and_one_step_down_or_a_reason() {
    for id in ToolId::ALL.into_iter().filter(|id| *id != ToolId::Custom) {
        let settings = settings(id);
        let up = tool(id).up_command(&settings).unwrap();
        let status = tool(id).status_command(&settings).unwrap();
        assert!(!up.is_empty() && !status.is_empty(), "{id}");
        match tool(id).down_command(&DownTarget::Steps(1), &settings) {
            Ok(down) => assert!(!down.is_empty(), "{id}"),
            Err(CommandError::NoDown { .. }) => {
                assert!(matches!(id, ToolId::Flyway | ToolId::Prisma), "{id}")
            }
            // Django goes down per app, to a named migration only.
            Err(CommandError::UnsupportedDown { .. }) => assert_eq!(id, ToolId::Django),
            Err(other) => panic!("{id}: {other}"),
        }
    }
}

#[test]
fn defaults_never_ask_a_question() {
    // Commands that prompt without these flags: Django's migrate, golang-migrate's bare `down`.
    let django = tool(ToolId::Django)
        .up_command(&settings(ToolId::Django))
        .unwrap();
    assert!(django.contains(&"--noinput".to_owned()));
    let down = tool(ToolId::GolangMigrate)
        .down_command(&DownTarget::Steps(1), &settings(ToolId::GolangMigrate))
        .unwrap();
    assert!(down[2].ends_with(" down 1"));
}

#[test]
fn custom_explains_it_has_no_defaults() {
    let error = tool(ToolId::Custom)
        .up_command(&settings(ToolId::Custom))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "custom needs `command`: a custom migration tool has no default commands"
    );
}

#[test]
fn reports_serialize_small() {
    let report = StatusReport {
        applied: vec!["0001".into()],
        pending: vec![],
        version: Some("0001".into()),
        half_migrated: None,
        note: None,
    };
    assert_eq!(
        serde_json::to_string(&report).unwrap(),
        r#"{"applied":["0001"],"pending":[],"version":"0001"}"#
    );
}

#[test]
fn each_tool_reports_failures_under_its_own_name_only() {
    // Every tool reads every recorded failure (as `Recognizer::scan` has it do): whatever it
    // finds carries its own name, so Alembic and Django, which share one traceback walk, never
    // report the same traceback twice.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tools/fixtures");
    for id in ToolId::ALL {
        for dir in std::fs::read_dir(&root).unwrap().flatten() {
            let Ok(cases) = std::fs::read_dir(dir.path().join("failures")) else {
                continue;
            };
            for case in cases.flatten() {
                let path = case.path();
                if path.extension().is_none_or(|extension| extension != "log") {
                    continue;
                }
                let texts: Vec<String> = std::fs::read_to_string(&path)
                    .unwrap()
                    .lines()
                    .map(crate::migration_errors::clean::line)
                    .collect();
                let lines: Vec<Line<'_>> = texts
                    .iter()
                    .enumerate()
                    .map(|(at, text)| Line { at, text })
                    .collect();
                let mut found = Vec::new();
                tool(id).failures(&lines, &mut found);
                for finding in &found {
                    assert_eq!(finding.tool, id.as_str(), "{}", path.display());
                }
            }
        }
    }
}
