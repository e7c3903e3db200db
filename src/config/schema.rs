//! The JSON Schema of `ecs-migrate.yml`, generated from the raw config types (schemars), for
//! editors: completion, hover text and errors as you type (`ecs-migrate schema`, and the
//! `# yaml-language-server: $schema=…` line of the examples). The loader reads every scalar as
//! text and expands `${VAR}` before converting it, so each kind of scalar here accepts what the
//! loader accepts: its own values, or any string with a `${…}` in it (known only at load time).

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

use super::raw::{CommandSpec, RawConfig};
use super::settings::{KeepContainers, OnCancel, OnConflict};
use super::values::LAUNCH_TYPES;
use crate::tools::ToolId;

/// Where releases publish the schema; the examples' `$schema` line points here.
pub const PUBLISHED_AT: &str =
    "https://github.com/ecs-migrate/ecs-migrate/releases/latest/download/ecs-migrate.schema.json";

/// What `parse_duration` reads: amounts with units.
const DURATION_PATTERN: &str = r"^\s*(\d+\s*(ms|s|m|h|d)\s*)*$";

/// A string whose value is known only after `${VAR}` expansion.
const INTERPOLATED: &str = r".*\$\{[^}]+\}.*";

/// The schema document `ecs-migrate schema` prints.
pub fn document() -> Value {
    let mut schema = schemars::schema_for!(RawConfig).to_value();
    schema["$id"] = json!(PUBLISHED_AT);
    schema["title"] = json!("ecs-migrate.yml");
    schema["description"] = json!(
        "The config file of ecs-migrate: how to derive, run, wait for and report a database \
         migration as a one-off Amazon ECS task. Every key is optional in the file; see the \
         docs' Config chapter."
    );
    schema
}

fn interpolated() -> Value {
    json!({ "type": "string", "pattern": format!("^{INTERPOLATED}$") })
}

/// One of `values` (the canonical spelling), a `${…}` string, or null (unset).
fn one_of(values: &[&str]) -> Schema {
    json_schema!({ "anyOf": [{ "enum": values }, interpolated(), { "type": "null" }] })
}

/// Text: YAML's bare numbers and booleans are read as the text they are written as.
pub fn text(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": ["string", "number", "boolean", "null"] })
}

/// Text that must be there (no null).
pub fn required_text(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": ["string", "number", "boolean"] })
}

pub fn count(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "anyOf": [
        { "type": "integer", "minimum": 0 },
        { "type": "string", "pattern": r"^\s*\d*\s*$" },
        interpolated(),
        { "type": "null" },
    ] })
}

pub fn signed(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "anyOf": [
        { "type": "integer" },
        { "type": "string", "pattern": r"^\s*-?\d*\s*$" },
        interpolated(),
        { "type": "null" },
    ] })
}

pub fn flag(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "anyOf": [
        { "type": "boolean" },
        { "type": "string", "pattern": r"^\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])?\s*$" },
        interpolated(),
        { "type": "null" },
    ] })
}

pub fn duration(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "A duration: amounts with units ms, s, m, h, d, e.g. 90s, 15m, 1h30m",
        "anyOf": [
            { "type": "string", "pattern": DURATION_PATTERN },
            interpolated(),
            { "type": "null" },
        ]
    })
}

pub fn poll_interval(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "auto (adaptive, the default), or a fixed interval such as 2s",
        "anyOf": [
            { "const": "auto" },
            { "type": "string", "pattern": DURATION_PATTERN },
            interpolated(),
            { "type": "null" },
        ]
    })
}

pub fn launch_type(_: &mut SchemaGenerator) -> Schema {
    one_of(&LAUNCH_TYPES)
}

pub fn on_cancel(_: &mut SchemaGenerator) -> Schema {
    one_of(&keywords(OnCancel::KEYWORDS))
}

pub fn on_conflict(_: &mut SchemaGenerator) -> Schema {
    one_of(&keywords(OnConflict::KEYWORDS))
}

pub fn keep_containers(_: &mut SchemaGenerator) -> Schema {
    one_of(&keywords(KeepContainers::KEYWORDS))
}

pub fn tool(_: &mut SchemaGenerator) -> Schema {
    let names: Vec<&str> = ToolId::ALL.iter().map(|id| id.as_str()).collect();
    one_of(&names)
}

pub fn fail_on(_: &mut SchemaGenerator) -> Schema {
    one_of(&keywords(super::lint::FailOn::KEYWORDS))
}

/// A regular expression (checked when the file is read).
pub fn regex(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": ["string", "null"] })
}

/// `report.error_pattern`: a regular expression too.
pub fn error_pattern(generator: &mut SchemaGenerator) -> Schema {
    regex(generator)
}

pub fn text_list(generator: &mut SchemaGenerator) -> Schema {
    let item = text(generator);
    json_schema!({ "anyOf": [
        { "type": "array", "items": item },
        { "type": "string" },
        { "type": "null" },
    ] })
}

/// Resource ids: a list, or one comma-separated string.
pub fn id_list(generator: &mut SchemaGenerator) -> Schema {
    text_list(generator)
}

pub fn text_map(generator: &mut SchemaGenerator) -> Schema {
    let value = text(generator);
    json_schema!({ "type": ["object", "null"], "additionalProperties": value })
}

/// `environments:`: each one the keys of the top level (but never `environments:` again).
pub fn environments(generator: &mut SchemaGenerator) -> Schema {
    let layer = generator.subschema_for::<RawConfig>();
    json_schema!({
        "type": ["object", "null"],
        "additionalProperties": {
            "allOf": [layer, { "not": { "required": ["environments"] } }]
        }
    })
}

fn keywords<T>(choices: &[(&'static str, T)]) -> Vec<&'static str> {
    choices.iter().map(|(name, _)| *name).collect()
}

impl JsonSchema for CommandSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Command".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let word = required_text(generator);
        json_schema!({
            "description": "A list of arguments, or a command line as one string (split like a \
                            POSIX shell, nothing expanded)",
            "anyOf": [{ "type": "array", "items": word }, { "type": "string" }]
        })
    }
}
