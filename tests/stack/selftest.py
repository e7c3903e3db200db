#!/usr/bin/env python3
"""Prove the ECS stand-in behaves like ECS before the Rust tests rely on it.

Run with the stack's venv after tests/stack/up.sh:  .stack/venv/bin/python tests/stack/selftest.py
Uses boto3 (a real AWS client) against $ECS_MIGRATE_TEST_ENDPOINT with its own access key,
runs real tasks on busybox, and checks what a client would see: statuses, exit codes,
stopCode/stoppedReason, container reasons, the teardown (exit visible seconds before STOPPED),
complete ordered logs whose last batch lands late,
the request log, fault injection, and the ECR answers. Prints one PASS/FAIL line per case
and exits non-zero on any failure. `-k NAME` runs only cases whose name contains NAME.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
import traceback
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

ENDPOINT = os.environ.get("ECS_MIGRATE_TEST_ENDPOINT", "http://127.0.0.1:5100")
IMAGE = os.environ.get("ECS_MIGRATE_TEST_IMAGE", "127.0.0.1:5001/ecs-migrate-test/busybox:latest")
REGISTRY = os.environ.get("ECS_MIGRATE_TEST_REGISTRY", "127.0.0.1:5001")
REGION = "us-east-1"
RUN_ID = uuid.uuid4().hex[:8]
KEY = f"selftest-{RUN_ID}"
CLUSTER = f"selftest-{RUN_ID}"
LOG_GROUP = f"/selftest/{RUN_ID}"


class Failed(AssertionError):
    pass


# Every JSON answer the stand-in gives is checked against the botocore output shape, with
# the strictness of a generated SDK (the Rust SDK rejects a number where a string belongs).
SHAPE_VIOLATIONS: list[str] = []


def _shape_errors(value: Any, shape: Any, path: str) -> list[str]:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected object, got {type(value).__name__}"]
        errors = [f"{path}.{k}: not in shape {shape.name}" for k in value if k not in shape.members]
        for k, v in value.items():
            if k in shape.members and v is not None:
                errors += _shape_errors(v, shape.members[k], f"{path}.{k}")
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected list"]
        return [e for i, v in enumerate(value) for e in _shape_errors(v, shape.member, f"{path}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected map"]
        return [e for k, v in value.items() for e in _shape_errors(v, shape.value, f"{path}.{k}")]
    expected = {"string": (str,), "blob": (str,), "boolean": (bool,), "integer": (int,), "long": (int,),
                "timestamp": (int, float), "double": (int, float), "float": (int, float)}.get(kind)
    if expected and (not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool))):
        return [f"{path}: expected {kind}, got {type(value).__name__} {value!r:.40}"]
    if kind == "string" and getattr(shape, "enum", None) and value not in shape.enum:
        return [f"{path}: {value!r} not one of {shape.enum}"]
    return []


def _validate_response(operation_model: Any, response_dict: Any, **_: Any) -> None:
    if response_dict.get("status_code") != 200 or operation_model.output_shape is None:
        return
    try:
        body = json.loads(response_dict.get("body") or b"{}")
    except ValueError:
        return  # query/XML protocols are not checked here
    for error in _shape_errors(body, operation_model.output_shape, operation_model.name):
        SHAPE_VIOLATIONS.append(error)


def check(cond: bool, message: str) -> None:
    if not cond:
        raise Failed(message)


def client(service: str, key: str = KEY, attempts: int | None = None) -> Any:
    config = Config(retries={"total_max_attempts": attempts, "mode": "standard"}) if attempts else None
    made = boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id=key,
                        aws_secret_access_key="test", config=config)
    made.meta.events.register("before-parse", _validate_response)
    return made


def control(method: str, path: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(ENDPOINT + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)


ecs = client("ecs")
logs = client("logs")
NETWORK: dict[str, Any] = {}


def register(family: str, containers: list[dict[str, Any]], memory: str = "512") -> str:
    for c in containers:
        c.setdefault("image", IMAGE)
        c.setdefault("logConfiguration", {"logDriver": "awslogs", "options": {
            "awslogs-group": LOG_GROUP, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs"}})
    td = ecs.register_task_definition(
        family=f"{family}-{RUN_ID}", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
        cpu="256", memory=memory, containerDefinitions=containers)["taskDefinition"]
    return td["taskDefinitionArn"]


def run(td_arn: str, ecs_client: Any = None, **kwargs: Any) -> str:
    # No securityGroups on purpose: AWS then uses the VPC's default (moto used to 500).
    resp = (ecs_client or ecs).run_task(
        cluster=CLUSTER, taskDefinition=td_arn, launchType="FARGATE", startedBy="selftest",
        networkConfiguration={"awsvpcConfiguration": {"subnets": NETWORK["subnets"][:1]}}, **kwargs)
    check(not resp["failures"] and len(resp["tasks"]) == 1, f"RunTask answered {resp['failures']}")
    task = resp["tasks"][0]
    check(task["lastStatus"] == "PROVISIONING" and task["desiredStatus"] == "RUNNING",
          f"RunTask: lastStatus {task['lastStatus']} desiredStatus {task['desiredStatus']}")
    return task["taskArn"]


def wait_stopped(arn: str, timeout: float = 60, ecs_client: Any = None,
                 seen: list[str] | None = None) -> tuple[dict[str, Any], list[str], float]:
    """Poll DescribeTasks every 0.2 s; return the STOPPED task, the statuses seen, and when
    STOPPED was first seen."""
    seen = [] if seen is None else seen
    deadline = time.time() + timeout
    while time.time() < deadline:
        task = (ecs_client or ecs).describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]
        if not seen or seen[-1] != task["lastStatus"]:
            seen.append(task["lastStatus"])
        if task["lastStatus"] == "STOPPED":
            return task, seen, time.time()
        time.sleep(0.2)
    raise Failed(f"task not STOPPED after {timeout}s (saw {seen})")


def log_lines(stream: str, logs_client: Any = None) -> list[str]:
    """Read a whole stream the way a tailing client does: startFromHead, follow
    nextForwardToken until it comes back unchanged."""
    lc = logs_client or logs
    out: list[str] = []
    token = None
    while True:
        kwargs = {"logGroupName": LOG_GROUP, "logStreamName": stream, "startFromHead": True}
        if token:
            kwargs["nextToken"] = token
        try:
            resp = lc.get_log_events(**kwargs)
        except ClientError as err:
            if err.response["Error"]["Code"] == "ResourceNotFoundException":
                return out
            raise
        out += [e["message"] for e in resp["events"]]
        if resp["nextForwardToken"] == token:
            return out
        token = resp["nextForwardToken"]


def wait_lines(stream: str, want: int, timeout: float = 10) -> list[str]:
    deadline = time.time() + timeout
    lines = log_lines(stream)
    while len(lines) < want and time.time() < deadline:
        time.sleep(0.2)
        lines = log_lines(stream)
    return lines


def stream_of(task: dict[str, Any], container: str = "app") -> str:
    return f"ecs/{container}/{task['taskArn'].split('/')[-1]}"


def container(task: dict[str, Any], name: str = "app") -> dict[str, Any]:
    found = [c for c in task["containers"] if c["name"] == name]
    check(len(found) == 1, f"container {name} not in {[c['name'] for c in task['containers']]}")
    return found[0]


def standin_task(arn: str, key: str = KEY) -> dict[str, Any]:
    return next(t for t in control("GET", f"/_standin/tasks?access_key={key}") if t["task_arn"] == arn)


# ---------------------------------------------------------------------------- cases
def case_echo_exit_0() -> str:
    td = register("echo", [{"name": "app", "command": [
        "sh", "-c", "echo line-1; echo line-2 >&2; echo \"env=$GREETING\"; echo line-last; exit 0"],
        "environment": [{"name": "GREETING", "value": "from-taskdef"}]}])
    arn = run(td, overrides={"containerOverrides": [
        {"name": "app", "environment": [{"name": "GREETING", "value": "from-override"}]}]})
    task, seen, stopped_seen = wait_stopped(arn)
    c = container(task)
    check(c.get("exitCode") == 0, f"exitCode {c.get('exitCode')}")
    check(task.get("stopCode") == "EssentialContainerExited", f"stopCode {task.get('stopCode')}")
    check(task.get("stoppedReason") == "Essential container in task exited", f"stoppedReason {task.get('stoppedReason')}")
    check(task["desiredStatus"] == "STOPPED", f"desiredStatus {task['desiredStatus']}")
    check(seen[0] in ("PROVISIONING", "PENDING") and "RUNNING" not in seen[seen.index("STOPPED"):][1:],
          f"statuses {seen}")
    times = [task.get(k) for k in ("createdAt", "pullStartedAt", "pullStoppedAt", "startedAt",
                                   "executionStoppedAt", "stoppingAt", "stoppedAt")]
    check(all(times), f"missing timestamps {times}")
    check(times == sorted(times), f"timestamps out of order {times}")
    check(c.get("runtimeId") and c.get("imageDigest", "").startswith("sha256:"), f"container {c}")
    early = log_lines(stream_of(task))
    # The teardown is on by default: STOPPED comes seconds after the container exited.
    teardown = (task["stoppedAt"] - task["executionStoppedAt"]).total_seconds()
    check(teardown >= 2.9, f"STOPPED {teardown:.1f}s after executionStoppedAt (default teardown 3 s)")
    check(seen[-4:] == ["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"], f"statuses {seen}")
    lines = wait_lines(stream_of(task), 4)
    # stdout keeps its order; stderr is a separate pipe, so (as on ECS) it may interleave anywhere.
    check([x for x in lines if x != "line-2"] == ["line-1", "env=from-override", "line-last"]
          and lines.count("line-2") == 1, f"logs {lines}")
    check(not any(x["exists"] for x in standin_task(arn)["containers"]), "container still exists")
    return f"statuses {seen}; STOPPED {teardown:.1f}s after the exit"


def case_exit_3() -> str:
    arn = run(register("exit3", [{"name": "app", "command": ["sh", "-c", "echo failing; exit 3"]}]))
    task, seen, _ = wait_stopped(arn)
    c = container(task)
    check(c.get("exitCode") == 3, f"exitCode {c.get('exitCode')}")
    check(task.get("stopCode") == "EssentialContainerExited", f"stopCode {task.get('stopCode')}")
    check(wait_lines(stream_of(task), 1) == ["failing"], "logs")
    return f"exitCode 3, statuses {seen}"


def case_missing_image() -> str:
    arn = run(register("noimage", [{"name": "app", "image": f"{REGISTRY}/ecs-migrate-test/does-not-exist:latest",
                                    "command": ["true"]}]))
    task, seen, _ = wait_stopped(arn)
    c = container(task)
    check(task.get("stopCode") == "TaskFailedToStart", f"stopCode {task.get('stopCode')}")
    reason = task.get("stoppedReason", "")
    check(reason.startswith("CannotPullContainerError: "), f"stoppedReason {reason}")
    check("exitCode" not in c and c.get("reason") == reason, f"container {c}")
    check("RUNNING" not in seen and "startedAt" not in task, f"statuses {seen}")
    return reason[:90]


def case_oom() -> str:
    arn = run(register("oom", [{"name": "app", "memory": 16, "command": [
        "sh", "-c", "echo allocating; exec dd if=/dev/zero of=/dev/null bs=64M count=1"]}]))
    task, _, _ = wait_stopped(arn)
    c = container(task)
    check(c.get("exitCode") == 137, f"exitCode {c.get('exitCode')}")
    check(c.get("reason") == "OutOfMemoryError: Container killed due to memory usage", f"reason {c.get('reason')}")
    check(task.get("stopCode") == "EssentialContainerExited", f"stopCode {task.get('stopCode')}")
    return "137 + OutOfMemoryError"


def case_stop_task() -> str:
    # `sleep` as PID 1 ignores SIGTERM, so StopTask must escalate to SIGKILL after stopTimeout.
    arn = run(register("stop", [{"name": "app", "command": ["sleep", "300"], "stopTimeout": 2}]))
    deadline = time.time() + 30
    while ecs.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]["lastStatus"] != "RUNNING":
        check(time.time() < deadline, "never RUNNING")
        time.sleep(0.2)
    listed = ecs.list_tasks(cluster=CLUSTER, family=f"stop-{RUN_ID}")["taskArns"]
    check(arn in listed, f"ListTasks (RUNNING) misses the task: {listed}")
    docker_id = standin_task(arn)["containers"][0]["docker_id"]
    t0 = time.time()
    resp = ecs.stop_task(cluster=CLUSTER, task=arn, reason="selftest stop")["task"]
    check(resp["desiredStatus"] == "STOPPED", f"StopTask answered desiredStatus {resp['desiredStatus']}")
    task, seen, t1 = wait_stopped(arn)
    c = container(task)
    check(task.get("stopCode") == "UserInitiated", f"stopCode {task.get('stopCode')}")
    check(task.get("stoppedReason") == "selftest stop", f"stoppedReason {task.get('stoppedReason')}")
    check(c.get("exitCode") == 137, f"exitCode {c.get('exitCode')} (SIGKILL after stopTimeout expected)")
    check(2 <= t1 - t0 < 15, f"stopped after {t1 - t0:.1f}s with stopTimeout 2")
    info = standin_task(arn)["containers"][0]
    check(info["docker_id"] == docker_id and not info["exists"], f"container still on the engine: {info}")
    check(arn not in ecs.list_tasks(cluster=CLUSTER)["taskArns"], "still listed as RUNNING")
    check(arn in ecs.list_tasks(cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"], "not listed as STOPPED")
    return f"STOPPED {t1 - t0:.1f}s after StopTask, statuses {seen}"


def case_log_5000_lines() -> str:
    arn = run(register("burst", [{"name": "app", "command": ["sh", "-c", "seq 1 5000 | sed 's/^/line-/'"]}]))
    task, _, _ = wait_stopped(arn)
    check(container(task).get("exitCode") == 0, "exitCode")
    lines = wait_lines(stream_of(task), 5000, timeout=15)
    check(lines == [f"line-{i}" for i in range(1, 5001)],
          f"{len(lines)} lines, first {lines[:2]}, last {lines[-2:]}, unique {len(set(lines))}")
    return "5000 lines complete, in order, no duplicates"


def case_multi_container_secrets() -> str:
    ssm, sm = client("ssm"), client("secretsmanager")
    ssm.put_parameter(Name=f"/selftest/{RUN_ID}/db", Value="ssm-s3cret", Type="SecureString")
    param_arn = f"arn:aws:ssm:{REGION}:123456789012:parameter/selftest/{RUN_ID}/db"
    secret_arn = sm.create_secret(Name=f"selftest-{RUN_ID}", SecretString=json.dumps({"pw": "asm-s3cret"}))["ARN"]
    td = register("multi", [
        {"name": "init", "essential": False, "command": ["sh", "-c", "echo init-done"]},
        {"name": "app", "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}],
         "command": ["sh", "-c", "echo \"db=$DB pw=$PW\"; sleep 1"],
         "secrets": [{"name": "DB", "valueFrom": param_arn}, {"name": "PW", "valueFrom": f"{secret_arn}:pw::"}]},
        {"name": "sidecar", "essential": False, "command": ["sleep", "300"], "stopTimeout": 1},
    ])
    arn = run(td)
    task, _, _ = wait_stopped(arn)
    names = [c["name"] for c in task["containers"]]
    check(sorted(names) == ["app", "init", "sidecar"], f"containers {names}")
    codes = {c["name"]: c.get("exitCode") for c in task["containers"]}
    check(codes == {"init": 0, "app": 0, "sidecar": 137}, f"exit codes {codes}")
    check(task.get("stopCode") == "EssentialContainerExited", f"stopCode {task.get('stopCode')}")
    check(wait_lines(stream_of(task, "init"), 1) == ["init-done"], "init logs")
    app_lines = wait_lines(stream_of(task), 1)
    check(app_lines == ["db=ssm-s3cret pw=asm-s3cret"], f"app logs {app_lines}")
    return f"exit codes {codes}, secrets from SSM + Secrets Manager"


def case_missing_log_group() -> str:
    td = register("nolog", [{"name": "app", "command": ["true"], "logConfiguration": {
        "logDriver": "awslogs", "options": {"awslogs-group": f"/missing/{RUN_ID}", "awslogs-region": REGION,
                                            "awslogs-stream-prefix": "ecs"}}}])
    task, _, _ = wait_stopped(run(td))
    check(task.get("stopCode") == "TaskFailedToStart", f"stopCode {task.get('stopCode')}")
    reason = task.get("stoppedReason", "")
    check(reason.startswith("ResourceInitializationError: failed to validate logger args")
          and "The specified log group does not exist" in reason, f"stoppedReason {reason}")
    return reason[:70]


def case_skip_running_late_logs() -> str:
    key = f"{KEY}-skip"
    control("POST", "/_standin/behaviour", {"access_key": key, "skip_running": True, "final_log_delay_ms": 1500,
                                            "teardown_ms": 0})
    try:
        ecs2 = client("ecs", key)
        arn = run(register("skip", [{"name": "app", "command": ["sh", "-c", "sleep 1; echo quick"]}]), ecs_client=ecs2)
        task, seen, _ = wait_stopped(arn, ecs_client=ecs2)
        check("RUNNING" not in seen and seen[-2:] == ["PENDING", "STOPPED"], f"statuses {seen}")
        check(container(task).get("exitCode") == 0, "exitCode")
        check(log_lines(stream_of(task)) == [], "final batch delivered before final_log_delay_ms")
        lines = wait_lines(stream_of(task), 1, timeout=5)
        check(lines == ["quick"], f"logs {lines}")
        late = (datetime.now(timezone.utc) - task["executionStoppedAt"]).total_seconds()
        check(late >= 1.4, f"final batch readable {late:.1f}s after executionStoppedAt")
        times = standin_task(arn, key)["state_times"]
        check("RUNNING" not in times and {"PENDING", "STOPPED"} <= set(times), f"state_times {times}")
        return f"statuses {seen}; last batch {late:.1f}s after executionStoppedAt"
    finally:
        control("DELETE", f"/_standin/behaviour?access_key={key}")


def wait_exit(arn: str, ecs_client: Any, name: str = "app") -> tuple[dict[str, Any], list[str]]:
    """Poll DescribeTasks every 0.1 s until container `name` shows an exitCode."""
    seen: list[str] = []
    deadline = time.time() + 60
    while time.time() < deadline:
        task = ecs_client.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]
        if not seen or seen[-1] != task["lastStatus"]:
            seen.append(task["lastStatus"])
        if "exitCode" in container(task, name):
            return task, seen
        time.sleep(0.1)
    raise Failed(f"container {name} never showed an exit code (saw {seen})")


def case_teardown() -> str:
    # The migration exits 5 while an essential sidecar (sleep ignores SIGTERM: killed after its
    # stopTimeout) is still up: the exit is visible long before STOPPED.
    key = f"{KEY}-teardown"
    control("POST", "/_standin/behaviour", {"access_key": key, "teardown_ms": 2500})
    try:
        ecs2 = client("ecs", key)
        arn = run(register("teardown", [
            {"name": "app", "command": ["sh", "-c", "sleep 1; echo bye; exit 5"]},
            {"name": "proxy", "command": ["sleep", "300"], "stopTimeout": 2}]), ecs_client=ecs2)
        task, seen = wait_exit(arn, ecs2)
        app, proxy = container(task), container(task, "proxy")
        check(app["exitCode"] == 5 and app["lastStatus"] == "STOPPED", f"app {app}")
        check(task["lastStatus"] in ("DEACTIVATING", "STOPPING", "DEPROVISIONING")
              and task["desiredStatus"] == "STOPPED", f"task {task['lastStatus']}/{task['desiredStatus']}")
        check("executionStoppedAt" in task and "stoppedAt" not in task, "executionStoppedAt/stoppedAt")
        if (datetime.now(timezone.utc) - task["executionStoppedAt"]).total_seconds() < 1.5:
            check(proxy["lastStatus"] == "RUNNING" and "exitCode" not in proxy, f"sidecar {proxy}")
        task, seen, _ = wait_stopped(arn, ecs_client=ecs2, seen=seen)
        check(seen[-4:] == ["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"], f"statuses {seen}")
        teardown = (task["stoppedAt"] - task["executionStoppedAt"]).total_seconds()
        check(teardown >= 2.4, f"STOPPED {teardown:.1f}s after executionStoppedAt with teardown_ms 2500")
        codes = {c["name"]: c.get("exitCode") for c in task["containers"]}
        check(codes == {"app": 5, "proxy": 137}, f"exit codes {codes}")
        check(task.get("stopCode") == "EssentialContainerExited", f"stopCode {task.get('stopCode')}")
        return f"exit visible while {seen[-4:-1]}; STOPPED {teardown:.1f}s after the exit"
    finally:
        control("DELETE", f"/_standin/behaviour?access_key={key}")


def case_late_final_batch() -> str:
    # The last batch becomes readable final_log_delay_ms after the container exited, during the
    # teardown: neither at the exit nor only after STOPPED.
    key = f"{KEY}-late"
    control("POST", "/_standin/behaviour", {"access_key": key, "final_log_delay_ms": 1500, "teardown_ms": 6000})
    try:
        ecs2, logs2 = client("ecs", key), client("logs", key)
        arn = run(register("late", [{"name": "app", "command": ["sh", "-c", "seq 1 50 | sed 's/^/l-/'"]}]),
                  ecs_client=ecs2)
        task, _ = wait_exit(arn, ecs2)
        exited = task["executionStoppedAt"]
        early = log_lines(stream_of(task), logs2)
        if (datetime.now(timezone.utc) - exited).total_seconds() < 1.2:
            check("l-50" not in early, f"last line readable at the exit: {len(early)} lines")
        deadline = time.time() + 10
        lines = early
        while len(lines) < 50 and time.time() < deadline:
            time.sleep(0.1)
            lines = log_lines(stream_of(task), logs2)
        late = (datetime.now(timezone.utc) - exited).total_seconds()
        check(lines == [f"l-{i}" for i in range(1, 51)], f"{len(lines)} lines: {lines[-3:]}")
        check(late >= 1.4, f"final batch readable {late:.1f}s after executionStoppedAt")
        status = ecs2.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"][0]["lastStatus"]
        check(status != "STOPPED", f"final batch held until STOPPED ({late:.1f}s after the exit)")
        return f"{len(early)} of 50 lines at the exit, all {late:.1f}s after it, task {status}"
    finally:
        control("DELETE", f"/_standin/behaviour?access_key={key}")


def case_describe_unknown() -> str:
    bogus = f"arn:aws:ecs:{REGION}:123456789012:task/{CLUSTER}/0123456789abcdef0123456789abcdef"
    resp = ecs.describe_tasks(cluster=CLUSTER, tasks=[bogus])
    check(resp["tasks"] == [] and resp["failures"] == [{"arn": bogus, "reason": "MISSING"}], f"{resp['failures']}")
    return "MISSING"


def case_faults() -> str:
    key = f"{KEY}-faults"
    ecs1 = client("ecs", key, attempts=1)
    notes = []

    def expect_error(code: str, status: int) -> None:
        try:
            ecs1.list_clusters()
        except ClientError as err:
            got = (err.response["Error"]["Code"], err.response["ResponseMetadata"]["HTTPStatusCode"])
            check(got == (code, status), f"expected {code}/{status}, got {got}")
            return
        raise Failed(f"expected {code}, call succeeded")

    try:
        control("POST", "/_standin/behaviour", {"access_key": key, "throttle_rate": 1.0, "actions": ["ListClusters"]})
        expect_error("ThrottlingException", 400)
        ecs1.describe_clusters(clusters=[CLUSTER])  # not in `actions`: unaffected
        control("POST", "/_standin/behaviour", {"access_key": key, "throttle_rate": 0.5})
        outcomes = []
        for _ in range(4):
            try:
                ecs1.list_clusters()
                outcomes.append("ok")
            except ClientError:
                outcomes.append("throttled")
        check(outcomes == ["ok", "throttled", "ok", "throttled"], f"throttle_rate 0.5 gave {outcomes}")
        control("POST", "/_standin/behaviour", {"access_key": key, "error_rate": 1.0})
        expect_error("ServerException", 500)
        control("POST", "/_standin/behaviour", {"access_key": key, "delay_ms": 400})
        t0 = time.time()
        ecs1.list_clusters()
        check(time.time() - t0 >= 0.4, "delay_ms not applied")
        control("POST", "/_standin/behaviour", {"access_key": key, "outage_seconds": 1.0, "outage_starts_in_seconds": 0})
        expect_error("ServiceUnavailableException", 503)
        time.sleep(1.1)
        ecs1.list_clusters()
        control("POST", "/_standin/behaviour", {"access_key": key, "outage_seconds": 5, "outage_mode": "drop"})
        try:
            ecs1.list_clusters()
            raise Failed("outage_mode drop: call succeeded")
        except (ConnectionClosedError, EndpointConnectionError, ClientError) as err:
            notes.append(f"drop -> {type(err).__name__}")
        failure = {"arn": f"arn:aws:ecs:{REGION}:123456789012:container-instance/x", "reason": "RESOURCE:MEMORY"}
        control("POST", "/_standin/behaviour", {"access_key": key, "run_task_failures": [failure]})
        resp = client("ecs", key).run_task(cluster=CLUSTER, taskDefinition="whatever", count=1)
        check(resp["tasks"] == [] and resp["failures"] == [failure], f"RunTask answered {resp}")
        bad = urllib.request.Request(ENDPOINT + "/_standin/behaviour", method="POST",
                                     data=json.dumps({"access_key": key, "no_such_knob": 1}).encode())
        try:
            urllib.request.urlopen(bad, timeout=5)
            raise Failed("unknown behaviour key accepted")
        except urllib.error.HTTPError as err:
            check(err.code == 400, f"unknown behaviour key: HTTP {err.code}")
    finally:
        control("DELETE", f"/_standin/behaviour?access_key={key}")
    ecs1.list_clusters()
    log = control("GET", f"/_standin/requests?access_key={key}")
    injected = [e["injected"] for e in log if e["injected"]]
    check(injected == ["throttle", "throttle", "throttle", "error", "outage", "outage", "run_task_failures"],
          f"request log injected {injected}")
    check(log[-1]["injected"] is None and log[-1]["status"] == 200 and log[-1]["action"] == "ListClusters", f"{log[-1]}")
    return "throttle/error/delay/outage(503, drop)/run_task_failures; " + ", ".join(notes)


def case_request_log() -> str:
    log = control("GET", f"/_standin/requests?access_key={KEY}")
    actions = {(e["service"], e["action"]) for e in log}
    for want in [("ecs", "RunTask"), ("ecs", "DescribeTasks"), ("ecs", "RegisterTaskDefinition"),
                 ("logs", "GetLogEvents"), ("ecs", "StopTask")]:
        check(want in actions, f"request log lacks {want}")
    runs = [e for e in log if e["action"] == "RunTask"]
    check(all(e["status"] == 200 and e["access_key"] == KEY and e["injected"] is None for e in runs), "RunTask entries")
    check(all(e["body"]["cluster"] == CLUSTER and e["body"]["launchType"] == "FARGATE" for e in runs), "RunTask bodies")
    other = control("GET", "/_standin/requests?access_key=nobody-" + RUN_ID)
    check(other == [], "another key sees our requests")
    return f"{len(log)} requests logged for {KEY}"


def case_ecr() -> str:
    ecr = client("ecr")
    repo = ecr.create_repository(repositoryName=f"selftest-{RUN_ID}/app")["repository"]
    check(repo["repositoryUri"] == f"{REGISTRY}/selftest-{RUN_ID}/app", f"repositoryUri {repo['repositoryUri']}")
    auth = ecr.get_authorization_token()["authorizationData"][0]
    check(auth["proxyEndpoint"] == f"http://{REGISTRY}", f"proxyEndpoint {auth['proxyEndpoint']}")
    check(base64.b64decode(auth["authorizationToken"]).decode() == "AWS:123456789012-auth-token", "token")
    check(auth["expiresAt"] > datetime.now(timezone.utc) + timedelta(hours=11), f"expiresAt {auth['expiresAt']}")
    name = IMAGE.split("/", 1)[1].rsplit(":", 1)[0]
    try:
        ecr.create_repository(repositoryName=name)
    except ClientError as err:
        if err.response["Error"]["Code"] != "RepositoryAlreadyExistsException":
            raise
    detail = ecr.describe_images(repositoryName=name, imageIds=[{"imageTag": "latest"}])["imageDetails"][0]
    check(detail["imageDigest"].startswith("sha256:") and "latest" in detail["imageTags"], f"{detail}")
    try:
        ecr.describe_images(repositoryName=name, imageIds=[{"imageTag": "nope"}])
        raise Failed("DescribeImages of a missing tag succeeded")
    except ClientError as err:
        check(err.response["Error"]["Code"] == "ImageNotFoundException", err.response["Error"]["Code"])
    got = ecr.batch_get_image(repositoryName=name, imageIds=[{"imageTag": "latest"}, {"imageTag": "nope"}])
    check(got["images"][0]["imageId"]["imageDigest"] == detail["imageDigest"], "BatchGetImage digest")
    check(got["failures"][0]["failureCode"] == "ImageNotFound", f"{got['failures']}")
    return f"latest = {detail['imageDigest'][:19]}..."


def case_lost_answers_and_bursts() -> str:
    """Faults after the mutation took effect, and bursts longer than any SDK's retries."""
    key = f"{KEY}-lost"
    ecs1, ssm1 = client("ecs", key, attempts=1), client("ssm", key, attempts=1)
    td = register("lost", [{"name": "app", "command": ["sleep", "1"]}])
    control("POST", "/_standin/behaviour", {"access_key": key, "lost_answer_actions": ["RunTask"],
                                            "lost_answer_count": 1, "teardown_ms": 0})
    try:
        run(td, ecs1, clientToken="lost-1")
        raise Failed("the lost RunTask answer arrived")
    except (ConnectionClosedError, EndpointConnectionError, ClientError):
        pass
    arn = run(td, ecs1, clientToken="lost-1")  # same token: the task the lost answer started
    check(len(control("GET", f"/_standin/tasks?access_key={key}")) == 1, "a lost answer started 2 tasks")
    sent = control("GET", f"/_standin/requests?access_key={key}&action=RunTask")
    check([r["injected"] for r in sent] == ["lost_answer", None], f"RunTask log {sent}")
    control("POST", "/_standin/behaviour", {"access_key": key, "lost_answer_actions": ["PutParameter"],
                                            "lost_answer_mode": "500"})
    name = f"/selftest/{RUN_ID}/lock"
    try:
        ssm1.put_parameter(Name=name, Value="held", Type="String")
        raise Failed("the lost PutParameter answer arrived")
    except ClientError as err:
        check(err.response["ResponseMetadata"]["HTTPStatusCode"] == 500, f"{err.response}")
    check(ssm1.get_parameter(Name=name)["Parameter"]["Value"] == "held", "PutParameter did not apply")
    control("POST", "/_standin/behaviour", {"access_key": key, "error_burst": 7, "error_burst_after": 1,
                                            "actions": ["ListClusters"]})
    outcomes = []
    for _ in range(10):
        try:
            ecs1.list_clusters()
            outcomes.append("ok")
        except ClientError as err:
            outcomes.append(err.response["Error"]["Code"])
    check(outcomes == ["ok"] + ["ServerException"] * 7 + ["ok", "ok"], f"error_burst gave {outcomes}")
    control("DELETE", f"/_standin/behaviour?access_key={key}")
    wait_stopped(arn, ecs_client=ecs1)
    return "lost RunTask answer + same token = one task; lost PutParameter applied; burst of 7 in a row"


