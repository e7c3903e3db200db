//! Decides which of the base task's other containers the migration takes along (what it
//! depends on, its volume sources, its log router) and strips their service-only settings.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::container_name;

/// Keeps only the `kept` containers and removes what would break or mislead a one-off task:
/// references to removed containers, static host ports (they collide with the running service
/// on EC2/bridge hosts) and health checks nothing waits for.
pub(super) fn keep_only(
    containers: &mut Vec<Map<String, Value>>,
    kept: &BTreeSet<String>,
    migration: &str,
) {
    containers.retain(|container| kept.contains(&container_name(container)));
    for container in containers.iter_mut() {
        drop_references_to_removed(container, kept, migration);
    }
    let awaited_healthy = containers_awaited_healthy(containers);
    for container in containers.iter_mut() {
        let name = container_name(container);
        if name != migration && !awaited_healthy.contains(&name) {
            container.shift_remove("healthCheck");
        }
        container.shift_remove("portMappings");
    }
}

/// The migration container plus what it cannot start without: the containers it `dependsOn` or
/// takes `volumesFrom` (transitively), and the FireLens log router when a kept container logs
/// through it.
pub(super) fn required_containers(
    containers: &[Map<String, Value>],
    names: &[String],
    migration: usize,
) -> BTreeSet<String> {
    let log_routers = containers
        .iter()
        .filter(|container| container.contains_key("firelensConfiguration"));
    let log_router_names: Vec<String> = log_routers.map(container_name).collect();
    let mut kept = BTreeSet::new();
    let mut pending = vec![names[migration].clone()];
    while let Some(name) = pending.pop() {
        let Some(index) = names.iter().position(|candidate| *candidate == name) else {
            continue;
        };
        if !kept.insert(name) {
            continue;
        }
        let container = &containers[index];
        pending.extend(referenced_names(
            container.get("dependsOn"),
            "containerName",
        ));
        pending.extend(referenced_names(
            container.get("volumesFrom"),
            "sourceContainer",
        ));
        let log_driver = container
            .get("logConfiguration")
            .and_then(|config| config.get("logDriver"));
        if log_driver.and_then(Value::as_str) == Some("awsfirelens") {
            pending.extend(log_router_names.iter().cloned());
        }
    }
    kept
}

fn referenced_names(list: Option<&Value>, key: &str) -> Vec<String> {
    let entries = list
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    entries
        .iter()
        .filter_map(|entry| entry.get(key)?.as_str().map(str::to_owned))
        .collect()
}

/// Drops `dependsOn`, `links` and `volumesFrom` entries naming removed containers. A HEALTHY
/// wait on the migration container becomes START, since it no longer has a health check.
fn drop_references_to_removed(
    container: &mut Map<String, Value>,
    kept: &BTreeSet<String>,
    migration: &str,
) {
    let names_kept = |entry: &Value, key: &str| {
        entry
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|name| kept.contains(name))
    };
    retain_entries(container, "dependsOn", |entry| {
        names_kept(entry, "containerName")
    });
    retain_entries(container, "volumesFrom", |entry| {
        names_kept(entry, "sourceContainer")
    });
    // A link is "name" or "name:alias".
    retain_entries(container, "links", |link| {
        link.as_str()
            .and_then(|link| link.split(':').next())
            .is_some_and(|name| kept.contains(name))
    });
    if let Some(Value::Array(depends_on)) = container.get_mut("dependsOn") {
        for entry in depends_on.iter_mut() {
            let on_migration =
                entry.get("containerName").and_then(Value::as_str) == Some(migration);
            if on_migration && entry.get("condition").and_then(Value::as_str) == Some("HEALTHY") {
                entry["condition"] = json!("START");
            }
        }
    }
}

/// Keeps the entries of the list under `key` that pass `keep`; a list emptied this way goes.
fn retain_entries(container: &mut Map<String, Value>, key: &str, keep: impl Fn(&Value) -> bool) {
    let Some(Value::Array(entries)) = container.get_mut(key) else {
        return;
    };
    let had_entries = !entries.is_empty();
    entries.retain(|entry| keep(entry));
    if had_entries && entries.is_empty() {
        container.shift_remove(key);
    }
}

fn containers_awaited_healthy(containers: &[Map<String, Value>]) -> BTreeSet<String> {
    let depends_on = containers
        .iter()
        .filter_map(|container| container.get("dependsOn")?.as_array());
    depends_on
        .flatten()
        .filter(|entry| entry.get("condition").and_then(Value::as_str) == Some("HEALTHY"))
        .filter_map(|entry| entry.get("containerName")?.as_str().map(str::to_owned))
        .collect()
}
