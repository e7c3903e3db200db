"""What ECS refuses at RegisterTaskDefinition and RunTask that moto lets through.

Why it exists: moto registers any Fargate cpu/memory pair and an awslogs configuration
without a region, so a fixture AWS would refuse passes here and the tool's pre-flight is never
tested against the refusal. ECS answers ClientException for both. Both checks are on by
default and switchable per access key (behaviour keys `validate_fargate_sizes`,
`require_awslogs_region`).
"""

from __future__ import annotations

import re
from typing import Any

from moto.ecs import models as ecs_models
from moto.ecs.exceptions import EcsClientException

from . import state

# Fargate's task sizes (CPU units -> valid task memory in MiB), as the ECS developer guide's
# "Task CPU and memory" table lists them. 8192 and 16384 CPU need Linux platform 1.4.0.
FARGATE_SIZES: dict[int, list[int]] = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4096 + 1, 1024)),
    1024: list(range(2048, 8192 + 1, 1024)),
    2048: list(range(4096, 16384 + 1, 1024)),
    4096: list(range(8192, 30720 + 1, 1024)),
    8192: list(range(16384, 61440 + 1, 4096)),
    16384: list(range(32768, 122880 + 1, 8192)),
}

# ECS requires these options of the awslogs driver, and names them in this order.
AWSLOGS_REQUIRED = ("awslogs-region", "awslogs-group")


def _units(value: Any, suffix: str) -> int | None:
    """ECS accepts "1024", 1024, "1 vCPU" / "1 GB" (converted to units of 1024)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    match = re.fullmatch(rf"(\d+(?:\.\d+)?)\s*{suffix}", text, re.IGNORECASE)
    if match:
        return int(float(match.group(1)) * 1024)
    try:
        return int(text)
    except ValueError:
        raise EcsClientException(f"Invalid '{'cpu' if suffix == 'vcpu' else 'memory'}' setting for task.")


def _enabled(flag: str) -> bool:
    behaviour = state.behaviours.get(state.current_access_key())
    return True if behaviour is None else bool(getattr(behaviour, flag, True))


def check_fargate_size(cpu: Any, memory: Any) -> None:
    """ClientException, as ECS words it, unless cpu/memory is a Fargate task size."""
    if not _enabled("validate_fargate_sizes"):
        return
    cpu_units, memory_mib = _units(cpu, "vcpu"), _units(memory, "gb")
    if cpu_units is None:
        raise EcsClientException("Fargate requires that 'cpu' be defined at the task level.")
    if memory_mib is None:
        raise EcsClientException("Fargate requires that 'memory' be defined at the task level.")
    if memory_mib not in FARGATE_SIZES.get(cpu_units, []):
        raise EcsClientException(
            f"No Fargate configuration exists for given values: {cpu_units} CPU, {memory_mib} memory. "
            "See the Amazon ECS documentation for the valid values.")


def check_log_configurations(container_definitions: list[dict[str, Any]]) -> None:
    """awslogs without awslogs-region (or awslogs-group) is refused at registration."""
    if not _enabled("require_awslogs_region"):
        return
    for container in container_definitions or []:
        config = container.get("logConfiguration") or {}
        if config.get("logDriver") != "awslogs":
            continue
        options = config.get("options") or {}
        missing = [name for name in AWSLOGS_REQUIRED if not options.get(name)]
        if missing:
            raise EcsClientException(f"Log driver awslogs requires options: {', '.join(missing)}")


def check_run_task(task_definition: Any, overrides: dict[str, Any], launch_type: str) -> None:
    """RunTask on Fargate checks the task size after overrides.cpu/overrides.memory."""
    if launch_type == "FARGATE":
        check_fargate_size(overrides.get("cpu") or task_definition.cpu,
                           overrides.get("memory") or task_definition.memory)


_moto_register = ecs_models.EC2ContainerServiceBackend.register_task_definition


def register_task_definition(self: Any, family: str, container_definitions: list[dict[str, Any]],
                             *args: Any, **kwargs: Any) -> Any:
    if "FARGATE" in (kwargs.get("requires_compatibilities") or []):
        check_fargate_size(kwargs.get("cpu"), kwargs.get("memory"))
    check_log_configurations(container_definitions)
    return _moto_register(self, family, container_definitions, *args, **kwargs)


def apply() -> None:
    ecs_models.EC2ContainerServiceBackend.register_task_definition = register_task_definition