def case_missing_and_tokens() -> str:
    """DescribeTasks MISSING right after RunTask; clientToken conflicts and expiry."""
    key = f"{KEY}-tokens"
    ecs1 = client("ecs", key, attempts=1)
    td = register("tokens", [{"name": "app", "command": ["sleep", "1"]}])
    control("POST", "/_standin/behaviour", {"access_key": key, "missing_for_ms": 1500, "teardown_ms": 0})
    arn = run(td, ecs1, clientToken="tok-a")
    answer = ecs1.describe_tasks(cluster=CLUSTER, tasks=[arn])
    check(answer["tasks"] == [] and answer["failures"] == [{"arn": arn, "reason": "MISSING"}],
          f"not MISSING right after RunTask: {answer['failures']}")
    time.sleep(1.6)
    check(len(ecs1.describe_tasks(cluster=CLUSTER, tasks=[arn])["tasks"]) == 1, "still MISSING after 1.5 s")
    def again(**kwargs: Any) -> dict[str, Any]:  # run() checks a fresh task; a repeated token answers the old one
        return ecs1.run_task(cluster=CLUSTER, taskDefinition=td, launchType="FARGATE", startedBy="selftest",
                             networkConfiguration={"awsvpcConfiguration": {"subnets": NETWORK["subnets"][:1]}},
                             clientToken="tok-a", **kwargs)["tasks"][0]

    time.sleep(0.5)  # past PROVISIONING: a repeated token still gets the first answer
    replayed = again()
    check(replayed["taskArn"] == arn, "same token + same parameters: another task")
    check(replayed["lastStatus"] == "PROVISIONING",
          f"a repeated token answered lastStatus {replayed['lastStatus']}, not the first answer's")
    ecs1.tag_resource(resourceArn=arn, tags=[{"key": "ecs-migrate:reported", "value": "now"}])
    tagged = ecs1.describe_tasks(cluster=CLUSTER, tasks=[arn], include=["TAGS"])["tasks"][0]["tags"]
    check({"key": "ecs-migrate:reported", "value": "now"} in tagged, f"TagResource on a task: tags {tagged}")
    try:
        again(overrides={"containerOverrides": [{"name": "app", "command": ["true"]}]})
        raise Failed("same token + other parameters was accepted")
    except ClientError as err:
        got = (err.response["Error"]["Code"], err.response["ResponseMetadata"]["HTTPStatusCode"],
               err.response.get("resourceIds"))
        check(got == ("ConflictException", 400, [arn]), f"conflict answered {got}")
    control("POST", "/_standin/behaviour", {"access_key": key, "client_token_ttl_seconds": 0.2, "teardown_ms": 0})
    time.sleep(0.3)
    other = run(td, ecs1, clientToken="tok-a", overrides={"containerOverrides": [{"name": "app", "command": ["true"]}]})
    check(other != arn, "an expired token still named the old task")
    control("DELETE", f"/_standin/behaviour?access_key={key}")
    for done in (arn, other):
        wait_stopped(done, ecs_client=ecs1)
    return ("MISSING for 1.5 s; same token = same task; TagResource on a task; other parameters = "
            "ConflictException 400; TTL")


