//! What the migration task takes from the app's service besides its network and launch type, as
//! ecspresso does: ECS Exec, placement, the EBS volumes configured at launch, and how tags
//! propagate. Each is overridable in the config (`ServiceOverrides`).
//!
//! What a service has that a one-off task must not take: load balancers and service registries
//! (a migration serves no traffic; registering it would route requests to it), Service Connect
//! (it would join the mesh as a server), the deployment configuration and controller, health
//! check grace period and availability-zone rebalancing (they steer a fleet of long-running
//! tasks, and RunTask has no such parameters).

use aws_sdk_ecs::types::{Service, ServiceManagedEbsVolumeConfiguration};
use serde::Serialize;

use super::launch::Tag;

/// RunTask's `placementConstraints[]` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacementConstraint {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// RunTask's `placementStrategy[]` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacementStrategy {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// RunTask's `volumeConfigurations[]` item (`TaskVolumeConfiguration`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskVolumeConfiguration {
    pub name: String,
    #[serde(rename = "managedEBSVolume")]
    pub managed_ebs_volume: ManagedEbsVolume,
}

/// `TaskManagedEBSVolumeConfiguration`: the service's `ServiceManagedEBSVolumeConfiguration`
/// has the same fields; `terminationPolicy` is left out, so ECS deletes the volume when the
/// migration task stops (its default), which is what a one-off task wants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedEbsVolume {
    pub role_arn: String,
    #[serde(rename = "sizeInGiB", skip_serializing_if = "Option::is_none")]
    pub size_in_gib: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iops: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_initialization_rate: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filesystem_type: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tag_specifications: Vec<EbsTagSpecification>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EbsTagSpecification {
    pub resource_type: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagate_tags: Option<String>,
}

/// What the service says about these, as DescribeServices (with `include: TAGS`) reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceParity {
    pub enable_execute_command: bool,
    pub placement_constraints: Vec<PlacementConstraint>,
    pub placement_strategy: Vec<PlacementStrategy>,
    /// The PRIMARY deployment's, by volume name.
    pub volume_configurations: Vec<TaskVolumeConfiguration>,
    /// `SERVICE`, `TASK_DEFINITION` or `NONE`.
    pub propagate_tags: Option<String>,
    pub tags: Vec<Tag>,
}

impl ServiceParity {
    pub fn read(service: &Service) -> ServiceParity {
        let deployment = service
            .deployments()
            .iter()
            .find(|deployment| deployment.status() == Some("PRIMARY"))
            .or_else(|| service.deployments().first());
        ServiceParity {
            enable_execute_command: service.enable_execute_command(),
            placement_constraints: service
                .placement_constraints()
                .iter()
                .filter_map(|item| {
                    Some(PlacementConstraint {
                        kind: item.r#type()?.as_str().to_owned(),
                        expression: item.expression().map(str::to_owned),
                    })
                })
                .collect(),
            placement_strategy: service
                .placement_strategy()
                .iter()
                .filter_map(|item| {
                    Some(PlacementStrategy {
                        kind: item.r#type()?.as_str().to_owned(),
                        field: item.field().map(str::to_owned),
                    })
                })
                .collect(),
            volume_configurations: deployment
                .map(|deployment| deployment.volume_configurations())
                .unwrap_or_default()
                .iter()
                .filter_map(|volume| {
                    Some(TaskVolumeConfiguration {
                        name: volume.name().to_owned(),
                        managed_ebs_volume: task_volume(volume.managed_ebs_volume()?),
                    })
                })
                .collect(),
            propagate_tags: service
                .propagate_tags()
                .map(|value| value.as_str().to_owned()),
            tags: service
                .tags()
                .iter()
                .filter_map(|tag| {
                    Some(Tag {
                        key: tag.key()?.to_owned(),
                        value: tag.value().unwrap_or_default().to_owned(),
                    })
                })
                .collect(),
        }
    }
}

/// The service's managed EBS volume as the task's: the same settings field for field.
fn task_volume(from: &ServiceManagedEbsVolumeConfiguration) -> ManagedEbsVolume {
    ManagedEbsVolume {
        role_arn: from.role_arn().to_owned(),
        size_in_gib: from.size_in_gib(),
        volume_type: from.volume_type().map(str::to_owned),
        iops: from.iops(),
        throughput: from.throughput(),
        encrypted: from.encrypted(),
        kms_key_id: from.kms_key_id().map(str::to_owned),
        snapshot_id: from.snapshot_id().map(str::to_owned),
        volume_initialization_rate: from.volume_initialization_rate(),
        filesystem_type: from
            .filesystem_type()
            .map(|value| value.as_str().to_owned()),
        tag_specifications: from
            .tag_specifications()
            .iter()
            .map(|spec| EbsTagSpecification {
                resource_type: spec.resource_type().as_str().to_owned(),
                tags: spec
                    .tags()
                    .iter()
                    .filter_map(|tag| {
                        Some(Tag {
                            key: tag.key()?.to_owned(),
                            value: tag.value().unwrap_or_default().to_owned(),
                        })
                    })
                    .collect(),
                // The volume takes the service's tags only when a service starts the task:
                // from RunTask it can take the task definition's, nothing else.
                propagate_tags: spec
                    .propagate_tags()
                    .map(|value| value.as_str().to_owned())
                    .filter(|value| value == "TASK_DEFINITION"),
            })
            .collect(),
    }
}
