//! `tool:`, `migrations_dir:` and `commands:`: detection, defaults, overrides and their errors.

use super::*;
use crate::config::ToolOrigin;
use crate::tools::{DownTarget, ToolId};

const BASE: &str = "cluster: c\nservice: s\n";

fn args(text: &str) -> Vec<String> {
    text.split(' ').map(str::to_owned).collect()
}

/// Resolves `yaml` with the migration tool detected in `checkout`.
fn settings_in(yaml: &str, checkout: &Path) -> Settings {
    load(yaml)
        .and_then(|raw| raw.resolve_in(Some(Path::new("ecs-migrate.yml")), checkout))
        .unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn a_known_tool_gives_its_up_command_and_migrations_dir_when_none_is_set() {
    let settings = settings(&format!("{BASE}tool: alembic\n"));
    assert_eq!(settings.tool.id, ToolId::Alembic);
    assert_eq!(settings.tool.origin, ToolOrigin::Configured);
    assert_eq!(settings.tool.migrations_dir, "alembic/versions");
    assert_eq!(settings.command, Some(args("alembic upgrade head")));
    assert_eq!(settings.tool.describe(), "alembic (configured)");
    assert_eq!(
        settings.tool.status_command(),
        Ok(args("alembic history --indicate-current"))
    );
    assert_eq!(
        settings.tool.down_command(&DownTarget::Steps(2)),
        Ok(args("alembic downgrade -2"))
    );
}

#[test]
fn command_wins_over_commands_up_and_commands_override_the_tool() {
    let resolved = settings(&format!(
        "{BASE}tool: golang-migrate\nmigrations_dir: sql\ncommand: bin/migrate\n\
         commands:\n  up: [never, used]\n  status: bin/status --all\n  down: [bin/down, \"{{steps}}\"]\n"
    ));
    assert_eq!(resolved.command, Some(args("bin/migrate")));
    assert_eq!(resolved.tool.migrations_dir, "sql");
    assert_eq!(resolved.tool.status_command(), Ok(args("bin/status --all")));
    assert_eq!(
        resolved.tool.down_command(&DownTarget::Steps(3)),
        Ok(args("bin/down 3"))
    );
    let settings = settings(&format!("{BASE}tool: rails\ncommands:\n  up: bin/up\n"));
    assert_eq!(settings.command, Some(args("bin/up")));
}

#[test]
fn without_tool_the_checkout_decides_and_nothing_found_keeps_the_old_behaviour() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/apps/alembic");
    let detected = settings_in(BASE, &app);
    assert_eq!(detected.tool.id, ToolId::Alembic);
    assert_eq!(detected.tool.describe(), "alembic (detected: alembic.ini)");
    assert_eq!(detected.command, Some(args("alembic upgrade head")));

    let settings = settings(BASE);
    assert_eq!(settings.tool.id, ToolId::Custom);
    assert_eq!(settings.command, None);
    assert_eq!(
        settings.tool.status_command().unwrap_err(),
        "`tool: custom` has no status command: set `commands.status` in the config (or pass \
         --status-command), or set `tool:` to a known tool"
    );
    assert!(
        settings
            .tool
            .down_command(&DownTarget::Steps(1))
            .unwrap_err()
            .starts_with("`tool: custom` has no down command: set `commands.down`")
    );
}

#[test]
fn a_tool_that_cannot_go_down_names_its_own_way() {
    let settings = settings(&format!("{BASE}tool: prisma\n"));
    let error = settings
        .tool
        .down_command(&DownTarget::Steps(1))
        .unwrap_err();
    assert!(error.starts_with("prisma cannot migrate down: "), "{error}");
    assert!(error.ends_with("(or set `commands.down` to a command of your own)"));
}

#[test]
fn an_unknown_tool_names_the_line_the_valid_ones_and_the_nearest() {
    assert_eq!(
        load_error(&format!("{BASE}tool: alembik\n")),
        "ecs-migrate.yml:3: tool: unknown migration tool `alembik` (did you mean `alembic`?); \
         valid tools: rails, django, alembic, flyway, liquibase, prisma, golang-migrate, goose, \
         dbmate, sqlx, knex, typeorm, sequelize, custom"
    );
    // From --tool, which skipped the file's checks.
    let flags = RawConfig {
        tool: Some("djago".to_owned()),
        ..load(BASE).unwrap()
    };
    let error = flags
        .resolve_in(None, Path::new("/nonexistent-checkout"))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("tool: unknown migration tool `djago` (did you mean `django`?)"),
        "{error}"
    );
    assert_eq!(
        load_error(&format!("{BASE}commands:\n  stats: x\n")),
        "ecs-migrate.yml:4: commands.stats: unknown key (did you mean `status`?)"
    );
}

#[test]
fn a_file_command_is_layered_under_the_flag() {
    let file = load(&format!("{BASE}commands:\n  status: a\n  down: b\n")).unwrap();
    let flags = RawConfig {
        commands: Some(crate::config::RawCommands {
            status: Some(CommandSpec::Shell("flag status".to_owned())),
            ..Default::default()
        }),
        ..RawConfig::default()
    };
    let merged = file
        .merge(flags)
        .resolve_in(None, Path::new("/nonexistent-checkout"))
        .unwrap();
    assert_eq!(merged.tool.status, Some(args("flag status")));
    assert_eq!(merged.tool.down, Some(args("b")));
}