def case_iam_denial() -> str:
    key = f"{KEY}-iam"
    control("POST", "/_standin/behaviour", {"access_key": key, "deny_actions": [
        "ecs:RunTask", "logs:GetLogEvents", "ssm:PutParameter", "ec2:DescribeSubnets"]})
    who = f"arn:aws:sts::123456789012:assumed-role/ecs-migrate-ci/{key}"
    calls = [
        (lambda: client("ecs", key, 1).run_task(cluster=CLUSTER, taskDefinition="fam:3"), "ecs:RunTask",
         "arn:aws:ecs:us-east-1:123456789012:task-definition/fam:3", "AccessDeniedException", 400),
        (lambda: client("logs", key, 1).get_log_events(logGroupName="/g", logStreamName="s"), "logs:GetLogEvents",
         "arn:aws:logs:us-east-1:123456789012:log-group:/g:log-stream:s", "AccessDeniedException", 400),
        (lambda: client("ssm", key, 1).put_parameter(Name="/p/q", Value="v", Type="String"), "ssm:PutParameter",
         "arn:aws:ssm:us-east-1:123456789012:parameter/p/q", "AccessDeniedException", 400),
        (lambda: client("ec2", key, 1).describe_subnets(), "ec2:DescribeSubnets", None, "UnauthorizedOperation", 403),
    ]
    for call, action, resource, code, status in calls:
        try:
            call()
            raise Failed(f"{action} was not denied")
        except ClientError as err:
            e = err.response["Error"]
            check((e["Code"], err.response["ResponseMetadata"]["HTTPStatusCode"]) == (code, status), f"{action}: {e}")
            check(f"User: {who} is not authorized to perform: {action}" in e["Message"], e["Message"])
            check(resource is None or f"on resource: {resource} because" in e["Message"], e["Message"])
    client("ecs", key, 1).list_clusters()  # not denied
    # Tagging on create: the call is allowed, its tags are not (ecs:TagResource).
    control("POST", "/_standin/behaviour", {"access_key": key, "deny_actions": ["ecs:TagResource"]})
    ecs = client("ecs", key, 1)
    try:
        ecs.register_task_definition(family="tagged", containerDefinitions=[
            {"name": "app", "image": "busybox", "memory": 64}], tags=[{"key": "k", "value": "v"}])
        raise Failed("a tagged RegisterTaskDefinition was not denied")
    except ClientError as err:
        message = err.response["Error"]["Message"]
        check("perform: ecs:TagResource on resource: arn:aws:ecs:us-east-1:123456789012:task-definition/tagged "
              in message, message)
    ecs.register_task_definition(family="untagged", containerDefinitions=[
        {"name": "app", "image": "busybox", "memory": 64}])  # no tags: allowed
    control("DELETE", f"/_standin/behaviour?access_key={key}")
    return ("AccessDeniedException (json) / UnauthorizedOperation (ec2) naming caller, action, resource; "
            "ecs:TagResource for tags on create")


