"""One measured run of a tool against the stand-in, and what it cost: wall time, the
stand-in's own record of the task (state times), and the AWS calls the tool made while it
waited (the stand-in's request log, per access key)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import standin

WAIT_ACTIONS = {("ecs", "DescribeTasks"), ("logs", "GetLogEvents")}
RUN_TIMEOUT = 180  # seconds; a run taking longer is a failure, not a hang


@dataclass
class Run:
    tool: str
    key: str
    exit_code: int
    started: float  # epoch, just before the process started
    exited: float  # epoch, just after it exited
    task: dict[str, Any] | None
    requests: list[dict[str, Any]]
    stderr: list[tuple[float, str]] = field(default_factory=list)  # (epoch printed, line)
    stdout: str = ""
    scenario: str = "default"
    behaviour: dict[str, Any] = field(default_factory=dict)  # what the stand-in was told
    tasks_started: int = 0  # the key's tasks in the stand-in: one run, one task
    lines: dict[str, Any] | None = None  # the task's numbered lines as the tool printed them

    @property
    def wall(self) -> float:
        return self.exited - self.started

    @property
    def container_exited(self) -> float:
        """When the migration container exited, as the stand-in (ECS) reports it."""
        return self.task["execution_stopped_at"]

    @property
    def task_life(self) -> float:
        """The migration's own run: from RunTask (the task's first state) to its container's
        exit (`executionStoppedAt`), as the stand-in recorded it; the teardown is not in it."""
        return self.container_exited - min(self.task["state_times"].values())

    @property
    def exit_latency(self) -> float:
        """From the migration container's exit to the tool's exit."""
        return self.exited - self.container_exited

    @property
    def after_stopped(self) -> float | None:
        """The tool's exit minus the moment the task reached STOPPED (negative: before it)."""
        stopped = self.task["state_times"].get("STOPPED")
        return None if stopped is None else self.exited - stopped

    @property
    def teardown(self) -> float | None:
        stopped = self.task["state_times"].get("STOPPED")
        return None if stopped is None else stopped - self.container_exited

    @property
    def overhead(self) -> float:
        """Wall time beyond the migration's own run: what the tool does before RunTask, plus
        everything after the container exited (ecs-migrate: its log drain)."""
        return self.wall - self.task_life

    @property
    def run_task_at(self) -> float:
        return min(r["time"] for r in self.requests if r["action"] == "RunTask")

    @property
    def wait_calls(self) -> int:
        return sum(1 for r in self.requests if (r["service"], r["action"]) in WAIT_ACTIONS)

    @property
    def calls_per_minute(self) -> float:
        """DescribeTasks + GetLogEvents per minute of waiting (RunTask to exit)."""
        return self.wait_calls / (self.exited - self.run_task_at) * 60

    @property
    def injected(self) -> int:
        return sum(1 for r in self.requests if r.get("injected"))

    def calls(self, action: str) -> int:
        return sum(1 for r in self.requests if r["action"] == action)

    def refresh(self, endpoint: str) -> None:
        """Reads the task again once its teardown is over (STOPPED), and counts the key's tasks."""
        self.task = standin.stopped_task(endpoint, self.key, timeout=60)
        self.tasks_started = len(standin.tasks(endpoint, self.key))

    def summary(self) -> dict[str, Any]:
        return {"tool": self.tool, "scenario": self.scenario, "exit_code": self.exit_code,
                "wall": self.wall, "task_life": self.task_life, "exit_latency": self.exit_latency,
                "after_stopped": self.after_stopped, "teardown": self.teardown,
                "overhead": self.overhead, "wait_calls": self.wait_calls,
                "calls_per_minute": self.calls_per_minute, "tasks_started": self.tasks_started,
                "injected": self.injected, "lines": self.lines,
                "warnings": [line.replace("|", "/")[:200] for _, line in self.stderr
                             if self.tool == "ecs-migrate" and "warn" in line.lower()],
                "final_log_delay_ms": self.behaviour.get("final_log_delay_ms"),
                "teardown_ms": self.behaviour.get("teardown_ms")}


