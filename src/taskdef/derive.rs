//! Turns the app's own task definition into the one-off migration task definition, so a migration
//! runs with the app's image, roles, network and secrets but without its web-only baggage.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

mod sidecars;

/// Top-level keys that DescribeTaskDefinition returns but RegisterTaskDefinition rejects.
pub(crate) const READ_ONLY_FIELDS: &[&str] = &[
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
];

/// What the user asked to change; `None`/empty means "as in the base task definition".
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub container: Option<String>,
    pub family: Option<String>,
    pub image: Option<String>,
    pub command: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub environment: BTreeMap<String, String>,
    /// Variable name -> `valueFrom` (an SSM parameter or Secrets Manager ARN).
    pub secrets: BTreeMap<String, String>,
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
    pub keep_all_containers: bool,
}

#[derive(Debug, Clone)]
pub struct Derived {
    /// A RegisterTaskDefinition request body, without tags.
    pub task_definition: Value,
    pub container: String,
    pub family: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DeriveError {
    #[error("the task definition is not a JSON object")]
    NotAnObject,
    #[error("the task definition has no containerDefinitions")]
    NoContainers,
    #[error("container definition #{index} has no \"name\"")]
    UnnamedContainer { index: usize },
    #[error("the task definition has no \"family\"; set `family`")]
    NoFamily,
    #[error("container {name:?} is not in the task definition; its containers are: {}", available.join(", "))]
    UnknownContainer {
        name: String,
        available: Vec<String>,
    },
    #[error("the task definition has several essential containers ({}); set `container` to the one that runs the migration", essential.join(", "))]
    AmbiguousContainer { essential: Vec<String> },
    #[error("the task definition has no essential container; set `container` to one of: {}", available.join(", "))]
    NoEssentialContainer { available: Vec<String> },
    #[error(
        "{name:?} is set in both `environment` and `secrets`; a variable can come from only one"
    )]
    EnvironmentAndSecret { name: String },
}

/// Accepts either a bare task definition or the `{"taskDefinition": …}` wrapper that
/// `aws ecs describe-task-definition` prints (with "tags" beside it, which is ignored here).
pub fn unwrap_document(doc: Value) -> Value {
    match doc {
        Value::Object(mut wrapper)
            if wrapper.get("taskDefinition").is_some_and(Value::is_object) =>
        {
            wrapper.shift_remove("taskDefinition").unwrap_or_default()
        }
        other => other,
    }
}

/// Derives the migration task definition. `base` may also be wrapped (see [`unwrap_document`]).
pub fn derive(base: &Value, overrides: &Overrides) -> Result<Derived, DeriveError> {
    let Value::Object(mut task) = unwrap_document(base.clone()) else {
        return Err(DeriveError::NotAnObject);
    };
    for field in READ_ONLY_FIELDS {
        task.shift_remove(*field);
    }
    // Tags belong to the registration call, not the definition; the caller adds its own.
    task.shift_remove("tags");

    let family = match &overrides.family {
        Some(family) => family.clone(),
        None => match task.get("family").and_then(Value::as_str) {
            Some(base_family) => format!("{base_family}-migrate"),
            None => return Err(DeriveError::NoFamily),
        },
    };
    task.insert("family".into(), Value::String(family.clone()));

    if let Some(name) = overrides
        .environment
        .keys()
        .find(|name| overrides.secrets.contains_key(*name))
    {
        return Err(DeriveError::EnvironmentAndSecret { name: name.clone() });
    }

    let mut containers = take_containers(&mut task)?;
    let names: Vec<String> = containers.iter().map(container_name).collect();
    let migration =
        choose_migration_container(&containers, &names, overrides.container.as_deref())?;
    let migration_name = names[migration].clone();

    apply_overrides(&mut containers[migration], &mut task, overrides);

    let kept: BTreeSet<String> = if overrides.keep_all_containers {
        names.iter().cloned().collect()
    } else {
        sidecars::required_containers(&containers, &names, migration)
    };
    sidecars::keep_only(&mut containers, &kept, &migration_name);

    // App Mesh proxy configuration names its Envoy container; registering it without that
    // container is rejected, so it goes when Envoy is not one of the migration's dependencies.
    let proxy_target = task
        .get("proxyConfiguration")
        .and_then(|proxy| proxy.get("containerName"));
    if proxy_target
        .and_then(Value::as_str)
        .is_some_and(|name| !kept.contains(name))
    {
        task.shift_remove("proxyConfiguration");
    }

    let containers = containers.into_iter().map(Value::Object).collect();
    task.insert("containerDefinitions".into(), Value::Array(containers));
    Ok(Derived {
        task_definition: Value::Object(task),
        container: migration_name,
        family,
    })
}

