"""The benchmark's driver (bench/run.sh prepares everything and calls it): the same tasks,
run by the aws-cli way and by `ecs-migrate run`, alternately, each run under its own access
key, in two scenarios side by side (the stand-in's default 3 s teardown, and a realistic 12 s
teardown with the last log batch late by up to the drain window); then ecs-migrate under faults
(lines lost or repeated, tasks started), log streaming, the re-run of an unchanged commit with
`image.build`, start-up and binary size, the Action image's size and time to its first AWS call. Writes bench/RESULTS.md and bench/results.png."""

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

import action_image
import measure
import rebuild
import report
import standin

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LOG_LINES = 10_000
# 100 numbered lines at the start, 200 printed just before the exit: those land in the
# stand-in's final log batch, the one that becomes readable late.
TASK = "echo migrating; seq 1 100 | sed 's/^/M /'; sleep {seconds}; seq 101 300 | sed 's/^/M /'; echo done"
TASK_LINES = 300
# The AWS CLI's tasks-stopped waiter polls every 6 s.
WAITER_DELAY = 6.0
# ecs-migrate's documented default `log_drain` (docs/src/wait.md, "When the wait is done"); the
# bench runs with the default.
LOG_DRAIN = 5.0
# The realistic teardown: the "about ten seconds (ours: 12 s)".
REALISTIC_TEARDOWN_MS = 12_000
# Faults during the wait and the drain (the stand-in's behaviour keys, tests/stack/README.md).
FAULTS = {
    "20% errors in bursts": lambda rep: {
        "error_rate": 0.2, "error_burst": 8, "error_burst_after": 6 + 3 * rep,
        "actions": ["DescribeTasks", "GetLogEvents"]},
    "faults after the mutation": lambda rep: {
        "lost_answer_actions": ["RunTask"], "lost_answer_count": 1, "missing_for_ms": 2000,
        "throttle_rate": 0.2},
}


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--log-reps", type=int, default=3)
    parser.add_argument("--task-seconds", type=float, default=8)
    parser.add_argument("--fault-reps", type=int, default=3)
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
    for rep, command in enumerate(commands):
        for scenario, behaviour in scenarios(rep, args.reps).items():
            for tool in ("aws-cli", "ecs-migrate"):
                activity.sample()
                run = bench.run(tool, command, f"{scenario}-{tool}-{rep + 1}", scenario, behaviour)
                say(f"{scenario} {tool} #{rep + 1}: container exit → tool exit {run.exit_latency:.2f}s, "
                    f"{run.calls_per_minute:.0f} calls/min, {run.tasks_started} task(s)"
                    + (f", lines lost {run.lines['lost']} repeated {run.lines['repeated']}" if run.lines else ""))
                runs.append(run)
    faulted: list[measure.Run] = []
    for rep in range(args.fault_reps):
        delay = late_batch_ms(rep, args.fault_reps, low=1000)
        for name, faults in FAULTS.items():
            activity.sample()
            behaviour = {"teardown_ms": REALISTIC_TEARDOWN_MS, "final_log_delay_ms": delay, **faults(rep)}
            run = bench.run("ecs-migrate", commands[rep * len(commands) // args.fault_reps],
                            f"faults-{rep + 1}-{len(faulted)}", name, behaviour, check=False)
            say(f"{name} #{rep + 1} (last batch {delay} ms late): exit {run.exit_code}, "
                f"{run.injected} injected, {run.tasks_started} task(s), lines lost "
                f"{run.lines['lost']} repeated {run.lines['repeated']}")
            faulted.append(run)
    for run in runs + faulted:
        run.refresh(world.endpoint)  # STOPPED, after the teardown, and a last count of tasks

    logs = [bench.log_run(rep) for rep in range(1, args.log_reps + 1)]
    activity.sample()
    # Every other task length: five or so runs still fall at spread points of the cycles.
    rerun = bench.rebuild_runs(commands[::2])
    activity.sample()
    startup = bench.startup()
    activity.sample()
    image = action_image.measure(args.binary, world, bench.key,
                                 lambda key: measure.aws_env(world.endpoint, key))
    results = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": git("rev-parse", "--short", "HEAD") + (" (uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""),
        "machine": f"{os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}",
        "activity": activity.summary(),
        "aws_cli": subprocess.run([str(BENCH / ".venv/bin/aws"), "--version"], capture_output=True, text=True).stdout.strip(),
        "task": TASK.format(seconds="S"),
        "task_seconds": [args.task_seconds + WAITER_DELAY * rep / args.reps for rep in range(args.reps)],
        "reps": args.reps,
        "log_drain": LOG_DRAIN,
        "scenarios": {name: describe(behaviour) for name, behaviour in scenarios(0, 1).items()},
        "realistic_delays_ms": [scenarios(rep, args.reps)["realistic"]["final_log_delay_ms"]
                                for rep in range(args.reps)],
        "faults": {name: [faults(rep) for rep in range(max(args.fault_reps, 1))]
                   for name, faults in FAULTS.items()},
        "runs": [run.summary() for run in runs],
        "faulted": [run.summary() for run in faulted],
        "logs": logs, "rebuild": rerun, "startup": startup, "action_image": image,
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


def late_batch_ms(rep: int, reps: int, low: int = 500) -> int:
    """How late the final log batch is in rep `rep`: spread from `low` to the whole drain window."""
    top = int(LOG_DRAIN * 1000)
    return top if reps < 2 else round(low + (top - low) * rep / (reps - 1))


def scenarios(rep: int, reps: int) -> dict[str, dict[str, Any]]:
    """The stand-in's behaviour in each scenario, set explicitly (not left to its defaults)."""
    return {
        # The stand-in's defaults: STOPPED 3 s after the exit, the last batch 2 s late.
        "default": {"teardown_ms": 3000, "final_log_delay_ms": 2000},
        # A Fargate-like teardown of about ten seconds; the last batch late by up to the drain window.
        "realistic": {"teardown_ms": REALISTIC_TEARDOWN_MS,
                      "final_log_delay_ms": late_batch_ms(rep, reps)},
    }


def describe(behaviour: dict[str, Any]) -> str:
    return ", ".join(f"`{key}: {value}`" for key, value in behaviour.items())


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

    def run(self, tool: str, command: str, name: str, scenario: str = "default",
            behaviour: dict[str, Any] | None = None, check: bool = True) -> measure.Run:
        key = self.key(name)
        behaviour = behaviour or scenarios(0, 1)["default"]
        standin.set_behaviour(self.world.endpoint, key, **behaviour)
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
        run.scenario, run.behaviour = scenario, behaviour
        if tool == "ecs-migrate":
            run.lines = measure.numbered_lines(run, TASK_LINES)
        if check and run.exit_code != 0:
            raise SystemExit(f"bench: {measure.describe_failure(run)}")
        return run

    def warm_up(self, command: str) -> None:
        """One unmeasured run each: the image is pulled, the migration's task definition
        registered (later runs reuse it, as a re-run in CI does)."""
        say("warm-up runs")
        for tool in ("aws-cli", "ecs-migrate"):
            self.run(tool, command, f"{tool}-warm-up").refresh(self.world.endpoint)

    def log_run(self, rep: int) -> dict[str, Any]:
        script = (f"i=1; while [ $i -le {LOG_LINES} ]; do read up rest </proc/uptime; "
                  "echo \"L $i $up\"; [ $((i % 125)) = 0 ] && sleep 0.1; i=$((i+1)); done")
        offset = measure.uptime_offset()
        run = self.run("ecs-migrate", script, f"logs-{rep}")
        run.refresh(self.world.endpoint)
        run.lines = None  # its lines are checked here, not as the `M <n>` task's
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