def refused(call: Callable[[], Any]) -> str:
    """The ClientException message of a call ECS refuses (Failed if it went through)."""
    try:
        call()
    except ClientError as err:
        check(err.response["Error"]["Code"] == "ClientException", f"code {err.response['Error']['Code']}")
        check(err.response["ResponseMetadata"]["HTTPStatusCode"] == 400, "status not 400")
        return err.response["Error"]["Message"]
    raise Failed("ECS would refuse this call; the stand-in accepted it")


def fargate_td(ecs_client: Any, family: str, cpu: str | None, memory: str | None, **options: str) -> Any:
    sizes = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    log = {"logDriver": "awslogs", "options": options or {"awslogs-group": LOG_GROUP, "awslogs-region": REGION}}
    return ecs_client.register_task_definition(
        family=f"{family}-{RUN_ID}", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
        containerDefinitions=[{"name": "app", "image": IMAGE, "logConfiguration": log}], **sizes)


def case_fargate_sizes() -> str:
    message = refused(lambda: fargate_td(ecs, "size", "256", "64"))
    check(message == "No Fargate configuration exists for given values: 256 CPU, 64 memory. "
          "See the Amazon ECS documentation for the valid values.", message)
    for cpu, memory in [("512", "512"), ("1024", "1536"), ("2048", "2048"), ("4096", "32768"), ("8192", "18432")]:
        refused(lambda: fargate_td(ecs, "size", cpu, memory))
    check(refused(lambda: fargate_td(ecs, "size", None, "512"))
          == "Fargate requires that 'cpu' be defined at the task level.", "no cpu")
    for cpu, memory in [("256", "512"), ("256", "2048"), ("512", "4096"), ("2048", "16384"), ("4096", "30720"),
                        ("8192", "20480"), ("16384", "40960"), ("1 vCPU", "2 GB")]:
        fargate_td(ecs, "size", cpu, memory)
    td = fargate_td(ecs, "size", "256", "512")["taskDefinition"]["taskDefinitionArn"]
    own = f"{KEY}-sizes"  # its refused RunTask stays out of KEY's request log (m-request-log)
    over = refused(lambda: run(td, ecs_client=client("ecs", own), overrides={"memory": "4096"}))
    check(over.startswith("No Fargate configuration exists for given values: 256 CPU, 4096 memory."), over)
    check(control("GET", f"/_standin/tasks?access_key={own}") == [], "a refused RunTask started a task")
    key = f"{KEY}-sizes-off"
    control("POST", "/_standin/behaviour", {"access_key": key, "validate_fargate_sizes": False})
    try:
        fargate_td(client("ecs", key), "size-off", "256", "64")
    finally:
        control("DELETE", f"/_standin/behaviour?access_key={key}")
    return "refused 256/64, 512/512...; RunTask overrides checked; switchable per key"


