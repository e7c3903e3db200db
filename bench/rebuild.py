"""The re-run of an unchanged commit with `image.build`: the first run builds and pushes the
image, every later run of the same commit must skip both. Measured only when this build of
`ecs-migrate run` can build (`--build-context`); otherwise reported as not available, never
faked. Whether anything was built or pushed is read from the Docker engine's own events."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
from typing import Any

import measure as measuring

COMMIT = "0123456789abcdef0123456789abcdef01234567"
# What building (the legacy builder tags the result) and pushing leave in the engine's events.
BUILD_OR_PUSH = {"tag", "push"}


def supported(binary: str) -> bool:
    help_text = subprocess.run([binary, "run", "--help"], capture_output=True, text=True).stdout
    return "--build-context" in help_text


def image_events(since: float, until: float, repository: str) -> list[str]:
    """What the engine did to this run's repository in that window that a build or a push
    does (`tag`, `push`), one line each. The engine is shared (other tests, the stand-in
    pulling the pinned image to run the task), so other images and pulls are left out."""
    answer = subprocess.run(
        ["docker", "events", "--since", f"{since:.3f}", "--until", f"{until:.3f}",
         "--filter", "type=image", "--format", "{{json .}}"],
        capture_output=True, text=True, timeout=30)
    found = []
    for line in answer.stdout.splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        actor = event.get("Actor") or {}
        names = f"{actor.get('ID', '')} {(actor.get('Attributes') or {}).get('name', '')}"
        if event.get("Action") in BUILD_OR_PUSH and f"/{repository}" in names:
            found.append(f"{event['Action']} {names.strip()}")
    return found


def measure_runs(bench: Any, commands: list[str]) -> dict[str, Any]:
    context = bench.scratch / "build-context"
    context.mkdir(exist_ok=True)
    (context / "Dockerfile").write_text(f"FROM {bench.world.image}\nCOPY release.txt /release.txt\n")
    (context / "release.txt").write_text(f"{bench.run_id}\n")
    repository = f"bench-{bench.run_id}"
    docker_config = bench.scratch / "docker-config"
    docker_config.mkdir(exist_ok=True)
    argv = [str(bench.binary), "run", "--cluster", bench.world.cluster,
            "--service", bench.world.service, "--build-context", str(context),
            "--repository", repository, "--create-repository", "--tag", COMMIT]
    runs = []
    for rep, command in enumerate([commands[0], *commands]):
        key = bench.key(f"rebuild-{rep}")
        env = measuring.aws_env(bench.world.endpoint, key)
        env["GITHUB_SHA"] = COMMIT
        env["DOCKER_CONFIG"] = str(docker_config)  # never the machine's own
        run = measuring.run_tool("ecs-migrate", [*argv, "--command", f"sh -c {shlex.quote(command)}"], env, bench.world.endpoint, key, bench.scratch,
                               expect_task=False)
        if run.exit_code != 0:
            return {"available": True, "error": measuring.describe_failure(run)}
        run.refresh(bench.world.endpoint)
        time.sleep(0.2)  # let the engine's event log catch up with the window
        summary = run.summary()
        summary["image_events"] = image_events(run.started, run.exited, repository)
        runs.append(summary)
    return {"available": True, "first": runs[0], "reruns": runs[1:]}


def measure(bench: Any, commands: list[str]) -> dict[str, Any]:
    """`commands`: the tasks of the main comparison (the first also for the first run), so the
    overheads compare; only the task's sleep differs between runs, never the image or commit."""
    if not supported(str(bench.binary)):
        return {"available": False,
                "why": "not available in this build: `ecs-migrate run` has no `--build-context` "
                       "(image.build) yet"}
    if not os.environ.get("DOCKER_HOST"):
        return {"available": False, "why": "no DOCKER_HOST: the stack's Docker engine is needed"}
    return measure_runs(bench, commands)
