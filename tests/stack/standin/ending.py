"""How a real task ends: the essential container's exit, StopTask or a start failure, then the
teardown ECS does before a task shows STOPPED.

Why it exists: on Fargate the migration container's exitCode (and its container lastStatus
STOPPED) and the task's executionStoppedAt are visible while the task itself still goes
DEACTIVATING -> STOPPING -> DEPROVISIONING; STOPPED (with stoppedAt) comes seconds to minutes
later (ENI detach, the other containers' stopTimeout). A client that waits for STOPPED waits on
ECS's cleanup, not on the migration; the behaviour key `teardown_ms` (default
settings.TEARDOWN_MS) sets how long this takes, counted from executionStoppedAt.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING

from . import engine, settings
from .diag import say
from .models import RealContainer, utcnow

if TYPE_CHECKING:
    from .tasks import TaskRun

ESSENTIAL_EXITED = "Essential container in task exited"
OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"

# Where in the teardown each status begins, as a share of teardown_ms: DEACTIVATING at once,
# STOPPING a quarter in, DEPROVISIONING (awsvpc) at 60%, STOPPED at the end.
STOPPING_AT = 0.25
DEPROVISIONING_AT = 0.6


class TaskEnding:
    """The part of TaskRun that watches running containers and ends the task."""

    def _execution_stopped(self: "TaskRun") -> None:
        """The task's execution is over (executionStoppedAt): the teardown clock starts."""
        t = self.task
        if t.execution_stopped_at is None:
            t.execution_stopped_at = utcnow()
            self.execution_stopped = time.time()

    def _teardown_point(self: "TaskRun", share: float) -> float:
        return (self.execution_stopped or time.time()) + self.teardown_ms / 1000.0 * share

    def _monitor(self: "TaskRun") -> None:
        while True:
            try:
                c = self.events.get(timeout=0.1)
            except queue.Empty:
                c = None
            if c is not None:
                c.exited = True
                if c.oom_killed:
                    c.reason = OOM_REASON
                self.set_container_status(c, "STOPPED")
                self.publish_exit(c)
                say(f"task {self.task.id}: container {c.name} exited {c.real_exit_code}"
                    f"{' (OOM-killed)' if c.oom_killed else ''}")
                if c.essential:
                    self._execution_stopped()
                    self._begin_stop("EssentialContainerExited", ESSENTIAL_EXITED)
                elif not self.stopping:
                    self._start_ready()
            if self.stop_requested.is_set():
                self._begin_stop(None, None)
            if not self.stopping:
                blocked = [x for x in self.task.containers
                           if not x.started and not x.exited and self._dependency_state(x) == "blocked"]
                if any(x.essential for x in blocked) or (self.task.containers and all(
                        x.exited or x in blocked for x in self.task.containers)):
                    self._begin_stop("EssentialContainerExited", ESSENTIAL_EXITED)
            if self.stopping and self.task.last_status == "DEACTIVATING" \
                    and time.time() >= self._teardown_point(STOPPING_AT):
                self.set_status("STOPPING")
            if self.stopping and all(x.exited or not x.started for x in self.task.containers):
                break
        self._execution_stopped()
        self._finish()

    def _begin_stop(self: "TaskRun", code: str | None, reason: str | None) -> None:
        if self.stopping:
            return
        self.stopping = True
        t = self.task
        with t._lock:
            if t.stop_code is None and code:
                t.stop_code, t.stopped_reason = code, reason
            if t.desired_status != "STOPPED":
                t.desired_status = "STOPPED"
                t.stopping_at = utcnow()
        self.set_status("DEACTIVATING")
        for c in t.containers:
            if c.started and not c.exited:
                threading.Thread(target=self._stop_container, args=(c,), daemon=True).start()

    def _stop_container(self: "TaskRun", c: RealContainer) -> None:
        try:  # SIGTERM, then SIGKILL after the container's stopTimeout
            engine.client().api.stop(c.runtime_id, timeout=c.stop_timeout)
        except Exception as err:
            say(f"task {self.task.id}: stopping {c.name}: {err!r}")

    def _fail(self: "TaskRun", code: str, reason: str, container: RealContainer | None) -> None:
        t = self.task
        say(f"task {t.id}: {code}: {reason}")
        with t._lock:
            if t.stop_code != "UserInitiated":
                t.stop_code, t.stopped_reason = code, reason
            if t.desired_status != "STOPPED":
                t.desired_status = "STOPPED"
                t.stopping_at = utcnow()
        if container is not None and not reason.startswith("ResourceInitializationError"):
            container.reason = reason
        self.stopping = True
        for c in t.containers:
            if c.started and not c.exited:
                self._stop_container(c)
                c.exited = True
        self._execution_stopped()
        self._finish()

    def _sleep_until(self: "TaskRun", moment: float) -> None:
        if moment > time.time():
            time.sleep(moment - time.time())

    def _finish(self: "TaskRun") -> None:
        """All containers have stopped: drain their output, remove them, tear down, STOPPED."""
        t = self.task
        if self.finishing:
            return
        self.finishing = True
        with t._lock:
            if t.stop_code is None and self.stop_requested.is_set():
                t.stop_code = "UserInitiated"
            if t.desired_status != "STOPPED":
                t.desired_status = "STOPPED"
                t.stopping_at = utcnow()
        self._execution_stopped()
        for c in t.containers:
            if c.shipper is not None:
                c.shipper.reader_done.wait(timeout=30)
        for c in t.containers:
            if c.runtime_id:
                engine.remove(c.runtime_id)
        self._sleep_until(self._teardown_point(STOPPING_AT))
        self.stopping = True
        self.set_status("STOPPING")
        if t.awsvpc:
            self._sleep_until(self._teardown_point(DEPROVISIONING_AT))
            self.set_status("DEPROVISIONING")
            time.sleep(settings.DEPROVISIONING_SECONDS)
        self._sleep_until(self._teardown_point(1.0))
        with t._lock:
            t.stopped_at = utcnow()
            self.finished = True
            t.last_status = "STOPPED"
            for c in t.containers:
                c.last_status = "STOPPED"
                self.publish_exit(c)
        say(f"task {t.id}: STOPPED ({t.stop_code}: {t.stopped_reason}) exit codes "
            f"{ {c.name: c.exit_code for c in t.containers} }")
        t.stopped_event.set()
