"""The local docker engine, as ECS's container agent would drive it.

Why it exists: ECS tasks are made real by running their containers on the stack's dockerd.
This module hides docker-py details (two clients with different timeouts, registry auth,
how a container definition plus overrides becomes `docker create` arguments).
"""

from __future__ import annotations

import os
import re
import threading
import time
from datetime import datetime, timezone
from typing import Any

import docker
import docker.errors
from docker.utils import parse_repository_tag

from . import settings
from .diag import say

# Short calls (create, inspect, stop, remove) give up after DOCKER_TIMEOUT; streams (logs,
# wait) must not time out while a quiet container runs, so they get their own client.
_client: docker.DockerClient | None = None
_stream_client: docker.DockerClient | None = None


def client() -> docker.DockerClient:
    global _client
    if _client is None:
        _client = docker.from_env(timeout=int(settings.DOCKER_TIMEOUT))
    return _client


def stream_client() -> docker.DockerClient:
    global _stream_client
    if _stream_client is None:
        _stream_client = docker.from_env(timeout=None)
    return _stream_client


def engine_error(err: Exception) -> str:
    """The engine's own words for an error, as ECS quotes them in reasons."""
    if isinstance(err, docker.errors.APIError):
        return f"Error response from daemon: {err.explanation or err}"
    return str(err)


def pull(image: str) -> str | None:
    """Pull an image (with the registry's ECR-style credentials when it is ours) and return
    its repo digest, or raise with the engine's error."""
    repo, tag = parse_repository_tag(image)
    auth = None
    if repo.split("/", 1)[0] == settings.REGISTRY:
        auth = {"username": settings.REGISTRY_USER, "password": settings.REGISTRY_PASSWORD}
    api = docker.from_env(timeout=int(settings.PULL_TIMEOUT)).api
    try:
        # Errors come either as an HTTP error (raised) or as an "error" line in the stream.
        for event in api.pull(repo, tag=tag or "latest", auth_config=auth, stream=True, decode=True):
            if isinstance(event, dict) and event.get("error"):
                raise RuntimeError(event["error"])
        info = api.inspect_image(image if tag else f"{image}:latest")
    finally:
        api.close()
    for digest in info.get("RepoDigests") or []:
        if digest.startswith(repo + "@"):
            return digest.split("@", 1)[1]
    return None


def container_name(family: str, revision: int, container: str, task_id: str) -> str:
    # Like the ECS agent's names: ecs-<family>-<rev>-<container>-<random>.
    raw = f"ecs-{family}-{revision}-{container}-{task_id[:12]}"
    return re.sub(r"[^a-zA-Z0-9_.-]", "-", raw)


def create(name: str, image: str, spec: dict[str, Any], labels: dict[str, str]) -> Any:
    """Create (not start) a container from a resolved container spec (see tasks.resolve)."""
    kwargs: dict[str, Any] = {
        "name": name,
        "detach": True,
        "labels": labels,
        "environment": spec["environment"],
        "network_mode": settings.NETWORK_MODE,
    }
    if spec.get("entryPoint") is not None:
        kwargs["entrypoint"] = spec["entryPoint"]
    if spec.get("command") is not None:
        kwargs["command"] = spec["command"]
    if spec.get("workingDirectory"):
        kwargs["working_dir"] = spec["workingDirectory"]
    if spec.get("user"):
        kwargs["user"] = spec["user"]
    if spec.get("memory_mib"):
        # Hard limit with no swap on top: the kernel's OOM killer fires at the limit, as on ECS.
        kwargs["mem_limit"] = f"{spec['memory_mib']}m"
        kwargs["memswap_limit"] = f"{spec['memory_mib']}m"
    if spec.get("memoryReservation"):
        kwargs["mem_reservation"] = f"{spec['memoryReservation']}m"
    if spec.get("init"):
        kwargs["init"] = True
    return client().containers.create(image, **kwargs)


def finished_at(container_id: str) -> float | None:
    """When the container's process exited (State.FinishedAt, epoch seconds), None if unknown."""
    try:
        stamp = client().api.inspect_container(container_id)["State"]["FinishedAt"]
    except Exception:
        return None
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$", stamp or "")
    if not match or match.group(1).startswith("0001"):
        return None
    seconds = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return seconds.timestamp() + float(f"0.{match.group(2) or 0}")


def exists(container_id: str | None) -> bool:
    if not container_id:
        return False
    try:
        client().containers.get(container_id)
        return True
    except docker.errors.NotFound:
        return False


def remove(container_id: str) -> None:
    try:
        client().api.remove_container(container_id, force=True)
    except docker.errors.NotFound:
        pass


# docker's State.OOMKilled (and its "oom" event) misses some kills, seen for containers that
# hit their limit right after starting on a busy engine. So the kernel's own record is read
# too: /dev/kmsg says "oom-kill:... oom_memcg=/docker/<container id>" for every memcg kill.
_oom_ids: set[str] = set()
_oom_cond = threading.Condition()
_KMSG_OOM = re.compile(rb"oom_memcg=\S*?([0-9a-f]{64})")


def _record_oom(container_id: str) -> None:
    with _oom_cond:
        _oom_ids.add(container_id)
        _oom_cond.notify_all()


def _watch_kmsg() -> None:
    try:
        fd = os.open("/dev/kmsg", os.O_RDONLY)
        os.lseek(fd, 0, os.SEEK_END)  # only kills from now on
    except OSError as err:
        say(f"cannot read /dev/kmsg ({err}); OOM detection relies on docker alone")
        return
    while True:
        try:
            record = os.read(fd, 8192)
        except OSError:  # EPIPE: records were overwritten before we read them; carry on
            continue
        m = _KMSG_OOM.search(record)
        if m:
            _record_oom(m.group(1).decode())


def _watch_oom_events() -> None:
    while True:
        try:
            for event in stream_client().api.events(decode=True, filters={"type": "container", "event": "oom"}):
                _record_oom(event.get("id") or event.get("Actor", {}).get("ID", ""))
        except Exception as err:
            say(f"docker oom event stream: {err!r}; reconnecting")
            time.sleep(1)


def start_oom_watcher() -> None:
    threading.Thread(target=_watch_oom_events, daemon=True, name="oom-events").start()
    threading.Thread(target=_watch_kmsg, daemon=True, name="oom-kmsg").start()


def oom_killed(container_id: str, state: dict[str, Any], grace: float = 1.5) -> bool:
    """Whether the container was killed by its memory limit. A SIGKILLed container (137)
    gets a short grace period for a late OOM event or flag."""
    deadline = time.time() + grace
    while True:
        if state.get("OOMKilled"):
            return True
        with _oom_cond:
            if container_id in _oom_ids:
                return True
            if state.get("ExitCode") != 137 or time.time() >= deadline:
                return False
            _oom_cond.wait(timeout=0.1)
        try:
            state = client().api.inspect_container(container_id)["State"]
        except docker.errors.NotFound:
            return False