def case_awslogs_region() -> str:
    message = refused(lambda: fargate_td(ecs, "noregion", "256", "512", **{"awslogs-group": LOG_GROUP}))
    check(message == "Log driver awslogs requires options: awslogs-region", message)
    key = f"{KEY}-region-off"
    control("POST", "/_standin/behaviour", {"access_key": key, "require_awslogs_region": False})
    try:
        fargate_td(client("ecs", key), "noregion-off", "256", "512", **{"awslogs-group": LOG_GROUP})
    finally:
        control("DELETE", f"/_standin/behaviour?access_key={key}")
    return message


CASES: list[tuple[str, Callable[[], str]]] = [
    ("a-echo-exit-0", case_echo_exit_0),
    ("b-exit-3", case_exit_3),
    ("c-missing-image", case_missing_image),
    ("d-oom", case_oom),
    ("e-stop-task", case_stop_task),
    ("f-log-5000-lines", case_log_5000_lines),
    ("g-multi-container-secrets", case_multi_container_secrets),
    ("h-missing-log-group", case_missing_log_group),
    ("i-skip-running-late-logs", case_skip_running_late_logs),
    ("j-describe-unknown", case_describe_unknown),
    ("k-faults", case_faults),
    ("l-ecr", case_ecr),
    ("o-teardown", case_teardown),
    ("p-late-final-batch", case_late_final_batch),
    ("q-fargate-sizes", case_fargate_sizes),
    ("r-awslogs-region", case_awslogs_region),
    ("s-lost-answers-bursts", case_lost_answers_and_bursts),
    ("t-missing-and-tokens", case_missing_and_tokens),
    ("u-iam-denial", case_iam_denial),
]
def case_response_shapes() -> str:
    unique = sorted(set(SHAPE_VIOLATIONS))
    check(not unique, f"{len(unique)} shape violations: {unique[:8]}")
    return "every JSON answer matched its botocore output shape"


