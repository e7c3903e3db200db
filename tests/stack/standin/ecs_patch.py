"""Patches to moto's ECS backend and responses so RunTask starts real tasks.

Why it exists: moto's RunTask only records a task. Here RunTask creates RealTask models and
hands them to the task runner; DescribeTasks reports them as they really are (and MISSING
failures for unknown ARNs); a repeated RunTask clientToken returns the first request's
answer as it was (ConflictException when the parameters differ; tokens expire after 24 h); tasks can be
MISSING for a while after RunTask (`missing_for_ms`); StopTask really stops containers; ListTasks filters by the real
desired status; TagResource finds a task in any cluster. Two moto 500s that AWS does not have are fixed on the way: containers with
neither memory nor memoryReservation, and awsvpcConfiguration without securityGroups.
CreateService keeps what moto drops and a RunTask copies from a service (ECS Exec, placement,
the deployment's EBS volume configurations).
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.ecs.exceptions import EcsClientException, InvalidParameterException

from . import state, tasks, validation
from .models import RealTask

Backend = ecs_models.EC2ContainerServiceBackend
Response = ecs_responses.EC2ContainerServiceResponse


def _default_security_group(account_id: str, region: str, subnet_id: str) -> list[str]:
    """What AWS uses when awsvpcConfiguration names no security group: the VPC's default."""
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[account_id][region]
    subnet = ec2.get_subnet(subnet_id)
    groups = ec2.describe_security_groups(filters={"vpc-id": [subnet.vpc_id], "group-name": ["default"]})
    return [g.id for g in groups]


def run_task(self: Any, cluster_str: str, task_definition_str: str, count: int,
             overrides: dict[str, Any] | None, started_by: str | None, tags: list[dict[str, str]] | None,
             launch_type: str | None, networking_configuration: dict[str, Any] | None = None,
             group: str | None = None, platform_version: str | None = None,
             capacity_provider_strategy: list[dict[str, Any]] | None = None) -> list[RealTask]:
    if launch_type and launch_type not in ("EC2", "FARGATE", "EXTERNAL"):
        raise InvalidParameterException("launch type should be one of [EC2,FARGATE,EXTERNAL]")
    if launch_type and capacity_provider_strategy:
        raise InvalidParameterException(
            "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.")
    if not 1 <= int(count) <= 10:
        raise InvalidParameterException("count must be between 1 and 10.")
    cluster = self._get_cluster(cluster_str)
    task_definition = self.describe_task_definition(task_definition_str)
    if task_definition.status != "ACTIVE":
        raise EcsClientException("TaskDefinition is inactive")
    group = group or f"family:{task_definition.family}"
    overrides = overrides or {}

    build_net = networking_configuration
    if task_definition.network_mode == "awsvpc":
        vpc_conf = (networking_configuration or {}).get("awsvpcConfiguration") or {}
        if not vpc_conf.get("subnets"):
            raise InvalidParameterException(
                "Network Configuration must be provided when networkMode 'awsvpc' is specified.")
        if not vpc_conf.get("securityGroups"):
            build_net = copy.deepcopy(networking_configuration)
            build_net["awsvpcConfiguration"]["securityGroups"] = _default_security_group(
                self.account_id, self.region_name, vpc_conf["subnets"][0])

    capacity_provider = None
    if capacity_provider_strategy:
        capacity_provider = max(capacity_provider_strategy,
                                key=lambda s: (s.get("base", 0), s.get("weight", 0)))["capacityProvider"]
    effective_launch = launch_type or ("FARGATE" if capacity_provider in ("FARGATE", "FARGATE_SPOT") else "EC2")
    validation.check_run_task(task_definition, overrides, effective_launch)

    instance_arn = None
    if effective_launch == "EC2":
        for instance in self.container_instances.get(cluster.name, {}).values():
            if instance.status == "ACTIVE":
                instance_arn = instance.container_instance_arn
                break

    created = []
    for _ in range(int(count)):
        task = RealTask(
            cluster, task_definition, instance_arn, None,
            backend=self, group=group, launch_type=effective_launch, overrides=overrides,
            started_by=started_by or "", tags=tags or [], networking_configuration=build_net,
            platform_version=platform_version,
            access_key=state.current_access_key(), network_configuration=networking_configuration,
            capacity_provider=capacity_provider,
            task_cpu=str(overrides.get("cpu") or task_definition.cpu) if (overrides.get("cpu") or task_definition.cpu) else None,
            task_memory=(str(overrides.get("memory") or task_definition.memory)
                         if (overrides.get("memory") or task_definition.memory) else None),
        )
        self.tasks.setdefault(cluster.name, {})[task.task_arn] = task
        created.append(task)
    for task in created:
        tasks.launch(task, task_definition, overrides)
    return created


