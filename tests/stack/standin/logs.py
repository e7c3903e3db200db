"""Ship a container's stdout/stderr into moto's CloudWatch Logs, as the awslogs driver does.

Why it exists: the tool tails the migration's log stream while the task runs and must drain
it once the migration has exited. So lines must appear as they are produced (shipped every
LOG_FLUSH_SECONDS once LOG_HOLD_MS old, at most LOG_BATCH_LINES per PutLogEvents), in order, none
lost or duplicated, in stream `<awslogs-stream-prefix>/<container>/<task-id>` created when the
container starts, and the last batch must become readable only final_log_delay_ms after the
container exited (CloudWatch Logs promises no read-after-write), which is what naive clients
that stop reading at the exit, or at STOPPED, get wrong.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from . import engine, settings
from .diag import say

MAX_BATCH_BYTES = 1_000_000  # PutLogEvents payload limit (with 26 bytes overhead per event)


def _backend(region: str) -> Any:
    from moto.logs.models import logs_backends

    return logs_backends[settings.DEFAULT_ACCOUNT][region]


def group_exists(region: str, group: str) -> bool:
    return group in _backend(region).groups


def create_group(region: str, group: str) -> None:
    backend = _backend(region)
    if group not in backend.groups:
        try:
            backend.create_log_group(group, {})
        except Exception as err:  # created concurrently by another task
            if group not in backend.groups:
                raise err


def stream_name(options: dict[str, str], container: str, task_id: str, container_id: str) -> str:
    prefix = options.get("awslogs-stream-prefix")
    # Without a prefix (allowed outside Fargate) the awslogs driver names the stream after
    # the docker container id.
    return f"{prefix}/{container}/{task_id}" if prefix else container_id


class LogShipper:
    """One container's log stream: a reader thread follows `docker logs`, a shipper thread
    batches lines into PutLogEvents calls on moto's backend."""

    def __init__(self, region: str, group: str, stream: str, label: str,
                 final_delay_ms: Callable[[], float]) -> None:
        self.region, self.group, self.stream, self.label = region, group, stream, label
        self.final_delay_ms = final_delay_ms
        self.reader_done = threading.Event()
        self.exited_at: float | None = None  # when the container's process exited
        self.delivered = threading.Event()
        self.lines_read = 0
        self.lines_shipped = 0
        self._pending: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._last_ts = 0

    def start(self, container_id: str) -> None:
        backend = _backend(self.region)
        if self.stream not in backend.groups[self.group].streams:
            backend.create_log_stream(self.group, self.stream)
        threading.Thread(target=self._read, args=(container_id,), daemon=True,
                         name=f"logs-read-{self.label}").start()
        threading.Thread(target=self._ship, daemon=True, name=f"logs-ship-{self.label}").start()

    def _add(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace")
        if not text:
            return  # CloudWatch rejects empty messages; the awslogs driver skips empty lines
        ts = max(int(time.time() * 1000), self._last_ts)
        self._last_ts = ts
        with self._cond:
            self._pending.append({"timestamp": ts, "message": text})
            self.lines_read += 1

    def _read(self, container_id: str) -> None:
        buf = b""
        received = 0
        try:
            stream = engine.stream_client().api.logs(container_id, stream=True, follow=True,
                                                     stdout=True, stderr=True)
            for chunk in stream:
                received += len(chunk)
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    self._add(line)
            # The follow stream can end before dockerd wrote the container's last, unterminated
            # output (seen 1 time in 8 with Django's "  Applying app.0003_x..."), which ECS's
            # awslogs driver does ship: take what the stream missed from the finished log.
            whole = engine.client().api.logs(container_id, stream=False, stdout=True, stderr=True)
            if len(whole) > received:
                say(f"log reader {self.label}: {len(whole) - received} bytes after the follow stream ended")
                buf += whole[received:]
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    self._add(line)
        except Exception as err:
            say(f"log reader {self.label}: {err!r}")
        finally:
            if buf:
                self._add(buf)
            # Late is counted from the process's exit, as the awslogs driver flushes its last
            # batch then; executionStoppedAt, when ECS noticed the exit, is never earlier.
            exited = engine.finished_at(container_id)
            with self._cond:
                self.exited_at = exited if exited is not None else time.time()
                self.reader_done.set()
                self._cond.notify()

    def _put(self, events: list[dict[str, Any]]) -> None:
        backend = _backend(self.region)
        start = 0
        while start < len(events):
            size, end = 0, start
            while end < len(events) and end - start < settings.LOG_BATCH_LINES:
                size += len(events[end]["message"].encode()) + 26
                if size > MAX_BATCH_BYTES and end > start:
                    break
                end += 1
            try:
                backend.put_log_events(self.group, self.stream, events[start:end])
                self.lines_shipped += end - start
            except Exception as err:  # the group or stream was deleted under us
                say(f"PutLogEvents {self.group}/{self.stream}: {err!r}")
            start = end

    def _ship(self) -> None:
        # Every LOG_FLUSH_SECONDS, ship the lines read at least LOG_HOLD_MS ago. Holding the
        # freshest lines back means whatever a container prints just before it exits lands in
        # the final batch, late, deterministically.
        while True:
            with self._cond:
                self._cond.wait_for(self.reader_done.is_set, timeout=settings.LOG_FLUSH_SECONDS)
                if self.reader_done.is_set():
                    batch, self._pending = self._pending, []
                    break
                cutoff = int(time.time() * 1000) - settings.LOG_HOLD_MS
                n = 0
                while n < len(self._pending) and self._pending[n]["timestamp"] <= cutoff:
                    n += 1
                batch, self._pending = self._pending[:n], self._pending[n:]
            if batch:
                self._put(batch)
        # The container has exited: its last batch becomes readable final_delay_ms after that,
        # whatever the task's status by then (during the teardown, or after STOPPED).
        late = (self.exited_at or time.time()) + self.final_delay_ms() / 1000.0 - time.time()
        if batch and late > 0:
            time.sleep(late)
        self._put(batch)
        self.delivered.set()
        say(f"logs {self.group}/{self.stream}: {self.lines_shipped} lines delivered")


def patch_moto() -> None:
    """GetLogEvents on a missing stream: moto says the *group* does not exist; AWS says stream."""
    from moto.logs import models
    from moto.logs.exceptions import ResourceNotFoundException

    original = models.LogGroup.get_log_events

    def get_log_events(self: Any, log_stream_name: str, *args: Any, **kwargs: Any) -> Any:
        if log_stream_name not in self.streams:
            raise ResourceNotFoundException("The specified log stream does not exist.")
        return original(self, log_stream_name, *args, **kwargs)

    models.LogGroup.get_log_events = get_log_events
