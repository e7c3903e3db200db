//! A canonical form of a task definition, so that a freshly derived migration definition can be
//! compared with the family's latest ACTIVE revision and an unchanged migration reuses that
//! revision instead of registering a new one on every run.
//!
//! DescribeTaskDefinition answers differ from the request that registered them in ways that are
//! not changes; each rule below removes one such difference and nothing else, so that a real
//! change (image digest, command, a variable's value, memory, a container) still compares
//! different.

use serde_json::{Map, Value};

use super::derive::{READ_ONLY_FIELDS, unwrap_document};

/// Task-level lists that ECS returns as `[]` when the request left them out.
const TASK_LISTS_DEFAULTED_EMPTY: &[&str] =
    &["volumes", "placementConstraints", "inferenceAccelerators"];

/// Container-level lists that ECS returns as `[]` when the request left them out, plus lists
/// where an empty list and no list mean the same thing to ECS.
const CONTAINER_LISTS_DEFAULTED_EMPTY: &[&str] = &[
    "portMappings",
    "volumesFrom",
    "mountPoints",
    "environment",
    "environmentFiles",
    "secrets",
    "systemControls",
    "dependsOn",
    "links",
    "ulimits",
];

/// Health check settings ECS fills in with these values when the request left them out.
const HEALTH_CHECK_DEFAULTS: &[(&str, u64)] = &[("interval", 30), ("timeout", 5), ("retries", 3)];

/// Returns `td` (bare or wrapped) in canonical form; see the module documentation.
pub fn normalise(td: &Value) -> Value {
    let Value::Object(mut task) = unwrap_document(td.clone()) else {
        return td.clone();
    };
    // Read-only fields describe one registration, not the definition.
    for field in READ_ONLY_FIELDS {
        task.remove(*field);
    }
    // Tags are metadata on the resource, not part of what the task runs.
    task.remove("tags");
    remove_empty_lists(&mut task, TASK_LISTS_DEFAULTED_EMPTY);
    // The API takes task-level cpu/memory as strings; a hand-written file may hold numbers.
    for key in ["cpu", "memory"] {
        if let Some(Value::Number(number)) = task.get(key) {
            let as_string = Value::String(number.to_string());
            task.insert(key.into(), as_string);
        }
    }
    let awsvpc = task.get("networkMode").and_then(Value::as_str) == Some("awsvpc");
    if let Some(Value::Array(containers)) = task.get_mut("containerDefinitions") {
        for container in containers.iter_mut().filter_map(Value::as_object_mut) {
            normalise_container(container, awsvpc);
        }
    }
    with_sorted_keys(Value::Object(task))
}

/// Whether `a` and `b` (bare or wrapped) define the same task once normalised.
pub fn same_definition(a: &Value, b: &Value) -> bool {
    normalise(a) == normalise(b)
}

fn normalise_container(container: &mut Map<String, Value>, awsvpc: bool) {
    remove_empty_lists(container, CONTAINER_LISTS_DEFAULTED_EMPTY);
    // `essential` defaults to true and container `cpu` to 0; ECS spells both out.
    if container.get("essential") == Some(&Value::Bool(true)) {
        container.remove("essential");
    }
    if container.get("cpu").and_then(Value::as_u64) == Some(0) {
        container.remove("cpu");
    }
    // ECS keeps variables in the order given, but the order means nothing to the container.
    for list in ["environment", "secrets"] {
        if let Some(Value::Array(entries)) = container.get_mut(list) {
            entries.sort_by(|a, b| variable_name(a).cmp(variable_name(b)));
        }
    }
    if let Some(Value::Array(port_mappings)) = container.get_mut("portMappings") {
        for mapping in port_mappings.iter_mut().filter_map(Value::as_object_mut) {
            normalise_port_mapping(mapping, awsvpc);
        }
    }
    if let Some(Value::Object(health_check)) = container.get_mut("healthCheck") {
        for (key, default) in HEALTH_CHECK_DEFAULTS {
            if health_check.get(*key).and_then(Value::as_u64) == Some(*default) {
                health_check.remove(*key);
            }
        }
    }
    if let Some(Value::Object(log_configuration)) = container.get_mut("logConfiguration") {
        remove_empty_lists(log_configuration, &["secretOptions"]);
    }
}

/// ECS fills in `protocol: "tcp"`, and under awsvpc a `hostPort` equal to the container port.
fn normalise_port_mapping(mapping: &mut Map<String, Value>, awsvpc: bool) {
    if mapping.get("protocol").and_then(Value::as_str) == Some("tcp") {
        mapping.remove("protocol");
    }
    if awsvpc
        && mapping.get("hostPort").is_some()
        && mapping.get("hostPort") == mapping.get("containerPort")
    {
        mapping.remove("hostPort");
    }
}

fn remove_empty_lists(map: &mut Map<String, Value>, keys: &[&str]) {
    for key in keys {
        if map
            .get(*key)
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            map.remove(*key);
        }
    }
}

fn variable_name(entry: &Value) -> &str {
    entry
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Key order is never meaningful in the API; sorting makes the canonical form printable and
/// hashable. Keys themselves (including user data such as `dockerLabels`) are left untouched.
fn with_sorted_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|(a, _), (b, _)| a.cmp(b));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, with_sorted_keys(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(with_sorted_keys).collect()),
        other => other,
    }
}

#[cfg(test)]
#[path = "normalise_tests.rs"]
mod tests;
