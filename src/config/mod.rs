//! The `ecs-migrate.yml` config: read and expand the file into a raw layer, merge the CLI flags
//! over it, then resolve one validated [`Settings`]. Every problem is a [`ConfigError`] that
//! points at the file, line and key.

mod environments;
mod error;
mod interpolate;
mod lint;
mod local;
mod merge;
mod parity;
mod raw;
mod resolve;
mod scalar;
pub mod schema;
mod sections;
mod settings;
mod suggest;
mod tool;
mod values;
mod verify;

#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

pub use error::ConfigError;
pub use lint::{FailOn, LintSettings};
pub use local::{LocalSettings, RawLocal};
pub use parity::{EbsVolumeOverride, Placement, ServiceOverrides};
pub use raw::{
    CommandSpec, RawBuild, RawCapacityProvider, RawCommands, RawConfig, RawImage, RawNetwork,
    RawReport,
};
pub use settings::{
    BaseSource, BuildSettings, CapacityProvider, ImageSettings, KeepContainers, NetworkSettings,
    OnCancel, OnConflict, ReportSettings, Settings,
};
pub use tool::{ToolOrigin, ToolSettings};
pub use verify::{Check, VerifySettings};

/// Reads and interpolates one config file. `lookup` returns an environment variable's value
/// (the binary passes `|k| std::env::var(k).ok()`; tests pass a map).
pub fn load_file(
    path: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<RawConfig, ConfigError> {
    let text =
        std::fs::read_to_string(path).map_err(|error| ConfigError::unreadable(path, &error))?;
    parse(&text, path, lookup)
}

/// Parses config text as if read from `path` (which is only named in messages).
pub(crate) fn parse(
    text: &str,
    path: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<RawConfig, ConfigError> {
    // Editors on Windows may start the file with a byte order mark; it is not part of a key.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A first untyped pass reports syntax errors as such (the typed pass would often report a
    // type error first) and finds which variables the values use.
    let document: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|error| ConfigError::from_syntax(path, &error, text))?;
    if document.is_null() {
        return Err(ConfigError::new(
            Some(path),
            Some(1),
            None,
            "the config file is empty (add at least `cluster: <name>` and `service: <name>`)",
        ));
    }
    let mut names = BTreeSet::new();
    collect_variable_names(&document, &mut names);
    let variables: HashMap<String, String> = names
        .into_iter()
        .filter_map(|name| lookup(&name).map(|value| (name, value)))
        .collect();

    interpolate::with_variables(variables, || {
        serde_path_to_error::deserialize(serde_yaml::Deserializer::from_str(text))
    })
    .map_err(|error| ConfigError::from_typed_parse(path, &error))
}

fn collect_variable_names(value: &serde_yaml::Value, names: &mut BTreeSet<String>) {
    use serde_yaml::Value;
    match value {
        Value::String(text) => interpolate::referenced_names(text, names),
        Value::Sequence(items) => items
            .iter()
            .for_each(|item| collect_variable_names(item, names)),
        Value::Mapping(entries) => entries
            .values()
            .for_each(|value| collect_variable_names(value, names)),
        Value::Tagged(tagged) => collect_variable_names(&tagged.value, names),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}
