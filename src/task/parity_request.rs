//! Fills the RunTask request's ECS Exec, placement, EBS volume and tag propagation fields: the
//! config's value where it sets one, the service's otherwise (see `service_parity`).

use anyhow::Result;
use serde_json::Value;

use super::launch::{RunTaskRequest, Tag};
use super::service_parity::{
    ManagedEbsVolume, PlacementConstraint, PlacementStrategy, ServiceParity,
    TaskVolumeConfiguration,
};
use crate::config::{EbsVolumeOverride, Placement, ServiceOverrides};
use crate::failure::usage;

/// RunTask accepts at most 50 tags; ours and the user's come first.
const MAX_TAGS: usize = 50;

pub fn apply(
    request: &mut RunTaskRequest,
    config: &ServiceOverrides,
    service: Option<&ServiceParity>,
    derived: &Value,
) -> Result<()> {
    request.enable_execute_command = config.enable_execute_command.or_else(|| {
        service
            .is_some_and(|s| s.enable_execute_command)
            .then_some(true)
    });

    // Fargate refuses placement constraints and strategies ("task placement constraints aren't
    // supported" on Fargate, PlacementConstraint in the ECS API reference): a service's are
    // dropped when the task runs there, and the config's are an error.
    let fargate = on_fargate(request, derived);
    let configured = config.placement_constraints.is_some() || config.placement_strategy.is_some();
    if fargate && configured {
        return Err(usage(
            "placement_constraints and placement_strategy cannot be used on Fargate (ECS \
             refuses them there): remove them, or run on EC2 (`launch_type: EC2` or an EC2 \
             capacity provider)",
        ));
    }
    if !fargate {
        request.placement_constraints = match &config.placement_constraints {
            Some(list) => list.iter().map(constraint).collect(),
            None => service
                .map(|s| s.placement_constraints.clone())
                .unwrap_or_default(),
        };
        request.placement_strategy = match &config.placement_strategy {
            Some(list) => list.iter().map(strategy).collect(),
            None => service
                .map(|s| s.placement_strategy.clone())
                .unwrap_or_default(),
        };
    }

    request.volume_configurations = volumes(config, service, derived)?;

    // RunTask refuses `propagateTags: SERVICE` (only TASK_DEFINITION or NONE are valid when
    // running a task), so a service propagating its own tags has them copied instead.
    match (&config.propagate_tags, service) {
        (Some(value), _) => request.propagate_tags = Some(value.clone()),
        (None, Some(service)) => match service.propagate_tags.as_deref() {
            Some("TASK_DEFINITION") => request.propagate_tags = Some("TASK_DEFINITION".into()),
            Some("SERVICE") => copy_tags(&mut request.tags, &service.tags),
            _ => {}
        },
        (None, None) => {}
    }
    Ok(())
}

/// On Fargate: by launch type, by capacity provider, or (neither given, so the cluster's
/// default strategy decides) because the task definition can run nowhere else.
fn on_fargate(request: &RunTaskRequest, derived: &Value) -> bool {
    if let Some(launch_type) = &request.launch_type {
        return launch_type == "FARGATE";
    }
    if !request.capacity_provider_strategy.is_empty() {
        return request
            .capacity_provider_strategy
            .iter()
            .any(|item| item.capacity_provider.starts_with("FARGATE"));
    }
    let compatible = derived["requiresCompatibilities"].as_array();
    compatible.is_some_and(|list| !list.is_empty() && list.iter().all(|item| item == "FARGATE"))
}

fn constraint(item: &Placement) -> PlacementConstraint {
    PlacementConstraint {
        kind: item.kind.clone(),
        expression: item.value.clone(),
    }
}

fn strategy(item: &Placement) -> PlacementStrategy {
    PlacementStrategy {
        kind: item.kind.clone(),
        field: item.value.clone(),
    }
}

/// One configuration for each volume the derived task definition marks `configuredAtLaunch`
/// (RunTask fails without it, and refuses one for any other volume): the service's for that
/// name, with the config's fields over it.
fn volumes(
    config: &ServiceOverrides,
    service: Option<&ServiceParity>,
    derived: &Value,
) -> Result<Vec<TaskVolumeConfiguration>> {
    let at_launch: Vec<&str> = derived["volumes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|volume| volume["configuredAtLaunch"] == true)
        .filter_map(|volume| volume["name"].as_str())
        .collect();
    if let Some(name) = config
        .volumes
        .keys()
        .find(|name| !at_launch.contains(&name.as_str()))
    {
        return Err(usage(format!(
            "volume_configurations names {name:?}, which is not a volume marked \
             configuredAtLaunch in the migration task definition (it has: {})",
            if at_launch.is_empty() {
                "none".to_owned()
            } else {
                at_launch.join(", ")
            }
        )));
    }
    let mut out = Vec::with_capacity(at_launch.len());
    for name in at_launch {
        let from_service = service.and_then(|service| {
            let found = service
                .volume_configurations
                .iter()
                .find(|v| v.name == name);
            found.map(|volume| volume.managed_ebs_volume.clone())
        });
        let over = config.volumes.get(name);
        if from_service.is_none() && over.is_none_or(|over| over.role_arn.is_none()) {
            return Err(usage(format!(
                "volume {name:?} is configured at launch, but the service gives no EBS \
                 settings for it: set `volume_configurations.{name}.role_arn` (and its size or \
                 snapshot) in the config"
            )));
        }
        let mut volume = from_service.unwrap_or_default();
        if let Some(over) = over {
            overlay(&mut volume, over);
        }
        out.push(TaskVolumeConfiguration {
            name: name.to_owned(),
            managed_ebs_volume: volume,
        });
    }
    Ok(out)
}

fn overlay(volume: &mut ManagedEbsVolume, over: &EbsVolumeOverride) {
    let number = |value: Option<u32>| value.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
    if let Some(role_arn) = &over.role_arn {
        volume.role_arn.clone_from(role_arn);
    }
    volume.size_in_gib = number(over.size_in_gib).or(volume.size_in_gib);
    volume.volume_type = over.volume_type.clone().or(volume.volume_type.take());
    volume.iops = number(over.iops).or(volume.iops);
    volume.throughput = number(over.throughput).or(volume.throughput);
    volume.encrypted = over.encrypted.or(volume.encrypted);
    volume.kms_key_id = over.kms_key_id.clone().or(volume.kms_key_id.take());
    volume.snapshot_id = over.snapshot_id.clone().or(volume.snapshot_id.take());
    volume.filesystem_type = over
        .filesystem_type
        .clone()
        .or(volume.filesystem_type.take());
}

/// The service's tags after ours, skipping keys already set, `aws:` keys (reserved: RunTask
/// refuses them) and any beyond RunTask's limit.
fn copy_tags(tags: &mut Vec<Tag>, from_service: &[Tag]) {
    for tag in from_service {
        if tags.len() >= MAX_TAGS {
            break;
        }
        let reserved = tag.key.to_ascii_lowercase().starts_with("aws:");
        if !reserved && !tags.iter().any(|ours| ours.key == tag.key) {
            tags.push(tag.clone());
        }
    }
}

#[cfg(test)]
#[path = "parity_tests.rs"]
mod tests;
