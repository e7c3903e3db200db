"""ECS task and container models that describe real containers, serialised by moto.

Why it exists: moto's Task has one hard-coded container (the first definition, exitCode 0),
no stopCode, no timestamps, and advances its state on every DescribeTasks call. These
subclasses keep moto's ARNs, ENI attachment and serialisation (moto's serializer reads the
snake_case attribute for each camelCase member of the botocore shape), but carry every
container with its real outcome and a status that only the task runner (tasks.py) moves.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from moto.ecs.models import Task


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class RealContainer:
    """One container of a task, as DescribeTasks shows it (plus runner bookkeeping)."""

    def __init__(self, task: "RealTask", definition: dict[str, Any]) -> None:
        self.definition = definition
        self.name: str = definition["name"]
        self.container_arn = (f"arn:aws:ecs:{task.region_name}:{task._account_id}:container/"
                              f"{task.cluster_name}/{task.id}/{uuid.uuid4()}")
        self.task_arn = task.task_arn
        self.image: str = definition.get("image", "")
        self.image_digest: str | None = None
        self.runtime_id: str | None = None
        self.last_status = "PENDING"
        self.exit_code: int | None = None
        self.reason: str | None = None
        self.network_bindings: list[Any] = []
        self.network_interfaces: list[dict[str, str]] = []
        self.health_status = "UNKNOWN"
        self.cpu = str(definition.get("cpu", 0))
        self.memory = str(definition["memory"]) if definition.get("memory") is not None else None
        self.memory_reservation = (str(definition["memoryReservation"])
                                   if definition.get("memoryReservation") is not None else None)
        # Runner bookkeeping (not part of the API shape, so never serialised).
        self.essential: bool = definition.get("essential", True) is not False
        self.stop_timeout: int = int(definition.get("stopTimeout", 30))
        self.depends_on: list[dict[str, str]] = definition.get("dependsOn") or []
        self.spec: dict[str, Any] = {}
        self.started = False
        self.exited = False
        self.oom_killed = False
        self.real_exit_code: int | None = None  # known at exit; published per the task's mode
        self.shipper: Any = None


class RealTask(Task):
    """A moto Task whose status and containers mirror real docker containers."""

    def __init__(self, *args: Any, access_key: str | None, network_configuration: dict[str, Any] | None,
                 capacity_provider: str | None, task_cpu: str | None, task_memory: str | None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.RLock()
        self.access_key = access_key
        if network_configuration is not None:
            self.network_configuration = network_configuration  # as the client sent it
        awsvpc = bool(self.attachments)
        self.awsvpc = awsvpc
        self._last_status = "PROVISIONING" if awsvpc else "PENDING"
        self.desired_status = "RUNNING"
        self.created_at = utcnow()
        self.pull_started_at: datetime | None = None
        self.pull_stopped_at: datetime | None = None
        self.started_at: datetime | None = None
        self.connectivity: str | None = None
        self.connectivity_at: datetime | None = None
        self.execution_stopped_at: datetime | None = None
        self.stopping_at: datetime | None = None
        self.stopped_at: datetime | None = None
        self.stop_code: str | None = None
        self.stopped_reason: str | None = None  # moto uses "" which AWS never sends
        self.started_by = self.started_by or None
        self.health_status = "UNKNOWN"
        self.version = 1
        self.cpu = task_cpu
        self.memory = task_memory
        self.capacity_provider_name = capacity_provider
        self.enable_execute_command = False
        self.availability_zone = self._availability_zone()
        if self.launch_type == "FARGATE" or capacity_provider in ("FARGATE", "FARGATE_SPOT"):
            self.platform_version = self.platform_version or "1.4.0"
            self.platform_family = "Linux"
            self.ephemeral_storage = {"sizeInGiB": 20}
        self.containers = []  # filled by the runner from the task definition
        self.state_times: dict[str, float] = {self._last_status: time.time()}
        self.stopped_event = threading.Event()

    def _availability_zone(self) -> str:
        for attachment in self.attachments:
            for detail in attachment.get("details", []):
                if detail.get("name") == "subnetId":
                    try:
                        from moto.ec2.models import ec2_backends

                        subnet = ec2_backends[self._account_id][self.region_name].get_subnet(detail["value"])
                        return subnet.availability_zone
                    except Exception:
                        pass
        return f"{self.region_name}a"

    @property
    def last_status(self) -> str:
        return self._last_status

    @last_status.setter
    def last_status(self, value: str) -> None:
        with self._lock:
            if value != getattr(self, "_last_status", None):
                self._last_status = value
                self.version = getattr(self, "version", 0) + 1
                self.state_times.setdefault(value, time.time())

    def advance(self) -> None:  # moto's per-DescribeTasks state machine: disabled
        return None

    @property
    def private_ip(self) -> str | None:
        for attachment in self.attachments:
            for detail in attachment.get("details", []):
                if detail.get("name") == "privateIPv4Address":
                    return detail["value"]
        return None
