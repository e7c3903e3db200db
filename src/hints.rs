//! What to do about a failure: ECS and AWS say *what* went wrong (`CannotPullContainerError`,
//! `RESOURCE:MEMORY`, `AccessDeniedException`) but rarely how to fix it. Pure text matching on
//! their documented reasons, so every hint is tested without AWS.

/// The fix for why a task stopped, from its stop code and the stopped or container reason.
pub fn for_stopped_task(stop_code: Option<&str>, reason: &str) -> Option<String> {
    let lower = reason.to_ascii_lowercase();
    let hint = if reason.contains("CannotPullContainerError") {
        pull_hint(&lower)
    } else if reason.contains("ResourceInitializationError") {
        resource_initialization_hint(&lower)
    } else if reason.contains("OutOfMemoryError") || lower.contains("out of memory") {
        "the container hit its memory limit: raise `memory` (MiB, in the config or --memory), \
         or make the migration use less"
    } else if reason.contains("CannotStartContainerError") {
        "the container could not start: check `command` and `entrypoint` (the executable must \
         exist in the image and be executable)"
    } else if matches!(stop_code, Some("SpotInterruption" | "TerminationNotice")) {
        "the capacity under the task was reclaimed (Spot interruption): run again, and run \
         migrations on on-demand capacity (launch_type: FARGATE, not FARGATE_SPOT)"
    } else if stop_code == Some("TaskFailedToStart") {
        "the task never started: the stopped reason above says why; check the image, the \
         execution role and the network (subnets need a route to ECR, CloudWatch Logs and \
         SSM/Secrets Manager)"
    } else {
        return None;
    };
    Some(hint.to_owned())
}

fn pull_hint(lower: &str) -> &'static str {
    if [
        "not found",
        "manifest unknown",
        "does not exist",
        "name unknown",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
    {
        "the image or tag does not exist: check the image URI and push the image first (or \
         let ecs-migrate build and push it with `image.build`)"
    } else if [
        "accessdenied",
        "access denied",
        "403",
        "unauthorized",
        "no basic auth",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
    {
        "the task execution role may not pull the image: give it ecr:GetAuthorizationToken, \
         ecr:BatchGetImage and ecr:GetDownloadUrlForLayer (AmazonECSTaskExecutionRolePolicy), \
         and a cross-account repository a policy allowing that role"
    } else if [
        "timeout",
        "deadline exceeded",
        "dial tcp",
        "connection refused",
        "no route",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
    {
        "the task cannot reach the registry: in private subnets add a NAT gateway or VPC \
         endpoints (com.amazonaws.<region>.ecr.api, ecr.dkr and the S3 gateway), or use public \
         subnets with assign_public_ip: true"
    } else {
        "the image could not be pulled: check that it exists, that the execution role may pull \
         it (AmazonECSTaskExecutionRolePolicy), and that the subnets reach ECR (NAT or VPC \
         endpoints)"
    }
}

fn resource_initialization_hint(lower: &str) -> &'static str {
    if ["secret", "ssm", "parameter"]
        .iter()
        .any(|needle| lower.contains(needle))
    {
        "the secrets could not be read: the execution role needs ssm:GetParameters and/or \
         secretsmanager:GetSecretValue (and kms:Decrypt for a customer key) on them, and the \
         subnets need a route to SSM / Secrets Manager (NAT or VPC endpoints)"
    } else if ["log", "logger"]
        .iter()
        .any(|needle| lower.contains(needle))
    {
        "the awslogs log group is missing or unwritable: create it (or set awslogs-create-group: \
         \"true\" and grant logs:CreateLogGroup), and give the execution role \
         logs:CreateLogStream and logs:PutLogEvents"
    } else {
        "ECS could not prepare the task: check the execution role (AmazonECSTaskExecutionRolePolicy) \
         and that the subnets reach ECR, CloudWatch Logs and SSM / Secrets Manager"
    }
}

/// The fix for one RunTask `failures[]` reason (`RESOURCE:MEMORY`, `MISSING`, ...).
pub fn for_run_task_failure(reason: &str) -> Option<String> {
    let hint = match reason.split(':').next().unwrap_or(reason) {
        "RESOURCE" if reason.contains("PORTS") => {
            "a host port the task needs is taken on every container instance: drop static \
             hostPort mappings from the base task definition"
        }
        "RESOURCE" if reason.contains("ENI") => {
            "no container instance has a free network interface: raise the cluster's capacity \
             or enable awsvpcTrunking"
        }
        "RESOURCE" => {
            "no container instance has enough free CPU or memory: lower `cpu`/`memory`, add \
             capacity to the cluster, or run on FARGATE"
        }
        "MISSING" => {
            "the cluster has no container instance for this launch type: register instances \
             or a capacity provider, or use launch_type: FARGATE"
        }
        "AGENT" => "the ECS agent on the container instance is disconnected: check the instance",
        "ATTRIBUTE" => {
            "no container instance has the attributes the task definition requires \
             (placement constraints, requiresAttributes, platform)"
        }
        _ if reason.contains("Capacity is unavailable") => {
            "Fargate has no capacity in these subnets' zones right now: retry, or add subnets \
             in more availability zones"
        }
        _ => return None,
    };
    Some(hint.to_owned())
}

/// AWS error codes that mean the caller lacks an IAM permission.
const ACCESS_DENIED: [&str; 4] = [
    "AccessDeniedException",
    "AccessDenied",
    "UnauthorizedOperation",
    "UnauthorizedException",
];

/// Whether an AWS error code means the caller lacks an IAM permission.
pub fn is_access_denied(code: &str) -> bool {
    ACCESS_DENIED.contains(&code)
}

/// The fix for an access-denied answer to `operation` (e.g. `ecs:RunTask`): the action and
/// resource AWS names in its message when it does (often `iam:PassRole` on a role), else the
/// operation itself.
pub fn for_access_denied(code: &str, operation: &str, message: &str) -> Option<String> {
    if !ACCESS_DENIED.contains(&code) {
        return None;
    }
    let action = between(message, "not authorized to perform: ", &[" ", ",", ";"]);
    let resource = between(message, "on resource: ", &[" ", ",", ";"]);
    Some(match (action, resource) {
        (Some(action), Some(resource)) => {
            format!("grant {action} on {resource} to the identity ecs-migrate runs as")
        }
        (Some(action), None) => format!("grant {action} to the identity ecs-migrate runs as"),
        _ => {
            format!("grant {operation} to the identity ecs-migrate runs as (docs: IAM permissions)")
        }
    })
}

fn between<'a>(text: &'a str, start: &str, ends: &[&str]) -> Option<&'a str> {
    let rest = &text[text.find(start)? + start.len()..];
    let end = ends
        .iter()
        .filter_map(|end| rest.find(end))
        .min()
        .unwrap_or(rest.len());
    let found = rest[..end].trim_end_matches('.');
    (!found.is_empty()).then_some(found)
}

#[cfg(test)]
#[path = "hints_tests.rs"]
mod tests;