def _find(self: Any, cluster_name: str, ref: str) -> Any:
    task_id = ref.split("/")[-1]
    for arn, task in self.tasks.get(cluster_name, {}).items():
        if arn == ref or arn.split("/")[-1] == task_id:
            return task
    return None


def describe_tasks_with_failures(self: Any, cluster_str: str, refs: list[str]) -> tuple[list[Any], list[dict[str, str]]]:
    cluster = self._get_cluster(cluster_str)
    if not refs:
        raise InvalidParameterException("Tasks cannot be empty.")
    found: list[Any] = []
    failures: list[dict[str, str]] = []
    for ref in refs:
        task = _find(self, cluster.name, ref)
        if task is None or _not_visible_yet(task):
            failures.append({"arn": ref, "reason": "MISSING"})
        elif task not in found:
            if not isinstance(task, RealTask):
                task.advance()  # StartTask tasks keep moto's behaviour
            found.append(task)
    return found, failures


def _not_visible_yet(task: Any) -> bool:
    """Eventual consistency: a task can be MISSING from DescribeTasks just after RunTask. The
    starter's `missing_for_ms` says for how long."""
    behaviour = state.behaviours.get(getattr(task, "access_key", None))
    if behaviour is None or behaviour.missing_for_ms <= 0 or not isinstance(task, RealTask):
        return False
    return (time.time() - task.created_at.timestamp()) * 1000 < behaviour.missing_for_ms


def describe_tasks(self: Any, cluster_str: str, refs: list[str]) -> list[Any]:
    return describe_tasks_with_failures(self, cluster_str, refs)[0]


def stop_task(self: Any, cluster_str: str, task_str: str, reason: str | None) -> Any:
    cluster = self._get_cluster(cluster_str)
    task = _find(self, cluster.name, task_str)
    if task is None:
        raise InvalidParameterException("The referenced task was not found.")
    if isinstance(task, RealTask):
        tasks.request_stop(task, reason or "Task stopped by user")
        return task
    task.last_status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stopped_reason = reason or "Task stopped by user"
    return task


def list_tasks(self: Any, cluster_str: str | None = None, container_instance: str | None = None,
               family: str | None = None, started_by: str | None = None, service_name: str | None = None,
               desiredStatus: str | None = None) -> list[Any]:
    cluster = self._get_cluster(cluster_str or "default")
    wanted = desiredStatus or "RUNNING"  # ECS lists RUNNING tasks unless asked for STOPPED
    out = []
    for task in self.tasks.get(cluster.name, {}).values():
        if task.desired_status != wanted:
            continue
        if family and task.task_definition_arn.split("/")[-1].rsplit(":", 1)[0] != family:
            continue
        if started_by and (task.started_by or "") != started_by:
            continue
        if container_instance and container_instance.split("/")[-1] not in (task.container_instance_arn or ""):
            continue
        if service_name and task.group != f"service:{service_name}":
            continue
        out.append(task)
    return out


_MOTO_GET_RESOURCE = Backend._get_resource


def get_resource(self: Any, resource_arn: str, parsed_arn: dict[str, str]) -> Any:
    """moto looks a task up in the cluster "default" only (ClusterNotFoundException for any
    other); ECS tags a task of any cluster, running or recently stopped."""
    if parsed_arn.get("service") == "task":
        cluster = self._get_cluster(parsed_arn["cluster_id"])
        task = self.tasks.get(cluster.name, {}).get(resource_arn)
        if task is None:
            raise InvalidParameterException("The specified task was not found.")
        return task
    return _MOTO_GET_RESOURCE(self, resource_arn, parsed_arn)


def _resource_requirements(task_definition: Any) -> dict[str, Any]:
    """moto's version adds None when a container has no memory of its own (500 on RunTask)."""
    req: dict[str, Any] = {"CPU": 0, "MEMORY": 0, "PORTS": [], "PORTS_UDP": []}
    for cd in task_definition.container_definitions:
        req["CPU"] += cd.get("cpu", cd.get("Cpu", 0)) or 0
        req["MEMORY"] += (cd.get("memory") or cd.get("Memory") or cd.get("memoryReservation")
                          or cd.get("MemoryReservation") or 0)
        for mapping in cd.get("portMappings", cd.get("PortMappings", [])) or []:
            port = mapping.get("hostPort", mapping.get("HostPort"))
            if port:
                req["PORTS"].append(port)
    if not req["MEMORY"] and task_definition.memory:
        req["MEMORY"] = int(task_definition.memory)
    return req