AFTER = [("m-request-log", case_request_log), ("n-response-shapes", case_response_shapes)]  # need the others


def timed(name: str, fn: Callable[[], str]) -> tuple[str, bool, str, float]:
    t0 = time.time()
    try:
        return name, True, fn(), time.time() - t0
    except Failed as err:
        return name, False, str(err), time.time() - t0
    except Exception:
        return name, False, traceback.format_exc(limit=3).strip().replace("\n", " | "), time.time() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="only", help="run only cases whose name contains this")
    args = parser.parse_args()
    t0 = time.time()
    try:
        control("GET", "/_standin/health")
    except OSError as err:
        print(f"FAIL stand-in not reachable at {ENDPOINT}: {err}")
        return 1
    NETWORK.update(control("GET", "/_standin/network"))
    ecs.create_cluster(clusterName=CLUSTER)
    logs.create_log_group(logGroupName=LOG_GROUP)
    cases = [c for c in CASES + AFTER if not args.only or args.only in c[0]]
    first = [c for c in cases if c not in AFTER]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda c: timed(*c), first))
    results += [timed(*c) for c in cases if c in AFTER]
    for name, ok, detail, secs in results:
        print(f"{'PASS' if ok else 'FAIL'} {name:28s} {secs:5.1f}s  {detail}")
    failed = [r for r in results if not r[1]]
    print(f"selftest: {len(results) - len(failed)}/{len(results)} passed in {time.time() - t0:.1f}s "
          f"(access key {KEY})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