fn take_containers(task: &mut Map<String, Value>) -> Result<Vec<Map<String, Value>>, DeriveError> {
    let Some(Value::Array(list)) = task.get_mut("containerDefinitions").map(Value::take) else {
        return Err(DeriveError::NoContainers);
    };
    if list.is_empty() {
        return Err(DeriveError::NoContainers);
    }
    list.into_iter()
        .enumerate()
        .map(|(index, container)| match container {
            Value::Object(map) if map.get("name").is_some_and(Value::is_string) => Ok(map),
            _ => Err(DeriveError::UnnamedContainer { index }),
        })
        .collect()
}

fn container_name(container: &Map<String, Value>) -> String {
    container
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn choose_migration_container(
    containers: &[Map<String, Value>],
    names: &[String],
    requested: Option<&str>,
) -> Result<usize, DeriveError> {
    if let Some(requested) = requested {
        return names
            .iter()
            .position(|name| name == requested)
            .ok_or_else(|| DeriveError::UnknownContainer {
                name: requested.to_owned(),
                available: names.to_vec(),
            });
    }
    if containers.len() == 1 {
        return Ok(0);
    }
    let essential: Vec<usize> = (0..containers.len())
        .filter(|&index| containers[index].get("essential") != Some(&Value::Bool(false)))
        .collect();
    match essential.as_slice() {
        [single] => Ok(*single),
        [] => Err(DeriveError::NoEssentialContainer {
            available: names.to_vec(),
        }),
        several => Err(DeriveError::AmbiguousContainer {
            essential: several.iter().map(|&index| names[index].clone()).collect(),
        }),
    }
}

fn apply_overrides(
    container: &mut Map<String, Value>,
    task: &mut Map<String, Value>,
    overrides: &Overrides,
) {
    if let Some(image) = &overrides.image {
        container.insert("image".into(), json!(image));
    }
    if let Some(command) = &overrides.command {
        container.insert("command".into(), json!(command));
    }
    if let Some(entrypoint) = &overrides.entrypoint {
        container.insert("entryPoint".into(), json!(entrypoint));
    }
    merge_variables(
        container,
        "environment",
        "value",
        &overrides.environment,
        "secrets",
    );
    merge_variables(
        container,
        "secrets",
        "valueFrom",
        &overrides.secrets,
        "environment",
    );
    if let Some(cpu) = overrides.cpu {
        container.insert("cpu".into(), json!(cpu));
        task.insert("cpu".into(), json!(cpu.to_string()));
    }
    if let Some(memory) = overrides.memory {
        task.insert("memory".into(), json!(memory.to_string()));
        if container.contains_key("memory") {
            container.insert("memory".into(), json!(memory));
        }
        // A reservation above the task's memory is rejected at registration.
        let reservation = container.get("memoryReservation").and_then(Value::as_u64);
        if reservation.is_some_and(|reservation| reservation > u64::from(memory)) {
            container.shift_remove("memoryReservation");
        }
    }
    container.insert("essential".into(), Value::Bool(true));
    container.shift_remove("portMappings");
    container.shift_remove("healthCheck");
}

/// Sets each override on the entry of that name in `list_key` (keeping the list's order) or
/// appends it (in name order). ECS refuses a name that is both a variable and a secret, so an
/// override also removes the same name from `other_list_key`.
fn merge_variables(
    container: &mut Map<String, Value>,
    list_key: &str,
    value_key: &str,
    overrides: &BTreeMap<String, String>,
    other_list_key: &str,
) {
    if overrides.is_empty() {
        return;
    }
    if let Some(Value::Array(other)) = container.get_mut(other_list_key) {
        other.retain(|entry| !entry_name(entry).is_some_and(|name| overrides.contains_key(name)));
    }
    if !container.get(list_key).is_some_and(Value::is_array) {
        container.insert(list_key.into(), Value::Array(Vec::new()));
    }
    let Some(Value::Array(entries)) = container.get_mut(list_key) else {
        return;
    };
    for (name, value) in overrides {
        let mut found = false;
        for entry in entries
            .iter_mut()
            .filter(|entry| entry_name(entry) == Some(name))
        {
            entry[value_key] = json!(value);
            found = true;
        }
        if !found {
            entries.push(json!({ "name": name, value_key: value }));
        }
    }
}

fn entry_name(entry: &Value) -> Option<&str> {
    entry.get("name").and_then(Value::as_str)
}

#[cfg(test)]
#[path = "derive_rules_tests.rs"]
mod rule_tests;
#[cfg(test)]
#[path = "derive_tests.rs"]
mod tests;
