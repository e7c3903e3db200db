"""Run an ECS task for real: pull, create, start (in dependsOn order), watch, stop, report.

Why it exists: the tool under test decides success from what ECS reports after a task ran
(lastStatus over time, exitCode, container reason, stopCode, stoppedReason, timestamps).
Each RunTask gets a TaskRun whose background thread drives the task through
PROVISIONING (awsvpc) -> PENDING -> RUNNING -> DEACTIVATING -> STOPPING -> DEPROVISIONING
(awsvpc) -> STOPPED on wall time, never on DescribeTasks calls, and records outcomes the way ECS
words them. How the task ends (the teardown) lives in ending.py.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from typing import Any

from . import engine, logs, secret_values, settings, state
from .diag import say
from .ending import TaskEnding
from .models import RealContainer, RealTask, utcnow

LOG_GROUP_MISSING = (
    "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: "
    "failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. "
    ": exit status 1"
)

RUNS: dict[str, "TaskRun"] = {}
_RUNS_LOCK = threading.Lock()


def launch(task: RealTask, task_definition: Any, overrides: dict[str, Any] | None) -> None:
    run = TaskRun(task, task_definition, overrides or {})
    with _RUNS_LOCK:
        RUNS[task.task_arn] = run
    threading.Thread(target=run.main, daemon=True, name=f"task-{task.id[:8]}").start()


def request_stop(task: RealTask, reason: str) -> None:
    run = RUNS.get(task.task_arn)
    if run is not None:
        run.request_stop(reason)


class TaskRun(TaskEnding):
    def __init__(self, task: RealTask, task_definition: Any, overrides: dict[str, Any]) -> None:
        self.task = task
        self.td = task_definition
        self.overrides = overrides
        behaviour = state.behaviours.get(task.access_key)
        self.skip_running = bool(behaviour and behaviour.skip_running)
        self.final_log_delay_ms = (behaviour.final_log_delay_ms if behaviour and behaviour.final_log_delay_ms is not None
                                   else settings.FINAL_LOG_DELAY_MS)
        self.teardown_ms = (behaviour.teardown_ms if behaviour and behaviour.teardown_ms is not None
                            else settings.TEARDOWN_MS)
        self.execution_stopped: float | None = None  # epoch of executionStoppedAt
        self.events: "queue.Queue[RealContainer]" = queue.Queue()
        self.stop_requested = threading.Event()
        self.stop_requested_at: float | None = None
        self.stopping = False
        self.finishing = False
        self.finished = False
        task.containers = [RealContainer(task, d) for d in task_definition.container_definitions]
        if task.awsvpc:
            attachment = task.attachments[0]
            for c in task.containers:
                c.network_interfaces = [{"attachmentId": attachment["id"], "privateIpv4Address": task.private_ip}]
        say(f"task {task.id} ({task_definition.family}:{task_definition.revision}) accepted for "
            f"{task.access_key}: {[c.name for c in task.containers]}")

    # ------------------------------------------------------------------ status helpers
    def set_status(self, status: str) -> None:
        if self.skip_running and status not in ("PENDING", "STOPPED"):
            return  # skip_running: nothing between PENDING and STOPPED is observable
        self.task.last_status = status
        say(f"task {self.task.id}: {status}")

    def set_container_status(self, c: RealContainer, status: str) -> None:
        if not self.skip_running:  # skip_running: containers show PENDING until the task is STOPPED
            c.last_status = status

    def publish_exit(self, c: RealContainer) -> None:
        if not self.skip_running or self.task.last_status == "STOPPED":
            c.exit_code = getattr(c, "real_exit_code", None)

    def request_stop(self, reason: str) -> None:
        t = self.task
        with t._lock:
            if self.finished or t.desired_status == "STOPPED":
                return
            t.desired_status = "STOPPED"
            t.stopping_at = utcnow()
            t.stop_code = "UserInitiated"
            t.stopped_reason = reason
            self.stop_requested_at = time.time()
        say(f"task {t.id}: StopTask ({reason})")
        self.stop_requested.set()

    # ------------------------------------------------------------------ lifecycle
    def main(self) -> None:
        try:
            self._run()
        except Exception as err:
            traceback.print_exc()
            if not self.finished:
                self._fail("TaskFailedToStart", f"InternalError: stand-in failure: {err!r}", None)

    def _run(self) -> None:
        t = self.task
        if t.awsvpc:
            self.stop_requested.wait(settings.PROVISIONING_SECONDS)
            self.set_status("PENDING")
        pending_since = time.time()
        if self.stop_requested.is_set():
            return self._finish()
        problem = self._prepare()
        if problem:
            return self._fail("TaskFailedToStart", problem, None)
        t.pull_started_at = utcnow()
        for c in t.containers:
            try:
                c.image_digest = engine.pull(c.image)
            except Exception as err:
                t.pull_stopped_at = utcnow()
                reason = f"CannotPullContainerError: {engine.engine_error(err)}"
                return self._fail("TaskFailedToStart", reason, c)
        t.pull_stopped_at = utcnow()
        remaining = settings.MIN_PENDING_SECONDS - (time.time() - pending_since)
        if remaining > 0:
            self.stop_requested.wait(remaining)
        if self.stop_requested.is_set():
            return self._finish()
        for c in t.containers:
            try:
                created = engine.create(self._name(c), c.image, c.spec, self._labels(c))
                c.runtime_id = created.id
            except Exception as err:
                return self._fail("TaskFailedToStart", f"CannotCreateContainerError: {engine.engine_error(err)}", c)
        if not self._start_ready():
            return  # a start failure already stopped the task
        t.started_at = utcnow()
        t.connectivity, t.connectivity_at = "CONNECTED", t.started_at
        self.set_status("RUNNING")
        self._monitor()

    def _prepare(self) -> str | None:
        """Resolve each container's runtime spec; check log groups and secrets (ECS does this
        while provisioning, before pulling)."""
        t = self.task
        task_memory = self.overrides.get("memory") or self.td.memory
        by_name = {o.get("name"): o for o in self.overrides.get("containerOverrides") or []}
        for c in t.containers:
            d, o = c.definition, by_name.get(c.name, {})
            log_conf = d.get("logConfiguration") or {}
            if log_conf.get("logDriver") == "awslogs":
                opts = log_conf.get("options") or {}
                region = opts.get("awslogs-region") or t.region_name
                group = opts.get("awslogs-group", "")
                if not logs.group_exists(region, group):
                    if str(opts.get("awslogs-create-group", "")).lower() == "true":
                        logs.create_group(region, group)
                    else:
                        return LOG_GROUP_MISSING
            try:
                secrets = secret_values.resolve(d.get("secrets"), t.region_name)
            except secret_values.SecretError as err:
                return str(err)
            env = {e["name"]: e.get("value", "") for e in d.get("environment") or []}
            env.update(secrets)
            env.update({e["name"]: e.get("value", "") for e in o.get("environment") or []})
            for k, v in (("AWS_REGION", t.region_name), ("AWS_DEFAULT_REGION", t.region_name),
                         ("AWS_EXECUTION_ENV", "AWS_ECS_FARGATE" if t.launch_type == "FARGATE" else "AWS_ECS_EC2")):
                env.setdefault(k, v)
            memory = o.get("memory") or d.get("memory") or task_memory
            c.spec = {
                "environment": env,
                "command": o.get("command", d.get("command")),
                "entryPoint": d.get("entryPoint"),
                "workingDirectory": d.get("workingDirectory"),
                "user": d.get("user"),
                "memory_mib": int(memory) if memory else None,
                "memoryReservation": o.get("memoryReservation") or d.get("memoryReservation"),
                "init": (d.get("linuxParameters") or {}).get("initProcessEnabled"),
            }
            if o.get("memory") is not None:
                c.memory = str(o["memory"])
        return None

    def _name(self, c: RealContainer) -> str:
        return engine.container_name(self.td.family, self.td.revision, c.name, self.task.id)

    def _labels(self, c: RealContainer) -> dict[str, str]:
        labels = {str(k): str(v) for k, v in (c.definition.get("dockerLabels") or {}).items()}
        labels.update({
            settings.TASK_LABEL: "1",
            "com.amazonaws.ecs.task-arn": self.task.task_arn,
            "com.amazonaws.ecs.container-name": c.name,
            "com.amazonaws.ecs.cluster": self.task.cluster_name,
            "com.amazonaws.ecs.task-definition-family": self.td.family,
            "com.amazonaws.ecs.task-definition-version": str(self.td.revision),
            f"{settings.TASK_LABEL}.access-key": self.task.access_key or "",
        })
        return labels

    # ------------------------------------------------------------------ dependsOn + start
    def _dependency_state(self, c: RealContainer) -> str:
        """'ready', 'wait' or 'blocked' (a SUCCESS dependency failed, so it never starts)."""
        by_name = {x.name: x for x in self.task.containers}
        for dep in c.depends_on:
            other = by_name.get(dep.get("containerName"))
            if other is None:
                continue
            condition = dep.get("condition", "START")
            if condition in ("START", "HEALTHY"):
                if not other.started:
                    return "blocked" if other.exited else "wait"
            elif not other.exited:
                return "wait"
            elif condition == "SUCCESS" and getattr(other, "real_exit_code", None) != 0:
                return "blocked"
        return "ready"

    def _start_ready(self) -> bool:
        """Start every container whose dependencies are met. False if a start failed and the
        task is already stopped."""
        for c in self.task.containers:
            if c.started or c.exited or self.stopping:
                continue
            if self._dependency_state(c) != "ready":
                continue
            try:
                engine.client().api.start(c.runtime_id)
            except Exception as err:
                c.exited = True
                self._fail("TaskFailedToStart", f"CannotStartContainerError: {engine.engine_error(err)}", c)
                return False
            c.started = True
            self.set_container_status(c, "RUNNING")
            self._start_logs(c)
            threading.Thread(target=self._wait_container, args=(c,), daemon=True).start()
            say(f"task {self.task.id}: container {c.name} started ({c.runtime_id[:12]})")
        return True

    def _start_logs(self, c: RealContainer) -> None:
        log_conf = c.definition.get("logConfiguration") or {}
        if log_conf.get("logDriver") != "awslogs":
            return
        opts = log_conf.get("options") or {}
        region = opts.get("awslogs-region") or self.task.region_name
        stream = logs.stream_name(opts, c.name, self.task.id, c.runtime_id)
        c.shipper = logs.LogShipper(region, opts["awslogs-group"], stream, f"{self.task.id[:8]}-{c.name}",
                                    lambda: self.final_log_delay_ms)
        c.shipper.start(c.runtime_id)

    def _wait_container(self, c: RealContainer) -> None:
        try:
            result = engine.stream_client().api.wait(c.runtime_id)
            info = engine.client().api.inspect_container(c.runtime_id)
            c.real_exit_code = info["State"].get("ExitCode", result.get("StatusCode"))
            c.oom_killed = engine.oom_killed(c.runtime_id, info["State"])
        except Exception as err:
            say(f"task {self.task.id}: waiting for {c.name} failed: {err!r}")
            c.real_exit_code = None
        self.events.put(c)

    # ------------------------------------------------------------------ introspection
    def describe(self) -> dict[str, Any]:
        t = self.task
        return {
            "task_arn": t.task_arn,
            "access_key": t.access_key,
            "cluster": t.cluster_name,
            "task_definition_arn": t.task_definition_arn,
            "last_status": t.last_status,
            "desired_status": t.desired_status,
            "stop_code": t.stop_code,
            "stopped_reason": t.stopped_reason,
            "skip_running": self.skip_running,
            "state_times": dict(t.state_times),
            "stop_requested_at": self.stop_requested_at,
            "execution_stopped_at": self.execution_stopped,
            "teardown_ms": self.teardown_ms,
            "logs_delivered": all(c.shipper.delivered.is_set() for c in t.containers if c.shipper),
            "containers": [{
                "name": c.name,
                "image": c.image,
                "docker_id": c.runtime_id,
                "exists": engine.exists(c.runtime_id),
                "essential": c.essential,
                "exit_code": getattr(c, "real_exit_code", None),
                "oom_killed": c.oom_killed,
                "reason": c.reason,
                "log_stream": f"{c.shipper.group}/{c.shipper.stream}" if c.shipper else None,
                "log_lines_read": c.shipper.lines_read if c.shipper else None,
                "log_lines_delivered": c.shipper.lines_shipped if c.shipper else None,
            } for c in t.containers],
        }


def describe_runs(access_key: str | None) -> list[dict[str, Any]]:
    with _RUNS_LOCK:
        runs = list(RUNS.values())
    return [r.describe() for r in runs if access_key is None or r.task.access_key == access_key]


def remove_all_containers() -> None:
    """On shutdown: no task container may outlive the stand-in."""
    with _RUNS_LOCK:
        runs = list(RUNS.values())
    for run in runs:
        if run.finished:
            continue  # a STOPPED task's containers are already gone
        for c in run.task.containers:
            if c.runtime_id:
                try:
                    engine.remove(c.runtime_id)
                except Exception:
                    pass
