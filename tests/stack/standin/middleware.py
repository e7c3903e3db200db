"""WSGI middleware in front of moto: control API, request log, fault injection.

Why it exists: the tests must be able to (a) see which AWS requests the tool really sent,
(b) make AWS misbehave (throttling, 5xx, slow answers, an outage window, RunTask capacity
failures) for one test's access key without disturbing parallel tests, and (c) talk to the
stand-in itself (/_standin/...), none of which moto offers per caller.
"""

from __future__ import annotations

import io
import json
import re
import socket
import struct
import time
import uuid
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from . import control, iam, state
from .diag import say

# X-Amz-Target prefixes of the JSON-protocol services we care about (used when a request is
# unsigned; signed requests name their service in the Authorization header's scope).
TARGET_SERVICES = {
    "AmazonEC2ContainerServiceV20141113": "ecs",
    "Logs_20140328": "logs",
    "AmazonEC2ContainerRegistry_V20150921": "ecr",
    "AmazonSSM": "ssm",
    "secretsmanager": "secretsmanager",
}
CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/[^/]*/([^/]*)/([^/]*)/")

StartResponse = Callable[..., Any]


def read_body(environ: dict[str, Any]) -> bytes:
    """Read the whole request body and put it back so moto can read it again."""
    stream = environ.get("wsgi.input")
    length = environ.get("CONTENT_LENGTH")
    if stream is None:
        return b""
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def describe_request(environ: dict[str, Any], body: bytes) -> dict[str, Any]:
    """service, action, access key, protocol and parsed body of an AWS request."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    content_type = environ.get("CONTENT_TYPE", "")
    access_key = region = service = action = None
    m = CREDENTIAL_RE.search(auth)
    if m:
        access_key, region, service = m.group(1), m.group(2), m.group(3)
    parsed: Any = None
    protocol = "json" if target or "json" in content_type else "query"
    if "json" in content_type or target:
        try:
            parsed = json.loads(body) if body else {}
        except ValueError:
            parsed = None
    elif "x-www-form-urlencoded" in content_type:
        parsed = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    if target:
        prefix, _, action = target.partition(".")
        service = service or TARGET_SERVICES.get(prefix, prefix.lower())
    else:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if isinstance(parsed, dict) and "Action" in parsed:
            action = parsed["Action"]
        elif "Action" in query:
            action = query["Action"][0]
    return {"service": service, "action": action, "access_key": access_key, "region": region,
            "protocol": protocol, "body": parsed}


def error_response(start_response: StartResponse, protocol: str, service: str | None,
                   status: str, code: str, message: str) -> list[bytes]:
    """An AWS-shaped error in the protocol the client speaks."""
    request_id = str(uuid.uuid4())
    if protocol == "json":
        payload = json.dumps({"__type": code, "message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", request_id),
                   ("x-amzn-ErrorType", code)]
    elif service == "ec2":
        payload = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code>"
                   f"<Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>").encode()
        headers = [("Content-Type", "text/xml")]
    else:
        kind = "Receiver" if status.startswith("5") else "Sender"
        payload = (f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message>"
                   f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    start_response(status, headers + [("Content-Length", str(len(payload)))])
    return [payload]


def drop_connection(environ: dict[str, Any]) -> None:
    """Reset the client's TCP connection without an answer (an outage as clients see it)."""
    sock = environ.get("werkzeug.socket")
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class StandinMiddleware:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_standin"):
            return control.handle(environ, start_response)
        if path.startswith("/moto-api"):
            return self.app(environ, start_response)

        arrived = time.time()
        body = read_body(environ)
        req = describe_request(environ, body)
        entry = {"time": arrived, "service": req["service"], "action": req["action"],
                 "access_key": req["access_key"], "region": req["region"], "status": None,
                 "injected": None, "body": req["body"]}
        fault, behaviour = state.behaviours.decide(req["access_key"], req["action"], req["service"], req["body"])
        if behaviour is not None and behaviour.delay_ms > 0 and behaviour.applies_to(req["action"]):
            entry["delayed_ms"] = behaviour.delay_ms
            time.sleep(behaviour.delay_ms / 1000.0)
        try:
            if fault:
                return self._inject(fault, behaviour, req, entry, environ, start_response)
            return self._forward(req, entry, environ, start_response)
        finally:
            state.requests.add(entry)

    def _inject(self, fault: str, behaviour: state.Behaviour, req: dict[str, Any], entry: dict[str, Any],
                environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        entry["injected"] = fault
        proto, service = req["protocol"], req["service"]
        say(f"inject {fault} into {service}.{req['action']} for {req['access_key']}")
        if fault == "throttle":
            entry["status"] = 400
            code = "RequestLimitExceeded" if service == "ec2" else ("Throttling" if proto == "query" else "ThrottlingException")
            return error_response(start_response, proto, service, "400 Bad Request", code, "Rate exceeded")
        if fault in ("denied", "denied_tagging"):
            status, code, message = iam.denial(req, tagging=fault == "denied_tagging")
            entry["status"] = int(status.split()[0])
            return error_response(start_response, proto, service, status, code, message)
        if fault in ("error", "burst"):
            entry["status"] = 500
            code = "ServerException" if proto == "json" else "InternalFailure"
            return error_response(start_response, proto, service, "500 Internal Server Error", code,
                                  "Injected server error (stand-in fault injection)")
        if fault == "outage":
            if behaviour.outage_mode == "drop":
                entry["status"] = 0
                drop_connection(environ)
                # werkzeug's write to the reset socket fails with a ConnectionError, which it
                # treats as a dropped connection (quietly).
                start_response("503 Service Unavailable", [("Content-Length", "0")])
                return [b""]
            entry["status"] = 503
            return error_response(start_response, proto, service, "503 Service Unavailable",
                                  "ServiceUnavailableException", "Service Unavailable (stand-in outage window)")
        # run_task_failures: a 200 answer with no task, as ECS does when it cannot place one.
        entry["status"] = 200
        payload = json.dumps({"tasks": [], "failures": behaviour.run_task_failures}).encode()
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1"),
                                  ("x-amzn-RequestId", str(uuid.uuid4())),
                                  ("Content-Length", str(len(payload)))])
        return [payload]

    def _forward(self, req: dict[str, Any], entry: dict[str, Any], environ: dict[str, Any],
                 start_response: StartResponse) -> Iterable[bytes]:
        answer: list[Any] = []  # status and headers, held back until we know the answer is sent

        def recording_start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            entry["status"] = int(status.split()[0])
            answer[:] = [status, headers]
            return lambda data: None

        state.set_current_access_key(req["access_key"])
        try:
            result = self.app(environ, recording_start_response)
            try:
                chunks = list(result)  # materialise while the access key is still set
            finally:
                close = getattr(result, "close", None)
                if close:
                    close()
        finally:
            state.set_current_access_key(None)
        lost = state.behaviours.loses_answer(req["access_key"], req["action"]) if entry["status"] == 200 else None
        if lost is None:
            start_response(*answer)
            return chunks
        # The request took effect; the client never hears so (a timeout, a reset, a 5xx).
        entry["injected"] = "lost_answer"
        say(f"lost the answer to {req['service']}.{req['action']} for {req['access_key']} after executing it")
        if lost.lost_answer_mode == "drop":
            entry["status"] = 0
            drop_connection(environ)
            start_response("503 Service Unavailable", [("Content-Length", "0")])
            return [b""]
        entry["status"] = 500
        code = "ServerException" if req["protocol"] == "json" else "InternalFailure"
        return error_response(start_response, req["protocol"], req["service"], "500 Internal Server Error",
                              code, "Internal error (the request was carried out; stand-in lost_answer)")
