"""The re-run of an unchanged commit with `image.build`: the first run builds and pushes the
image, every later run of the same commit must skip both. Measured only when this build of
`ecs-migrate run` can build (`--build-context`); otherwise reported as not available, never
faked. Whether anything was built or pushed is read from the Docker engine's own events."""

from __future__ import annotations

import os
import subprocess
import time
from typing import Any

import measure

COMMIT = "0123456789abcdef0123456789abcdef01234567"
COMMAND = "echo migrating; sleep 2; echo done"


def supported(binary: str) -> bool:
    help_text = subprocess.run([binary, "run", "--help"], capture_output=True, text=True).stdout
    return "--build-context" in help_text


def image_events(since: float, until: float) -> list[str]:
    """What the engine did to images in that window (build tags, pushes), one line each."""
    answer = subprocess.run(
        ["docker", "events", "--since", f"{since:.3f}", "--until", f"{until:.3f}",
         "--filter", "type=image", "--format", "{{.Action}} {{.Actor.ID}}"],
        capture_output=True, text=True, timeout=30)
    return [line for line in answer.stdout.splitlines() if line.strip()]


def measure_runs(bench: Any, reps: int) -> dict[str, Any]:
    context = bench.scratch / "build-context"
    context.mkdir(exist_ok=True)
    (context / "Dockerfile").write_text(f"FROM {bench.world.image}\nCOPY release.txt /release.txt\n")
    (context / "release.txt").write_text(f"{bench.run_id}\n")
    argv = [str(bench.binary), "run", "--cluster", bench.world.cluster,
            "--service", bench.world.service, "--build-context", str(context),
            "--repository", f"bench-{bench.run_id}", "--create-repository", "--tag", COMMIT,
            "--command", f"sh -c '{COMMAND}'"]
    runs = []
    for rep in range(reps + 1):
        key = bench.key(f"rebuild-{rep}")
        env = measure.aws_env(bench.world.endpoint, key)
        env["GITHUB_SHA"] = COMMIT
        run = measure.run_tool("ecs-migrate", argv, env, bench.world.endpoint, key, bench.scratch,
                               expect_task=False)
        if run.exit_code != 0:
            return {"available": True, "error": measure.describe_failure(run)}
        run.task = measure.standin.stopped_task(bench.world.endpoint, key)
        time.sleep(0.2)  # let the engine's event log catch up with the window
        summary = run.summary()
        summary["image_events"] = image_events(run.started, run.exited)
        runs.append(summary)
    return {"available": True, "first": runs[0], "reruns": runs[1:]}


def measure(bench: Any, reps: int) -> dict[str, Any]:
    if not supported(str(bench.binary)):
        return {"available": False,
                "why": "not available in this build: `ecs-migrate run` has no `--build-context` "
                       "(image.build) yet"}
    if not os.environ.get("DOCKER_HOST"):
        return {"available": False, "why": "no DOCKER_HOST: the stack's Docker engine is needed"}
    return measure_runs(bench, reps)
