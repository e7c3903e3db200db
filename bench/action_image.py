"""The Action's image as a workflow meets it: its size, and the time from `docker run` to its
first AWS call, beside the bare release binary's. The image is built from the real Dockerfile
with the release binary (BINARY_FROM) and the local base images of the tests
(tests/stack/action-image-bases.sh: Debian's packages stand in for debian:bookworm-slim and
docker:27-cli, so the size is close to, not equal to, the published image's)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import standin

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# Debian's docker.io CLI: with DOCKER_BUILDKIT=1 it drives the engine's own BuildKit, which
# skips the Dockerfile's cargo stage (the binary comes from BINARY_FROM).
DOCKER_BUILDKIT_CLI = "/usr/bin/docker"


def _docker(*args: str, buildkit: bool = False, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DOCKER_BUILDKIT="1") if buildkit else None
    cli = DOCKER_BUILDKIT_CLI if buildkit else "docker"
    return subprocess.run([cli, *args], env=env, capture_output=True, text=True, check=True, **kwargs)


def build(binary: Path, tag: str) -> None:
    """Builds the Action's image as `tag` from the Dockerfile, with `binary` in it."""
    bases = subprocess.run(["bash", str(ROOT / "tests/stack/action-image-bases.sh")],
                           capture_output=True, text=True, check=True).stdout.split()
    with tempfile.TemporaryDirectory(prefix="ecs-migrate-bench-binary-") as context:
        Path(context, "ecs-migrate").write_bytes(binary.read_bytes())
        Path(context, "ecs-migrate").chmod(0o755)
        Path(context, "Dockerfile").write_text("FROM scratch\nCOPY ecs-migrate /ecs-migrate\n")
        _docker("build", "-q", "-t", f"{tag}-binary", context)
    build_args = [arg for base in bases for arg in ("--build-arg", base)]
    _docker("build", "--network", "host", "-t", tag, *build_args,
            "--build-arg", f"BINARY_FROM={tag}-binary", str(ROOT), buildkit=True)


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