# (cluster name, clientToken) -> what RunTask did for it: ECS answers a repeated token with the
# first request's own answer when the parameters are the same, ConflictException when they
# differ, and forgets tokens after 24 h.
_CLIENT_TOKENS: dict[tuple[str, str], dict[str, Any]] = {}
TOKEN_TTL_SECONDS = 24 * 3600


class ConflictException(JsonRESTError):
    """ECS's answer to a clientToken reused with other parameters (HTTP 400)."""

    def __init__(self, resource_ids: list[str]) -> None:
        super().__init__("ConflictException",
                         "The request could not be processed due to conflicts. The provided clientToken is "
                         "already in use with a different RunTask request.")
        self.description = json.dumps({"__type": self.error_type, "message": self.message,
                                       "resourceIds": resource_ids})


def _token_ttl() -> float:
    behaviour = state.behaviours.get(state.current_access_key())
    if behaviour is not None and behaviour.client_token_ttl_seconds is not None:
        return behaviour.client_token_ttl_seconds
    return TOKEN_TTL_SECONDS


def response_run_task(self: Any) -> ActionResult:
    token = self._get_param("clientToken")
    cluster_name = self._get_param("cluster", "default").split("/")[-1]
    params = json.dumps({k: v for k, v in json.loads(self.body or "{}").items() if k != "clientToken"},
                        sort_keys=True)
    earlier_run = _CLIENT_TOKENS.get((cluster_name, token)) if token else None
    if earlier_run is not None and time.time() - earlier_run["at"] > _token_ttl():
        earlier_run = None  # expired: the token is new again
    if earlier_run is not None:
        if earlier_run["params"] != params:
            raise ConflictException(earlier_run["arns"])
        # The first request's answer as it was then (PROVISIONING), not the tasks as they are now.
        return ActionResult({"tasks": earlier_run["answer"], "failures": []})
    created = self.ecs_backend.run_task(
        self._get_param("cluster", "default"),
        self._get_param("taskDefinition"),
        self._get_int_param("count", 1),
        self._get_param("overrides"),
        self._get_param("startedBy"),
        self._get_param("tags"),
        self._get_param("launchType"),
        self._get_param("networkConfiguration"),
        self._get_param("group"),
        self._get_param("platformVersion"),
        capacity_provider_strategy=self._get_param("capacityProviderStrategy"),
    )
    if token:
        _CLIENT_TOKENS[(cluster_name, token)] = {"arns": [task.task_arn for task in created],
                                                 "answer": [copy.copy(task) for task in created],
                                                 "params": params, "at": time.time()}
    return ActionResult({"tasks": created, "failures": []})


def response_describe_tasks(self: Any) -> ActionResult:
    found, failures = describe_tasks_with_failures(
        self.ecs_backend, self._get_param("cluster", "default"), self._get_param("tasks", []))
    if "TAGS" in (self._get_param("include", []) or []):
        self._include_in_response(ecs_responses.DESCRIBE_TASKS_TAGS)
    else:
        self._exclude_from_response(ecs_responses.DESCRIBE_TASKS_TAGS)
    return ActionResult({"tasks": found, "failures": failures})


_MOTO_CREATE_SERVICE = Response.create_service


def response_create_service(self: Any) -> ActionResult:
    """moto drops what a RunTask copies from a service: kept here as ECS reports it."""
    result = _MOTO_CREATE_SERVICE(self)
    service = result.result["service"]  # type: ignore[index]
    service.enable_execute_command = bool(self._get_param("enableExecuteCommand", False))
    service.placement_constraints = self._get_param("placementConstraints") or []
    service.placement_strategy = self._get_param("placementStrategy") or []
    volumes = self._get_param("volumeConfigurations") or []
    for deployment in service.deployments:
        deployment["volumeConfigurations"] = volumes
    return result


def apply() -> None:
    Backend.run_task = run_task
    Backend.describe_tasks = describe_tasks
    Backend.stop_task = stop_task
    Backend.list_tasks = list_tasks
    Backend._get_resource = get_resource
    Backend._calculate_task_resource_requirements = staticmethod(_resource_requirements)
    Response.run_task = response_run_task
    Response.describe_tasks = response_describe_tasks
    Response.create_service = response_create_service
    validation.apply()
