"""The benchmark's driver (bench/run.sh prepares everything and calls it): the same tasks,
run by the aws-cli way and by `ecs-migrate run`, alternately, each run under its own access
key; then log streaming, the re-run of an unchanged commit with `image.build`, start-up and
binary size. Writes bench/RESULTS.md and bench/results.png."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import measure
import rebuild
import report
import standin

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LOG_LINES = 10_000
TASK = "echo migrating; sleep {seconds}; echo done"
# The AWS CLI's tasks-stopped waiter polls every 6 s.
WAITER_DELAY = 6.0


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--log-reps", type=int, default=3)
    parser.add_argument("--task-seconds", type=float, default=8)
    args = parser.parse_args()
    endpoint = os.environ["ECS_MIGRATE_TEST_ENDPOINT"]
    image = os.environ["ECS_MIGRATE_TEST_IMAGE"]
    run_id = f"{time.strftime('%H%M%S')}-{os.getpid()}"
    say(f"fixtures bench-{run_id} on {endpoint}")
    world = standin.World.create(endpoint, image, run_id)
    bench = Bench(args.binary, world, run_id)

    commands = task_commands(args.task_seconds, args.reps)
    activity = Activity()
    bench.warm_up(commands[0])
    runs: list[measure.Run] = []
    for rep, command in enumerate(commands, 1):
        for tool in ("aws-cli", "ecs-migrate"):
            activity.sample()
            run = bench.run(tool, command, f"{tool}-{rep}")
            say(f"{tool} #{rep}: latency {run.stop_latency:.2f}s overhead {run.overhead:.2f}s "
                f"{run.calls_per_minute:.0f} calls/min")
            runs.append(run)

    logs = [bench.log_run(rep) for rep in range(1, args.log_reps + 1)]
    activity.sample()
    # Every other task length: five or so runs still fall at spread points of the cycles.
    rerun = bench.rebuild_runs(commands[::2])
    activity.sample()
    startup = bench.startup()
    activity.sample()
    results = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": git("rev-parse", "--short", "HEAD") + (" (uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""),
        "machine": f"{os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}",
        "activity": activity.summary(),
        "aws_cli": subprocess.run([str(BENCH / ".venv/bin/aws"), "--version"], capture_output=True, text=True).stdout.strip(),
        "task": TASK.format(seconds="S"),
        "task_seconds": [args.task_seconds + WAITER_DELAY * rep / args.reps for rep in range(args.reps)],
        "reps": args.reps,
        "runs": [run.summary() for run in runs],
        "logs": logs, "rebuild": rerun, "startup": startup,
        "binary_bytes": args.binary.stat().st_size,
    }
    report.write(results, BENCH / "RESULTS.md", BENCH / "results.png")
    say(f"wrote {BENCH / 'RESULTS.md'} and {BENCH / 'results.png'}")
    return 0


class Activity:
    """What else the machine was doing while we measured: its load average, and compilers
    running (another build on a shared machine), sampled before each measured run."""

    COMPILERS = {"rustc", "cc1", "cc1plus", "ld", "cargo"}

    def __init__(self) -> None:
        self.loads: list[float] = []
        self.compilers: list[int] = []

    def sample(self) -> None:
        self.loads.append(os.getloadavg()[0])
        running = 0
        for comm in Path("/proc").glob("[0-9]*/comm"):
            try:
                running += comm.read_text().strip() in self.COMPILERS
            except OSError:
                pass
        self.compilers.append(running)

    def summary(self) -> dict[str, Any]:
        return {"load_max": max(self.loads), "load_min": min(self.loads),
                "compilers_max": max(self.compilers),
                "samples_with_compilers": sum(1 for n in self.compilers if n),
                "samples": len(self.compilers)}


def task_commands(seconds: float, reps: int) -> list[str]:
    """The task of each rep: `seconds` plus a share of the AWS CLI waiter's 6 s delay, spread
    evenly, so the stop falls at every point of both tools' polling cycles, not at one lucky
    or unlucky phase. Both tools run the same list."""
    return [TASK.format(seconds=f"{seconds + WAITER_DELAY * rep / reps:g}") for rep in range(reps)]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


class Bench:
    def __init__(self, binary: Path, world: standin.World, run_id: str) -> None:
        self.binary, self.world, self.run_id = binary, world, run_id
        self.scratch = Path(tempfile.mkdtemp(prefix="ecs-migrate-bench-"))
        self.aws_bin = str(BENCH / ".venv/bin")

    def key(self, name: str) -> str:
        return f"bench-{self.run_id}-{name}"

    def ecs_migrate_argv(self, command: str) -> list[str]:
        return [str(self.binary), "run", "--cluster", self.world.cluster,
                "--service", self.world.service, "--image", self.world.image,
                "--command", f"sh -c {shlex.quote(command)}"]

    def run(self, tool: str, command: str, name: str) -> measure.Run:
        key = self.key(name)
        env = measure.aws_env(self.world.endpoint, key)
        if tool == "aws-cli":
            env["PATH"] = f"{self.aws_bin}:{env['PATH']}"
            env.update({"CLUSTER": self.world.cluster, "TASK_DEFINITION": self.world.family,
                        "SUBNETS": ",".join(self.world.subnets),
                        "SECURITY_GROUPS": ",".join(self.world.security_groups),
                        "COMMAND_JSON": json.dumps(["sh", "-c", command])})
            argv = [str(BENCH / "awscli-way.sh")]
        else:
            argv = self.ecs_migrate_argv(command)
        run = measure.run_tool(tool, argv, env, self.world.endpoint, key, self.scratch)
        if run.exit_code != 0:
            raise SystemExit(f"bench: {measure.describe_failure(run)}")
        return run

    def warm_up(self, command: str) -> None:
        """One unmeasured run each: the image is pulled, the migration's task definition
        registered (later runs reuse it, as a re-run in CI does)."""
        say("warm-up runs")
        for tool in ("aws-cli", "ecs-migrate"):
            self.run(tool, command, f"{tool}-warm-up")

    def log_run(self, rep: int) -> dict[str, Any]:
        script = (f"i=1; while [ $i -le {LOG_LINES} ]; do read up rest </proc/uptime; "
                  "echo \"L $i $up\"; [ $((i % 125)) = 0 ] && sleep 0.1; i=$((i+1)); done")
        offset = measure.uptime_offset()
        run = self.run("ecs-migrate", script, f"logs-{rep}")
        checked = measure.log_delays(run, LOG_LINES, offset)
        checked.update(run.summary())
        say(f"logs #{rep}: {checked['delivered']}/{LOG_LINES} lines, in order {checked['in_order']}, "
            f"{checked['duplicates']} duplicates")
        return checked

    def rebuild_runs(self, commands: list[str]) -> dict[str, Any]:
        return rebuild.measure(self, commands)

    def startup(self) -> dict[str, list[float]]:
        offline = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
        example = str(ROOT / "examples/ecs-migrate.yml")
        commands = {
            "ecs-migrate --version": [str(self.binary), "--version"],
            "ecs-migrate plan (example)": [str(self.binary), "plan", "-c", example],
            "aws --version": [f"{self.aws_bin}/aws", "--version"],
        }
        timings: dict[str, list[float]] = {}
        for name, argv in commands.items():
            subprocess.run(argv, env=offline, capture_output=True, check=True)
            samples = []
            for _ in range(20 if name.startswith("ecs") else 5):
                began = time.perf_counter()
                subprocess.run(argv, env=offline, capture_output=True, check=True)
                samples.append((time.perf_counter() - began) * 1000)
            timings[name] = samples
        return timings


if __name__ == "__main__":
    sys.exit(main())
