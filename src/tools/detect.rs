//! Picks the migration tool of a checkout when the configuration names none: exactly one tool's
//! evidence → that tool; none, or several → `custom` (today's opaque command), with a reason
//! `plan` can print either way.

use std::path::Path;

use super::{Checkout, ToolId, tool, typeorm};

/// The outcome of detection, with what was found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Detection {
    pub tool: ToolId,
    /// What was found, e.g. "alembic.ini" or "both knexfile.js (knex) and …".
    pub reason: String,
    /// TypeORM's data source file, when that is the tool and one was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_source: Option<String>,
}

/// Detects the tool used in the checkout at `root`.
pub fn detect(root: &Path) -> Detection {
    let checkout = Checkout::new(root);
    let found: Vec<(ToolId, String)> = ToolId::ALL
        .into_iter()
        .filter(|id| *id != ToolId::Custom)
        .filter_map(|id| tool(id).detect(&checkout).map(|evidence| (id, evidence)))
        .collect();
    match found.as_slice() {
        [] => Detection {
            tool: ToolId::Custom,
            reason: "no migration tool recognised in the checkout".to_owned(),
            data_source: None,
        },
        [(id, evidence)] => Detection {
            tool: *id,
            reason: evidence.clone(),
            data_source: (*id == ToolId::Typeorm)
                .then(|| typeorm::data_source(&checkout))
                .flatten(),
        },
        several => {
            let listed: Vec<String> = several
                .iter()
                .map(|(id, evidence)| format!("{evidence} ({id})"))
                .collect();
            Detection {
                tool: ToolId::Custom,
                reason: format!(
                    "several migration tools recognised: {}; set `tool:` to choose",
                    listed.join(", ")
                ),
                data_source: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/apps")
            .join(name)
    }

    #[test]
    fn each_real_test_app_is_detected_as_its_tool() {
        let expected = [
            ("rails", ToolId::Rails, "db/migrate/ and Gemfile"),
            ("django", ToolId::Django, "manage.py"),
            ("alembic", ToolId::Alembic, "alembic.ini"),
            ("knex", ToolId::Knex, "knexfile.js"),
            ("sequelize", ToolId::Sequelize, ".sequelizerc"),
            (
                "typeorm",
                ToolId::Typeorm,
                "typeorm in package.json, data source data-source.js",
            ),
            (
                "dbmate",
                ToolId::Dbmate,
                "db/migrations/20240101120000_create_widgets.sql with -- migrate:up",
            ),
            ("liquibase", ToolId::Liquibase, "liquibase.properties"),
            // Reversible pairs and no Cargo.toml: golang-migrate's naming too, so the app says
            // `tool: sqlx`.
            (
                "sqlx",
                ToolId::Custom,
                "several migration tools recognised: migrations/20240101120000_create_widgets.up.sql \
                 and 20240101120000_create_widgets.down.sql (golang-migrate), \
                 migrations/20240101120000_create_widgets.down.sql named as sqlx names migrations \
                 (no Cargo.toml to confirm) (sqlx); set `tool:` to choose",
            ),
        ];
        for (name, tool, reason) in expected {
            let detection = detect(&app(name));
            assert_eq!(
                (detection.tool, detection.reason.as_str()),
                (tool, reason),
                "{name}"
            );
        }
        assert_eq!(
            detect(&app("typeorm")).data_source.as_deref(),
            Some("data-source.js")
        );
    }

    #[test]
    fn nothing_or_two_tools_is_custom_with_the_reason() {
        let empty = tempfile::tempdir().unwrap();
        let detection = detect(empty.path());
        assert_eq!(detection.tool, ToolId::Custom);
        assert_eq!(
            detection.reason,
            "no migration tool recognised in the checkout"
        );

        std::fs::write(empty.path().join("alembic.ini"), "[alembic]\n").unwrap();
        std::fs::write(empty.path().join("manage.py"), "").unwrap();
        let detection = detect(empty.path());
        assert_eq!(detection.tool, ToolId::Custom);
        assert_eq!(
            detection.reason,
            "several migration tools recognised: manage.py (django), alembic.ini (alembic); \
             set `tool:` to choose"
        );
    }
}
