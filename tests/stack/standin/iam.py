"""IAM denial as AWS words it: the stand-in has no policies, so a test names the actions to deny
(`deny_actions`) and gets each service's AccessDenied error shape, with the message naming the
caller, the action and the resource, from which the tool's hints pick what to grant.
"""

from __future__ import annotations

from typing import Any

from . import settings

# Error code and HTTP status per protocol family, as the services answer a denial.
QUERY_DENIAL = {"ec2": ("UnauthorizedOperation", "403 Forbidden")}


def caller_arn(access_key: str | None) -> str:
    """The assumed-role session a CI job typically runs as, named after the access key."""
    return f"arn:aws:sts::{settings.DEFAULT_ACCOUNT}:assumed-role/ecs-migrate-ci/{access_key or 'anonymous'}"


def resource_arn(service: str | None, region: str | None, body: Any) -> str:
    """The resource the denied call was about, from the request's own parameters."""
    account, region = settings.DEFAULT_ACCOUNT, region or "us-east-1"
    body = body if isinstance(body, dict) else {}
    prefix = f"arn:aws:{service}:{region}:{account}"
    if service == "ecs":
        if body.get("resourceArn"):
            return str(body["resourceArn"])
        cluster = str(body.get("cluster") or "default").split("/")[-1]
        if body.get("taskDefinition"):
            td = str(body["taskDefinition"])
            return td if td.startswith("arn:") else f"{prefix}:task-definition/{td}"
        if body.get("family"):
            return f"{prefix}:task-definition/{body['family']}:*"
        if body.get("task"):
            task = str(body["task"])
            return task if task.startswith("arn:") else f"{prefix}:task/{cluster}/{task}"
        return f"{prefix}:cluster/{cluster}"
    if service == "logs" and body.get("logGroupName"):
        arn = f"{prefix}:log-group:{body['logGroupName']}"
        return f"{arn}:log-stream:{body['logStreamName']}" if body.get("logStreamName") else f"{arn}:*"
    if service == "ssm" and body.get("Name"):
        return f"{prefix}:parameter/{str(body['Name']).lstrip('/')}"
    if service == "iam" and body.get("RoleName"):
        return f"arn:aws:iam::{account}:role/{body['RoleName']}"
    return "*"


def tagged_resource_arn(region: str | None, body: Any) -> str:
    """What an ECS create call tags: the task definition family, or the cluster's tasks."""
    prefix = f"arn:aws:ecs:{region or 'us-east-1'}:{settings.DEFAULT_ACCOUNT}"
    body = body if isinstance(body, dict) else {}
    if body.get("family"):
        return f"{prefix}:task-definition/{body['family']}"
    if body.get("serviceName"):
        cluster = str(body.get("cluster") or "default").split("/")[-1]
        return f"{prefix}:service/{cluster}/{body['serviceName']}"
    cluster = str(body.get("cluster") or "default").split("/")[-1]
    return f"{prefix}:task/{cluster}/*"


def denial(req: dict[str, Any], tagging: bool = False) -> tuple[str, str, str]:
    """(HTTP status, error code, message) of an access-denied answer to `req`; `tagging`: the
    call itself is allowed but tagging what it creates (ecs:TagResource) is not."""
    service, action = req["service"], req["action"]
    iam_action = f"{service}:{action}"
    who = caller_arn(req["access_key"])
    resource = resource_arn(service, req["region"], req["body"])
    if tagging:
        iam_action, resource = "ecs:TagResource", tagged_resource_arn(req["region"], req["body"])
    reason = f"because no identity-based policy allows the {iam_action} action"
    if service in QUERY_DENIAL:
        code, status = QUERY_DENIAL[service]
        return status, code, (f"You are not authorized to perform this operation. User: {who} is not "
                              f"authorized to perform: {iam_action} {reason}")
    code = "AccessDeniedException" if req["protocol"] == "json" else "AccessDenied"
    status = "400 Bad Request" if req["protocol"] == "json" else "403 Forbidden"
    return status, code, f"User: {who} is not authorized to perform: {iam_action} on resource: {resource} {reason}"
