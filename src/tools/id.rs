//! The names of the migration tools, as written in `tool:` and printed in plans and results; an
//! unknown name is answered with the valid ones and the nearest.

use std::fmt;
use std::str::FromStr;

/// A migration tool ecs-migrate knows; `custom` is any other command.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ToolId {
    Rails,
    Django,
    Alembic,
    Flyway,
    Liquibase,
    Prisma,
    GolangMigrate,
    Goose,
    Dbmate,
    Sqlx,
    Knex,
    Typeorm,
    Sequelize,
    Custom,
}

impl ToolId {
    /// Every tool, in the order the documentation lists them.
    pub const ALL: [ToolId; 14] = [
        ToolId::Rails,
        ToolId::Django,
        ToolId::Alembic,
        ToolId::Flyway,
        ToolId::Liquibase,
        ToolId::Prisma,
        ToolId::GolangMigrate,
        ToolId::Goose,
        ToolId::Dbmate,
        ToolId::Sqlx,
        ToolId::Knex,
        ToolId::Typeorm,
        ToolId::Sequelize,
        ToolId::Custom,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ToolId::Rails => "rails",
            ToolId::Django => "django",
            ToolId::Alembic => "alembic",
            ToolId::Flyway => "flyway",
            ToolId::Liquibase => "liquibase",
            ToolId::Prisma => "prisma",
            ToolId::GolangMigrate => "golang-migrate",
            ToolId::Goose => "goose",
            ToolId::Dbmate => "dbmate",
            ToolId::Sqlx => "sqlx",
            ToolId::Knex => "knex",
            ToolId::Typeorm => "typeorm",
            ToolId::Sequelize => "sequelize",
            ToolId::Custom => "custom",
        }
    }
}

impl fmt::Display for ToolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `tool:` value that names no known tool.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown migration tool `{given}`{}; valid tools: {}", nearest_hint(.nearest), valid_list())]
pub struct UnknownTool {
    pub given: String,
    pub nearest: Option<ToolId>,
}

fn nearest_hint(nearest: &Option<ToolId>) -> String {
    nearest.map_or_else(String::new, |id| format!(" (did you mean `{id}`?)"))
}

fn valid_list() -> String {
    let names: Vec<&str> = ToolId::ALL.iter().map(|id| id.as_str()).collect();
    names.join(", ")
}

impl FromStr for ToolId {
    type Err = UnknownTool;

    fn from_str(given: &str) -> Result<Self, Self::Err> {
        let wanted = given.trim().to_ascii_lowercase();
        if let Some(id) = ToolId::ALL.into_iter().find(|id| id.as_str() == wanted) {
            return Ok(id);
        }
        // Spellings people reach for: the binary or package name instead of the project's.
        let alias = match wanted.as_str() {
            "migrate" | "golang_migrate" | "golangmigrate" => Some(ToolId::GolangMigrate),
            "sequelize-cli" => Some(ToolId::Sequelize),
            "sqlx-cli" => Some(ToolId::Sqlx),
            "activerecord" | "active_record" => Some(ToolId::Rails),
            _ => None,
        };
        let nearest = alias.or_else(|| {
            ToolId::ALL
                .into_iter()
                .map(|id| (strsim::jaro_winkler(&wanted, id.as_str()), id))
                .filter(|(score, _)| *score >= 0.75)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, id)| id)
        });
        Err(UnknownTool {
            given: given.to_owned(),
            nearest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_parses_from_and_displays_as_its_name_and_serde_agrees() {
        for id in ToolId::ALL {
            assert_eq!(id.as_str().parse::<ToolId>(), Ok(id));
            assert_eq!(id.to_string(), id.as_str());
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{id}\""));
            assert_eq!(serde_json::from_str::<ToolId>(&json).unwrap(), id);
        }
        assert!(serde_json::from_str::<ToolId>("\"golang_migrate\"").is_err());
    }

    #[test]
    fn an_unknown_name_lists_the_valid_ones_and_suggests_the_nearest() {
        let error = "alembik".parse::<ToolId>().unwrap_err();
        assert_eq!(error.nearest, Some(ToolId::Alembic));
        assert_eq!(
            error.to_string(),
            "unknown migration tool `alembik` (did you mean `alembic`?); valid tools: rails, \
             django, alembic, flyway, liquibase, prisma, golang-migrate, goose, dbmate, sqlx, \
             knex, typeorm, sequelize, custom"
        );
        assert_eq!(
            "migrate".parse::<ToolId>().unwrap_err().nearest,
            Some(ToolId::GolangMigrate)
        );
        assert_eq!("sqitch-xyz".parse::<ToolId>().unwrap_err().nearest, None);
        assert_eq!(" Rails ".parse::<ToolId>(), Ok(ToolId::Rails));
    }
}
