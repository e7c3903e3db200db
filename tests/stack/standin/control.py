"""The stand-in's own JSON API under /_standin/ (never subject to fault injection).

Tests use it to read the default network without an EC2 client, to switch per-access-key
behaviour on and off, and to check what reached AWS and what happened to real containers:

  GET    /_standin/health
  GET    /_standin/network[?region=R]
  GET    /_standin/requests?access_key=K[&service=S][&action=A][&since=EPOCH]
  DELETE /_standin/requests?access_key=K
  GET    /_standin/behaviour?access_key=K
  POST   /_standin/behaviour            {"access_key": K, ...}  (replaces K's behaviour)
  DELETE /_standin/behaviour?access_key=K
  GET    /_standin/tasks?access_key=K
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from . import settings, state, tasks


def _json(start_response: Callable[..., Any], status: str, doc: Any) -> list[bytes]:
    payload = json.dumps(doc, default=str).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


def _network(region: str) -> dict[str, Any]:
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[settings.DEFAULT_ACCOUNT][region]
    vpc = next(v for v in ec2.vpcs.values() if v.is_default)
    subnets = ec2.describe_subnets(filters={"vpc-id": [vpc.id]})
    groups = ec2.describe_security_groups(filters={"vpc-id": [vpc.id], "group-name": ["default"]})
    return {"region": region, "vpc": vpc.id, "subnets": sorted(s.id for s in subnets),
            "security_groups": [g.id for g in groups]}


def handle(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "").rstrip("/")
    query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    key = query.get("access_key")
    try:
        if path == "/_standin/health":
            return _json(start_response, "200 OK", {"ok": True, "pid": os.getpid(),
                                                    "uptime_seconds": time.time() - state.STARTED_AT})
        if path == "/_standin/network":
            return _json(start_response, "200 OK", _network(query.get("region", "us-east-1")))
        if path == "/_standin/requests":
            if method == "DELETE":
                return _json(start_response, "200 OK", {"cleared": state.requests.clear(key)})
            since = float(query["since"]) if "since" in query else None
            entries = state.requests.query(key, query.get("service"), query.get("action"), since)
            return _json(start_response, "200 OK", entries)
        if path == "/_standin/behaviour":
            if method == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                raw = environ["wsgi.input"].read(length) if length else b""
                try:
                    behaviour = state.Behaviour.from_json(json.loads(raw or b"null"))
                except (ValueError, TypeError) as err:
                    return _json(start_response, "400 Bad Request", {"error": str(err)})
                state.behaviours.set(behaviour)
                return _json(start_response, "200 OK", behaviour.to_json())
            if not key:
                return _json(start_response, "400 Bad Request", {"error": "access_key is required"})
            if method == "DELETE":
                return _json(start_response, "200 OK", {"cleared": state.behaviours.clear(key)})
            current = state.behaviours.get(key)
            return _json(start_response, "200 OK", current.to_json() if current else None)
        if path == "/_standin/tasks":
            return _json(start_response, "200 OK", tasks.describe_runs(key))
        return _json(start_response, "404 Not Found", {"error": f"no such stand-in endpoint {method} {path}"})
    except Exception as err:  # the control API must answer, whatever went wrong
        return _json(start_response, "500 Internal Server Error", {"error": repr(err)})
