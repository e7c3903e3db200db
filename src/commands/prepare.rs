//! What `run`, `plan` and `render` share: find the base task definition (a file, a named
//! revision, or the service's current one) and derive the migration task definition from it.

use anyhow::Result;

use crate::aws::Clients;
use crate::ci::{CiContext, Runner};
use crate::config::{BaseSource, KeepContainers, Settings};
use crate::failure::usage;
use crate::redact;
use crate::task::launch::{ServiceInfo, Tag, describe_service};
use crate::taskdef::derive::{Derived, Overrides, derive};
use crate::taskdef::{describe_task_definition, read_file};

pub struct Prepared {
    /// Where the base came from, for people: a file path or a task definition ARN.
    pub base_origin: String,
    pub derived: Derived,
    pub service: Option<ServiceInfo>,
}

/// Whether preparing needs AWS at all: a file base without a service needs nothing remote.
pub fn needs_aws(settings: &Settings) -> bool {
    !matches!(settings.base, BaseSource::File(_)) || settings.service.is_some()
}

pub async fn prepare(settings: &Settings, clients: Option<&Clients>) -> Result<Prepared> {
    let remote = || {
        clients
            .ok_or_else(|| anyhow::anyhow!("internal: AWS clients are needed but were not built"))
    };
    let service = match &settings.service {
        Some(name) => Some(describe_service(&remote()?.ecs, &settings.cluster, name).await?),
        None => None,
    };
    let (base, base_origin) = match &settings.base {
        BaseSource::File(path) => (read_file(path)?, path.display().to_string()),
        BaseSource::TaskDefinition(name) => (describe_base(remote()?, name).await?, name.clone()),
        BaseSource::Service(_) => {
            let current = &service
                .as_ref()
                .expect("a service base always has a service")
                .task_definition;
            (describe_base(remote()?, current).await?, current.clone())
        }
    };
    let derived = derive(&base, &overrides(settings))?;
    let github_actions = CiContext::current().runner == Runner::GitHubActions;
    redact::announce(&derived.task_definition, github_actions);
    Ok(Prepared {
        base_origin,
        derived,
        service,
    })
}

async fn describe_base(clients: &Clients, name: &str) -> Result<serde_json::Value> {
    describe_task_definition(&clients.ecs, name)
        .await?
        .ok_or_else(|| {
            usage(format!(
                "task definition {name:?} not found: check `task_definition` in the config \
                 (family, family:revision or ARN) and the region"
            ))
        })
}

fn overrides(settings: &Settings) -> Overrides {
    Overrides {
        container: settings.container.clone(),
        family: settings.family.clone(),
        image: settings.image.uri.clone(),
        command: settings.command.clone(),
        entrypoint: settings.entrypoint.clone(),
        environment: settings.environment.clone(),
        secrets: settings.secrets.clone(),
        cpu: settings.cpu,
        memory: settings.memory,
        keep_all_containers: settings.keep_containers == KeepContainers::All,
    }
}

/// Tags for what we register and run: the user's, plus which migration, commit and CI run.
pub fn resource_tags(settings: &Settings, ci: &CiContext) -> Vec<Tag> {
    let mut tags: Vec<Tag> = settings
        .tags
        .iter()
        .map(|(key, value)| Tag {
            key: key.clone(),
            value: value.clone(),
        })
        .collect();
    let ours = [
        ("ecs-migrate:name", Some(settings.name.clone())),
        ("ecs-migrate:environment", settings.environment_name.clone()),
        ("ecs-migrate:commit", ci.commit.clone()),
        ("ecs-migrate:ci-run", ci.run.clone()),
    ];
    for (key, value) in ours {
        if let Some(value) = value {
            tags.push(Tag {
                key: key.to_owned(),
                value,
            });
        }
    }
    tags
}

/// The migration container's definition in the derived task definition.
pub fn migration_container(prepared: &Prepared) -> &serde_json::Value {
    prepared.derived.task_definition["containerDefinitions"]
        .as_array()
        .and_then(|containers| {
            containers
                .iter()
                .find(|container| container["name"] == prepared.derived.container.as_str())
        })
        .unwrap_or(&serde_json::Value::Null)
}
