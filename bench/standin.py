"""The bench's view of the local ECS stand-in: its control API (tasks with their state times,
the request log) and the fixtures both tools run against, made with botocore (which the
AWS CLI brings along) so they are real API calls, not stand-in shortcuts."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import botocore.session

REGION = "us-east-1"
ASSUME_ECS_TASKS = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
})


def control(endpoint: str, path: str, **query: str) -> Any:
    url = f"{endpoint}/_standin/{path}"
    if query:
        url += "?" + urllib.parse.urlencode(query)
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.load(answer)


def tasks(endpoint: str, access_key: str) -> list[dict[str, Any]]:
    return control(endpoint, "tasks", access_key=access_key)


def requests(endpoint: str, access_key: str) -> list[dict[str, Any]]:
    return control(endpoint, "requests", access_key=access_key)


def set_behaviour(endpoint: str, access_key: str, **behaviour: Any) -> None:
    """Replaces the key's behaviour (teardown, late final batch, faults); see tests/stack/README.md."""
    body = json.dumps({"access_key": access_key, **behaviour}).encode()
    request = urllib.request.Request(f"{endpoint}/_standin/behaviour", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


def stopped_task(endpoint: str, access_key: str, timeout: float = 30.0) -> dict[str, Any]:
    """The one task run under `access_key`, once the stand-in has marked it STOPPED."""
    return task_when(endpoint, access_key, lambda task: "STOPPED" in task["state_times"], timeout)


def exited_task(endpoint: str, access_key: str, timeout: float = 30.0) -> dict[str, Any]:
    """The task run under `access_key` once its migration container exited
    (`execution_stopped_at`), before or during the teardown."""
    return task_when(endpoint, access_key, lambda task: task.get("execution_stopped_at"), timeout)


def task_when(endpoint: str, access_key: str, ready: Any, timeout: float) -> dict[str, Any]:
    """The first task run under `access_key` once `ready(task)`; any second task is counted by
    the caller (`tasks`), never hidden here."""
    deadline = time.monotonic() + timeout
    while True:
        found = sorted(tasks(endpoint, access_key), key=lambda task: min(task["state_times"].values()))
        if found and ready(found[0]):
            return found[0]
        if time.monotonic() > deadline:
            raise RuntimeError(f"{access_key}: no task reached that state, found {found}")
        time.sleep(0.1)


@dataclass
class World:
    """A cluster, log group, app task definition and service, named after one bench run."""

    endpoint: str
    image: str
    cluster: str
    log_group: str
    family: str
    service: str
    subnets: list[str]
    security_groups: list[str]

    @classmethod
    def create(cls, endpoint: str, image: str, run_id: str) -> "World":
        session = botocore.session.get_session()
        session.set_credentials(f"bench-fixture-{run_id}", "x")

        def client(name: str) -> Any:
            return session.create_client(name, region_name=REGION, endpoint_url=endpoint)

        network = control(endpoint, "network", region=REGION)
        world = cls(endpoint, image, f"bench-{run_id}", f"/ecs/bench-{run_id}",
                    f"bench-app-{run_id}", f"bench-web-{run_id}",
                    network["subnets"][:2], network["security_groups"])
        ecs, logs, iam = client("ecs"), client("logs"), client("iam")
        ecs.create_cluster(clusterName=world.cluster)
        logs.create_log_group(logGroupName=world.log_group)
        role = iam.create_role(RoleName=f"bench-exec-{run_id}",
                               AssumeRolePolicyDocument=ASSUME_ECS_TASKS)["Role"]["Arn"]
        ecs.register_task_definition(
            family=world.family, executionRoleArn=role, networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
            containerDefinitions=[{
                "name": "app", "image": image, "essential": True,
                "command": ["sh", "-c", "echo serving; sleep 3600"],
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": world.log_group, "awslogs-region": REGION,
                    "awslogs-stream-prefix": "web"}},
            }])
        ecs.create_service(
            cluster=world.cluster, serviceName=world.service, taskDefinition=world.family,
            desiredCount=0, launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": world.awsvpc()})
        return world

    def awsvpc(self) -> dict[str, Any]:
        return {"subnets": self.subnets, "securityGroups": self.security_groups,
                "assignPublicIp": "DISABLED"}
