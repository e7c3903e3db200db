//! Each hint against the reason text ECS and AWS really send.

use super::*;

fn stopped(stop_code: &str, reason: &str) -> String {
    for_stopped_task(Some(stop_code), reason).expect("a hint")
}

#[test]
fn a_missing_image_says_to_push_it() {
    let hint = stopped(
        "TaskFailedToStart",
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to \
         resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:2f1c: \
         123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:2f1c: not found",
    );
    assert!(hint.contains("does not exist"), "{hint}");
}

#[test]
fn a_denied_pull_names_the_execution_role_permissions() {
    let hint = stopped(
        "TaskFailedToStart",
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to \
         resolve ref …/app:2f1c: unexpected status from HEAD request: 403 Forbidden",
    );
    assert!(hint.contains("ecr:BatchGetImage"), "{hint}");
}

#[test]
fn an_unreachable_registry_names_nat_and_vpc_endpoints() {
    let hint = stopped(
        "TaskFailedToStart",
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to do \
         request: Head \"https://…/v2/app/manifests/2f1c\": dial tcp 52.94.1.2:443: i/o timeout",
    );
    assert!(
        hint.contains("NAT") && hint.contains("VPC endpoints"),
        "{hint}"
    );
}

#[test]
fn unreadable_secrets_name_the_secret_permissions() {
    let hint = stopped(
        "TaskFailedToStart",
        "ResourceInitializationError: unable to pull secrets or registry auth: execution \
         resource retrieval failed: unable to retrieve secret from asm: service call has been \
         retried 5 time(s): AccessDeniedException",
    );
    assert!(hint.contains("secretsmanager:GetSecretValue"), "{hint}");
}

#[test]
fn a_missing_log_group_says_to_create_it() {
    let hint = stopped(
        "TaskFailedToStart",
        "ResourceInitializationError: failed to validate logger args: create stream has been \
         retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: \
         The specified log group does not exist.",
    );
    assert!(hint.contains("awslogs-create-group"), "{hint}");
}

#[test]
fn an_oom_kill_says_to_raise_memory() {
    let hint = stopped(
        "EssentialContainerExited",
        "OutOfMemoryError: Container killed due to memory usage",
    );
    assert!(hint.contains("raise `memory`"), "{hint}");
}

#[test]
fn a_missing_executable_points_at_the_command() {
    let hint = stopped(
        "TaskFailedToStart",
        "CannotStartContainerError: Error response from daemon: failed to create shim task: OCI \
         runtime create failed: exec: \"bin/rails\": stat bin/rails: no such file or directory",
    );
    assert!(hint.contains("`command`"), "{hint}");
}

#[test]
fn a_spot_interruption_suggests_on_demand_capacity() {
    let hint = stopped("SpotInterruption", "Your Spot Task was interrupted.");
    assert!(hint.contains("FARGATE_SPOT"), "{hint}");
}

#[test]
fn an_ordinary_failure_has_no_hint() {
    assert_eq!(
        for_stopped_task(
            Some("EssentialContainerExited"),
            "Essential container in task exited"
        ),
        None
    );
}

#[test]
fn runtask_failures_each_get_their_fix() {
    for (reason, expected) in [
        ("RESOURCE:MEMORY", "CPU or memory"),
        ("RESOURCE:CPU", "CPU or memory"),
        ("RESOURCE:PORTS", "hostPort"),
        ("RESOURCE:ENI", "network interface"),
        ("MISSING", "no container instance"),
        ("AGENT", "agent"),
        ("ATTRIBUTE", "attributes"),
        (
            "Capacity is unavailable at this time. Please try again later",
            "availability zones",
        ),
    ] {
        let hint = for_run_task_failure(reason).unwrap_or_default();
        assert!(hint.contains(expected), "{reason}: {hint}");
    }
    assert_eq!(for_run_task_failure("something new"), None);
}

#[test]
fn access_denied_names_the_action_and_resource_aws_gave() {
    let hint = for_access_denied(
        "AccessDeniedException",
        "ecs:RunTask",
        "User: arn:aws:sts::123456789012:assumed-role/ci/gha is not authorized to perform: \
         iam:PassRole on resource: arn:aws:iam::123456789012:role/app-task because no \
         identity-based policy allows the iam:PassRole action",
    )
    .unwrap();
    assert_eq!(
        hint,
        "grant iam:PassRole on arn:aws:iam::123456789012:role/app-task to the identity \
         ecs-migrate runs as"
    );
}

#[test]
fn access_denied_without_details_names_the_operation() {
    let hint = for_access_denied("AccessDeniedException", "ecs:StopTask", "Access denied").unwrap();
    assert_eq!(
        hint,
        "grant ecs:StopTask to the identity ecs-migrate runs as (docs: IAM permissions)"
    );
    assert_eq!(
        for_access_denied("ThrottlingException", "ecs:RunTask", ""),
        None
    );
}