def aws_env(endpoint: str, key: str) -> dict[str, str]:
    """The machine's environment, less anything AWS- or CI-specific, pointed at the stand-in."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("AWS_", "GITHUB_", "CODEBUILD_", "ECS_MIGRATE_"))}
    keep.update({
        "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_REGION": standin.REGION, "AWS_DEFAULT_REGION": standin.REGION,
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "CI": "true", "NO_COLOR": "1",
    })
    return keep


def run_tool(tool: str, argv: list[str], env: dict[str, str], endpoint: str, key: str,
             cwd: Path, expect_task: bool = True) -> Run:
    """Runs `argv`, timestamping every stderr line as it is printed. Each pipe has exactly one
    reader (`communicate` would read stderr too, and take lines from the timestamping thread)."""
    stderr: list[tuple[float, str]] = []
    stdout_chunks: list[str] = []
    started = time.time()
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, bufsize=1)

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            stderr.append((time.time(), line.rstrip("\n")))

    def read_stdout() -> None:
        assert process.stdout is not None
        stdout_chunks.append(process.stdout.read())

    readers = [threading.Thread(target=read, daemon=True) for read in (read_stderr, read_stdout)]
    for reader in readers:
        reader.start()
    try:
        process.wait(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    exited = time.time()
    for reader in readers:
        reader.join(timeout=10)
    stdout = "".join(stdout_chunks)
    # The container's exit is enough here; STOPPED comes after the teardown (`Run.refresh`).
    task = standin.exited_task(endpoint, key) if expect_task else None
    return Run(tool, key, process.returncode, started, exited, task,
               standin.requests(endpoint, key), stderr, stdout,
               tasks_started=len(standin.tasks(endpoint, key)))


def describe_failure(run: Run) -> str:
    tail = "\n".join(line for _, line in run.stderr[-15:])
    return f"{run.tool} ({run.key}) exited {run.exit_code}:\n{run.stdout}\n{tail}"


def uptime_offset() -> float:
    """Epoch seconds at boot: containers share the kernel's /proc/uptime, and busybox has no
    sub-second clock, so the task stamps its lines with uptime and we convert."""
    with open("/proc/uptime") as uptime:
        up = float(uptime.read().split()[0])
    return time.time() - up


def log_delays(run: Run, lines: int, offset: float) -> dict[str, Any]:
    """Checks the task's `L <n> <uptime>` lines as printed: all there, in order, once each,
    and how long each took from the task's write to ecs-migrate's print."""
    numbers: list[int] = []
    delays: list[float] = []
    for printed, text in run.stderr:
        parts = text.split()
        if len(parts) == 3 and parts[0] == "L":
            numbers.append(int(parts[1]))
            delays.append(printed - (float(parts[2]) + offset))
    return {
        "delivered": len(set(numbers)),
        "expected": lines,
        "in_order": numbers == sorted(numbers),
        "duplicates": len(numbers) - len(set(numbers)),
        "complete": numbers == list(range(1, lines + 1)),
        "delays": delays,
    }


def numbered_lines(run: Run, expected: int, prefix: str = "M") -> dict[str, Any]:
    """The task's `M <n>` lines (1..expected) as the tool printed them: how many never came,
    how many came more than once."""
    seen: dict[int, int] = {}
    for _, text in run.stderr:
        parts = text.split()
        if len(parts) >= 2 and parts[-2] == prefix and parts[-1].isdigit():
            seen[int(parts[-1])] = seen.get(int(parts[-1]), 0) + 1
    return {"expected": expected,
            "lost": sum(1 for n in range(1, expected + 1) if n not in seen),
            "repeated": sum(count - 1 for count in seen.values()),
            "unexpected": sum(1 for n in seen if not 1 <= n <= expected)}
