//! How the migration task is launched: network, launch type or capacity providers and platform
//! version (and ECS Exec, placement, EBS volumes and tag propagation, see `service_parity`),
//! taken from the config first and from the app's service otherwise. The request is kept as the
//! RunTask wire document so `plan` prints exactly what `run` sends.

use anyhow::Result;
use serde::Serialize;
use serde_json::Value;

use super::parity_request;
use super::service_parity::{
    PlacementConstraint, PlacementStrategy, ServiceParity, TaskVolumeConfiguration,
};
use crate::aws::errors::{AwsResultExt, error_code};
use crate::config::Settings;
use crate::failure::usage;

/// `startedBy` on every task we run; also how a concurrent run can recognise ours.
pub const STARTED_BY: &str = "ecs-migrate";

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunTaskRequest {
    pub cluster: String,
    pub task_definition: String,
    pub count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capacity_provider_strategy: Vec<CapacityProviderItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_configuration: Option<NetworkConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_execute_command: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub placement_constraints: Vec<PlacementConstraint>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub placement_strategy: Vec<PlacementStrategy>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volume_configurations: Vec<TaskVolumeConfiguration>,
    pub started_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagate_tags: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// RunTask `overrides` (e.g. `status`/`down` give the migration container another command).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Value>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityProviderItem {
    pub capacity_provider: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<i32>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConfiguration {
    pub awsvpc_configuration: AwsVpcConfiguration,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsVpcConfiguration {
    pub subnets: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    pub assign_public_ip: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// What the app's service tells us about running its tasks.
#[derive(Debug, Clone, Default)]
pub struct ServiceInfo {
    pub task_definition: String,
    pub network: Option<AwsVpcConfiguration>,
    pub launch_type: Option<String>,
    pub capacity_provider_strategy: Vec<CapacityProviderItem>,
    pub platform_version: Option<String>,
    pub parity: ServiceParity,
}

pub async fn describe_service(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    service: &str,
) -> Result<ServiceInfo> {
    let answer = ecs
        .describe_services()
        .cluster(cluster)
        .services(service)
        // Its tags, copied onto the task when the service propagates them (see parity_request).
        .include(aws_sdk_ecs::types::ServiceField::Tags)
        .send()
        .await;
    if let Err(error) = &answer
        && error_code(error) == Some("ClusterNotFoundException")
    {
        return Err(usage(format!(
            "cluster {cluster:?} not found: check `cluster` in the config (or --cluster) and the region"
        )));
    }
    let answer = answer.step(&format!("DescribeServices {service}"))?;
    let found = answer
        .services()
        .iter()
        .find(|candidate| candidate.status() != Some("INACTIVE"))
        .ok_or_else(|| {
            usage(format!(
                "service {service:?} not found in cluster {cluster:?}: check `service` in the config (or --service)"
            ))
        })?;
    let network = found
        .network_configuration()
        .and_then(|config| config.awsvpc_configuration())
        .map(|vpc| AwsVpcConfiguration {
            subnets: vpc.subnets().to_vec(),
            security_groups: vpc.security_groups().to_vec(),
            assign_public_ip: vpc
                .assign_public_ip()
                .map_or("DISABLED", |value| value.as_str())
                .to_owned(),
        });
    Ok(ServiceInfo {
        task_definition: found.task_definition().unwrap_or_default().to_owned(),
        network,
        launch_type: found.launch_type().map(|value| value.as_str().to_owned()),
        capacity_provider_strategy: found
            .capacity_provider_strategy()
            .iter()
            .map(|item| CapacityProviderItem {
                capacity_provider: item.capacity_provider().to_owned(),
                weight: Some(item.weight()),
                base: Some(item.base()),
            })
            .collect(),
        platform_version: found.platform_version().map(str::to_owned),
        parity: ServiceParity::read(found),
    })
}

/// Builds the RunTask request for `task_definition` (family, ARN, or the family in a plan).
pub fn run_task_request(
    settings: &Settings,
    service: Option<&ServiceInfo>,
    derived: &Value,
    task_definition: &str,
    tags: Vec<Tag>,
) -> Result<RunTaskRequest> {
    let from_config =
        settings.launch_type.is_some() || !settings.capacity_provider_strategy.is_empty();
    let (launch_type, capacity_provider_strategy) = if from_config {
        let strategy = settings
            .capacity_provider_strategy
            .iter()
            .map(|item| CapacityProviderItem {
                capacity_provider: item.capacity_provider.clone(),
                weight: item.weight,
                base: item.base,
            })
            .collect();
        (settings.launch_type.clone(), strategy)
    } else if let Some(service) = service {
        (
            service.launch_type.clone(),
            service.capacity_provider_strategy.clone(),
        )
    } else {
        let fargate_only = derived["requiresCompatibilities"]
            .as_array()
            .is_some_and(|list| list.iter().any(|item| item == "FARGATE"));
        (fargate_only.then(|| "FARGATE".to_owned()), Vec::new())
    };
    let platform_version = settings
        .platform_version
        .clone()
        .or_else(|| service.and_then(|service| service.platform_version.clone()));

    let awsvpc = derived["networkMode"] == "awsvpc";
    let network_configuration =
        match (&settings.network, service.and_then(|s| s.network.clone())) {
            (Some(network), from_service) => {
                let from_service = from_service.unwrap_or_default();
                Some(AwsVpcConfiguration {
                    subnets: if network.subnets.is_empty() {
                        from_service.subnets
                    } else {
                        network.subnets.clone()
                    },
                    security_groups: if network.security_groups.is_empty() {
                        from_service.security_groups
                    } else {
                        network.security_groups.clone()
                    },
                    assign_public_ip: if network.assign_public_ip {
                        "ENABLED"
                    } else {
                        "DISABLED"
                    }
                    .to_owned(),
                })
            }
            (None, from_service) => from_service,
        }
        .filter(|_| awsvpc);
    if awsvpc
        && network_configuration
            .as_ref()
            .is_none_or(|vpc| vpc.subnets.is_empty())
    {
        return Err(usage(
            "the task definition uses awsvpc networking but no subnets are known: set \
             `network.subnets` (and `network.security_groups`) in the config, or name the \
             `service` to copy them from",
        ));
    }
    let mut request = RunTaskRequest {
        cluster: settings.cluster.clone(),
        task_definition: task_definition.to_owned(),
        count: 1,
        launch_type,
        capacity_provider_strategy,
        platform_version,
        network_configuration: network_configuration.map(|awsvpc_configuration| {
            NetworkConfiguration {
                awsvpc_configuration,
            }
        }),
        enable_execute_command: None,
        placement_constraints: Vec::new(),
        placement_strategy: Vec::new(),
        volume_configurations: Vec::new(),
        started_by: STARTED_BY.to_owned(),
        propagate_tags: None,
        tags,
        overrides: None,
    };
    let parity = service.map(|service| &service.parity);
    parity_request::apply(&mut request, &settings.service_overrides, parity, derived)?;
    Ok(request)
}
