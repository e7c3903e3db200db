//! Tests for the config module, one file per behaviour area, with fixture YAML inline.

mod environments;
mod errors;
mod fuzz;
mod interpolation;
mod local;
mod merge;
mod resolve;
mod robustness;
mod sources;
mod tool;
mod verify;

use std::path::Path;

use super::{CommandSpec, ConfigError, RawConfig, Settings, parse};

/// The environment the fixtures see.
fn environment(name: &str) -> Option<String> {
    let value = match name {
        "GITHUB_SHA" => "abc123",
        "CLUSTER" => "app-prod",
        "CPU" => "1024",
        "PUBLIC" => "true",
        "SUBNETS" => "subnet-a, subnet-b",
        "EMPTY" => "",
        "TRICKY" => "p@ss: #1 {x}",
        _ => return None,
    };
    Some(value.to_owned())
}

fn load(yaml: &str) -> Result<RawConfig, ConfigError> {
    parse(yaml, Path::new("ecs-migrate.yml"), &environment)
}

fn load_error(yaml: &str) -> String {
    load(yaml)
        .expect_err("the fixture should be rejected")
        .to_string()
}

/// Resolved as if run from an empty checkout (no tool to detect), whatever the working directory.
fn resolve(yaml: &str) -> Result<Settings, ConfigError> {
    load(yaml)?.resolve_in(
        Some(Path::new("ecs-migrate.yml")),
        Path::new("/nonexistent-checkout"),
    )
}

fn settings(yaml: &str) -> Settings {
    resolve(yaml).unwrap_or_else(|error| panic!("{error}"))
}

fn resolve_error(yaml: &str) -> String {
    resolve(yaml)
        .expect_err("the fixture should be rejected")
        .to_string()
}
