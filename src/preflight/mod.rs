//! Pre-flight: before anything is registered or run, read-only calls check that what the
//! migration needs exists (the cluster, subnets, security groups, log groups, roles), and every
//! problem is reported at once with its fix, instead of the task failing to start minutes later.

mod fargate;
mod images;

use anyhow::Result;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::Value;

use crate::aws::Clients;
use crate::aws::errors::{describe, error_code};
use crate::logs;
use crate::task::launch::RunTaskRequest;

/// Something that would make the task fail, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub what: String,
    pub fix: String,
}

#[derive(Debug, Default)]
pub struct Findings {
    pub problems: Vec<Problem>,
    /// Checks we could not make (usually a missing read permission); not problems.
    pub unchecked: Vec<String>,
}

impl Findings {
    fn problem(&mut self, what: String, fix: &str) {
        self.problems.push(Problem {
            what,
            fix: fix.to_owned(),
        });
    }

    /// Files the error of a check: not found is a problem, anything else leaves it unchecked.
    fn failed<E, R>(&mut self, check: &str, error: &SdkError<E, R>, not_found: &[&str], fix: &str)
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        if error_code(error).is_some_and(|code| not_found.contains(&code)) {
            self.problem(describe(error), fix);
        } else {
            self.unchecked.push(format!("{check}: {}", describe(error)));
        }
    }

    /// The problems as one message, each with its fix.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "pre-flight found {} problem{} (nothing was registered or run):",
            self.problems.len(),
            if self.problems.len() == 1 { "" } else { "s" }
        );
        for problem in &self.problems {
            text.push_str(&format!("\n  - {}\n    fix: {}", problem.what, problem.fix));
        }
        text
    }
}

/// The checks that need no AWS call (ECS's own validation of the task definition: Fargate's
/// task sizes, `awslogs-region`); `check` makes them too.
pub fn without_aws(
    request: &RunTaskRequest,
    task_definition: &Value,
    region: Option<&str>,
) -> Findings {
    fargate::check(request, task_definition, region)
}

/// `check_images`: false when ecs-migrate builds the image itself (it does not exist yet).
pub async fn check(
    clients: &Clients,
    request: &RunTaskRequest,
    task_definition: &Value,
    check_images: bool,
) -> Findings {
    let mut findings = without_aws(request, task_definition, Some(&clients.region));
    cluster(clients, &request.cluster, &mut findings).await;
    if let Some(network) = &request.network_configuration {
        network_ids(clients, &network.awsvpc_configuration, &mut findings).await;
    }
    log_groups(clients, task_definition, &mut findings).await;
    roles(clients, task_definition, &mut findings).await;
    if check_images {
        images::check(clients, task_definition, &mut findings).await;
    }
    findings
}

async fn cluster(clients: &Clients, cluster: &str, findings: &mut Findings) {
    match clients
        .ecs
        .describe_clusters()
        .clusters(cluster)
        .send()
        .await
    {
        Ok(answer) => {
            let active = answer
                .clusters()
                .iter()
                .any(|found| found.status() == Some("ACTIVE"));
            if !active {
                findings.problem(
                    format!(
                        "cluster {cluster:?} does not exist (or is not ACTIVE) in {}",
                        clients.region
                    ),
                    "check `cluster`, and the region (--region or AWS_REGION)",
                );
            }
        }
        Err(error) => findings.failed("DescribeClusters", &error, &[], ""),
    }
}

async fn network_ids(
    clients: &Clients,
    vpc: &crate::task::launch::AwsVpcConfiguration,
    findings: &mut Findings,
) {
    for subnet in &vpc.subnets {
        if let Err(error) = clients
            .ec2
            .describe_subnets()
            .subnet_ids(subnet)
            .send()
            .await
        {
            findings.failed(
                "ec2:DescribeSubnets",
                &error,
                &["InvalidSubnetID.NotFound", "InvalidSubnetID.Malformed"],
                "check `network.subnets` (or the service's network configuration) and the region",
            );
        }
    }
    for group in &vpc.security_groups {
        let answer = clients
            .ec2
            .describe_security_groups()
            .group_ids(group)
            .send()
            .await;
        if let Err(error) = answer {
            findings.failed(
                "ec2:DescribeSecurityGroups",
                &error,
                &["InvalidGroup.NotFound", "InvalidGroupId.Malformed"],
                "check `network.security_groups` (or the service's network configuration)",
            );
        }
    }
}

async fn log_groups(clients: &Clients, task_definition: &Value, findings: &mut Findings) {
    let (sources, _) = logs::sources(task_definition, "-");
    let containers = task_definition["containerDefinitions"].as_array();
    for source in sources {
        let creates_it = containers.into_iter().flatten().any(|container| {
            container["name"] == source.container.as_str()
                && container["logConfiguration"]["options"]["awslogs-create-group"] == "true"
        });
        if creates_it {
            continue;
        }
        let client = source
            .region
            .as_deref()
            .map_or_else(|| clients.logs.clone(), |region| clients.logs_in(region));
        match client
            .describe_log_groups()
            .log_group_name_prefix(&source.group)
            .send()
            .await
        {
            Ok(answer) => {
                let exists = answer
                    .log_groups()
                    .iter()
                    .any(|group| group.log_group_name() == Some(source.group.as_str()));
                if !exists {
                    findings.problem(
                        format!(
                            "log group {:?} of container {:?} does not exist: the task would fail \
                             with ResourceInitializationError",
                            source.group, source.container
                        ),
                        "create the log group, or set awslogs-create-group: \"true\" in the \
                         container's logConfiguration (the execution role then needs logs:CreateLogGroup)",
                    );
                }
            }
            Err(error) => findings.failed("logs:DescribeLogGroups", &error, &[], ""),
        }
    }
}

async fn roles(clients: &Clients, task_definition: &Value, findings: &mut Findings) {
    for key in ["executionRoleArn", "taskRoleArn"] {
        let Some(arn) = task_definition[key].as_str() else {
            continue;
        };
        // `arn:aws:iam::123456789012:role/path/name`: GetRole takes the last segment.
        let name = arn.rsplit('/').next().unwrap_or(arn);
        if let Err(error) = clients.iam.get_role().role_name(name).send().await {
            findings.failed(
                "iam:GetRole",
                &error,
                &["NoSuchEntity"],
                &format!("check `{key}` in the base task definition"),
            );
        }
    }
    let fargate = task_definition["requiresCompatibilities"]
        .as_array()
        .is_some_and(|list| list.iter().any(|item| item == "FARGATE"));
    // On EC2 the container instance's role can write logs; on Fargate only the execution role.
    let needs_execution_role = fargate
        && task_definition["executionRoleArn"].is_null()
        && task_definition["containerDefinitions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|container| {
                container["secrets"]
                    .as_array()
                    .is_some_and(|list| !list.is_empty())
                    || container["logConfiguration"]["logDriver"] == "awslogs"
            });
    if needs_execution_role {
        findings.problem(
            "the task definition has no executionRoleArn, but Fargate needs one to read \
             `secrets` and to write awslogs output"
                .to_owned(),
            "set executionRoleArn in the base task definition (a role with \
             AmazonECSTaskExecutionRolePolicy and read access to the secrets)",
        );
    }
}

/// Fails with every problem at once (exit 2) when there are any; prints what went unchecked.
pub fn enforce(findings: &Findings, warn: impl Fn(String)) -> Result<()> {
    for note in &findings.unchecked {
        warn(format!("pre-flight could not check {note}"));
    }
    if findings.problems.is_empty() {
        Ok(())
    } else {
        Err(crate::failure::usage(findings.summary()))
    }
}
