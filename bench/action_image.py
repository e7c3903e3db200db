"""The Action's image as a workflow meets it: its size, and the time from `docker run` to its
first AWS call, beside the bare release binary's. The image is built from the real Dockerfile
with the release binary (BINARY_FROM) and the local base images of the tests
(tests/stack/action-image-bases.sh: Debian's packages stand in for debian:bookworm-slim and
docker:27-cli, so the size is close to, not equal to, the published image's)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import standin

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def _docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True)


def build(binary: Path, tag: str) -> None:
    """Builds the Action's image as `tag` (and `tag`-binary) from the Dockerfile, with `binary`
    in it: tests/stack/action-image.sh, as the tests build it."""
    subprocess.run(["bash", str(ROOT / "tests/stack/action-image.sh"), str(binary), tag],
                   capture_output=True, text=True, check=True)


def first_call_after(endpoint: str, key: str, began: float, timeout: float = 60.0) -> float:
    """Seconds from `began` to the stand-in's first request under `key`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        seen = standin.requests(endpoint, key)
        if seen:
            return min(request["time"] for request in seen) - began
        time.sleep(0.05)
    raise SystemExit(f"bench: no AWS call under {key} within {timeout:.0f} s")


def measure(binary: Path, world: standin.World, key: Callable[[str], str],
            env_for: Callable[[str], dict[str, str]], reps: int = 5) -> dict[str, Any]:
    """Size of the image, and `plan` of the world's service started as a container and as the
    bare binary: seconds from the start to the first AWS call, `reps` times each."""
    tag = f"ecs-migrate-bench-action:{os.getpid()}"
    build(binary, tag)
    try:
        size = int(_docker("image", "inspect", "-f", "{{.Size}}", tag).stdout.strip())
        plan = ["plan", "--cluster", world.cluster, "--service", world.service]
        samples: dict[str, list[float]] = {"image (docker run)": [], "binary": []}
        for rep in range(reps + 1):  # the first of each is a warm-up, not counted
            for way in samples:
                name = key(f"first-call-{way.split()[0]}-{rep}")
                env = env_for(name)
                if way == "binary":
                    argv = [str(binary), *plan]
                else:
                    passed = [f"--env={variable}" for variable in env
                              if variable.startswith(("AWS_", "NO_COLOR", "CI"))]
                    argv = ["docker", "run", "--rm", "--network", "host", *passed, tag, *plan]
                began = time.time()
                subprocess.run(argv, env=env, capture_output=True, check=True)
                if rep:
                    samples[way].append(first_call_after(world.endpoint, name, began))
        return {"image_bytes": size, "first_call_seconds": samples}
    finally:
        for image in (tag, f"{tag}-binary"):
            subprocess.run(["docker", "image", "rm", "-f", image], capture_output=True)
