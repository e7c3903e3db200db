"""Shared, thread-safe state of the stand-in: per-access-key behaviour, the request log,
the access key of the request being served, and the registry of real task runs.

Tests run in parallel against one stand-in, each with its own made-up access key, so
everything a test can switch on or inspect is keyed by access key. The werkzeug server
serves each request on its own thread; moto's handlers run on that thread, which is how
the ECS patches learn which key started a task (current_access_key()).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

_local = threading.local()


def set_current_access_key(key: str | None) -> None:
    _local.access_key = key


def current_access_key() -> str | None:
    return getattr(_local, "access_key", None)


BEHAVIOUR_KEYS = {
    "throttle_rate": float,
    "error_rate": float,
    "delay_ms": float,
    "outage_seconds": float,
    "outage_starts_in_seconds": float,
    "outage_mode": str,
    "actions": list,
    "run_task_failures": list,
    "skip_running": bool,
    "final_log_delay_ms": float,
    "teardown_ms": float,
    "ecr_password": str,
    "error_burst": float,
    "error_burst_after": float,
    "lost_answer_actions": list,
    "lost_answer_count": float,
    "lost_answer_mode": str,
    "missing_for_ms": float,
    "client_token_ttl_seconds": float,
    "deny_actions": list,
    "validate_fargate_sizes": bool,
    "require_awslogs_region": bool,
}


class BehaviourError(ValueError):
    pass


@dataclass
class Behaviour:
    """What the stand-in does to one access key's requests and tasks."""

    access_key: str
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    delay_ms: float = 0.0
    outage_seconds: float = 0.0
    outage_starts_in_seconds: float = 0.0
    outage_mode: str = "503"  # "503" answers 503; "drop" closes the connection unanswered
    actions: list[str] | None = None  # faults only hit these action names (None: all)
    run_task_failures: list[dict[str, Any]] | None = None
    skip_running: bool = False
    final_log_delay_ms: float | None = None  # None: settings.FINAL_LOG_DELAY_MS
    teardown_ms: float | None = None  # None: settings.TEARDOWN_MS
    ecr_password: str | None = None  # GetAuthorizationToken hands out this password instead
    error_burst: float = 0.0  # this many matching requests in a row answer 500 ...
    error_burst_after: float = 0.0  # ... after this many matching requests went through
    lost_answer_actions: list[str] | None = None  # executed, then the answer is lost
    lost_answer_count: float | None = None  # only the first n of them (None: every one)
    lost_answer_mode: str = "drop"  # "drop" resets the connection; "500" answers ServerException
    missing_for_ms: float = 0.0  # DescribeTasks says MISSING this long after RunTask
    client_token_ttl_seconds: float | None = None  # None: 24 h, as ECS
    deny_actions: list[str] | None = None  # IAM: "ecs:RunTask", "logs:GetLogEvents", ...
    validate_fargate_sizes: bool = True  # ClientException for a cpu/memory pair Fargate lacks
    require_awslogs_region: bool = True  # ClientException for awslogs without awslogs-region
    set_at: float = field(default_factory=time.time)
    _counters: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> "Behaviour":
        if not isinstance(doc, dict) or not doc.get("access_key"):
            raise BehaviourError("body must be a JSON object with a non-empty access_key")
        unknown = set(doc) - set(BEHAVIOUR_KEYS) - {"access_key"}
        if unknown:
            raise BehaviourError(f"unknown behaviour keys {sorted(unknown)}; known: {sorted(BEHAVIOUR_KEYS)}")
        kwargs: dict[str, Any] = {"access_key": str(doc["access_key"])}
        for key, kind in BEHAVIOUR_KEYS.items():
            if key not in doc or doc[key] is None:
                continue
            value = doc[key]
            if kind is float:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise BehaviourError(f"{key} must be a number")
                value = float(value)
            elif not isinstance(value, kind):
                raise BehaviourError(f"{key} must be a {kind.__name__}")
            kwargs[key] = value
        for rate in ("throttle_rate", "error_rate"):
            if not 0.0 <= kwargs.get(rate, 0.0) <= 1.0:
                raise BehaviourError(f"{rate} must be between 0 and 1")
        if kwargs.get("outage_mode", "503") not in ("503", "drop"):
            raise BehaviourError('outage_mode must be "503" or "drop"')
        if kwargs.get("lost_answer_mode", "drop") not in ("500", "drop"):
            raise BehaviourError('lost_answer_mode must be "500" or "drop"')
        for action in kwargs.get("deny_actions") or []:
            if not isinstance(action, str) or ":" not in action:
                raise BehaviourError(f'deny_actions takes IAM actions like "ecs:RunTask", not {action!r}')
        return cls(**kwargs)

    def to_json(self) -> dict[str, Any]:
        doc = {k: getattr(self, k) for k in ["access_key", *BEHAVIOUR_KEYS]}
        doc["set_at"] = self.set_at
        doc["outage_window"] = self.outage_window()
        return doc

    def applies_to(self, action: str | None) -> bool:
        return self.actions is None or action in self.actions

    def outage_window(self) -> list[float] | None:
        if self.outage_seconds <= 0:
            return None
        start = self.set_at + self.outage_starts_in_seconds
        return [start, start + self.outage_seconds]

    def in_outage(self, now: float) -> bool:
        window = self.outage_window()
        return window is not None and window[0] <= now < window[1]

    def denies(self, service: str | None, action: str | None) -> bool:
        wanted = f"{service}:{action}".lower()
        return any(denied.lower() == wanted for denied in self.deny_actions or [])

    def in_burst(self) -> bool:
        """The first error_burst_after matching requests pass, the next error_burst fail."""
        if self.error_burst <= 0:
            return False
        n = self._counters.get("burst", 0)
        self._counters["burst"] = n + 1
        return self.error_burst_after <= n < self.error_burst_after + self.error_burst

    def loses_answer(self, action: str | None) -> bool:
        """Whether this request, once executed, loses its answer (counted per behaviour)."""
        if action not in (self.lost_answer_actions or []):
            return False
        n = self._counters.get("lost", 0)
        self._counters["lost"] = n + 1
        return self.lost_answer_count is None or n < self.lost_answer_count

    def take(self, kind: str, rate: float) -> bool:
        """Deterministic sampling: of the first n matching requests, exactly floor(n*rate)
        get the fault (rate 0.5 faults every second request, 1.0 every request)."""
        if rate <= 0:
            return False
        n = self._counters.get(kind, 0)
        self._counters[kind] = n + 1
        return math.floor((n + 1) * rate + 1e-9) > math.floor(n * rate + 1e-9)


def tags_on_create(action: str | None, body: Any) -> bool:
    """Whether an ECS create call tags what it creates, which ECS authorizes as ecs:TagResource
    too (the tagResourceAuthorization account setting, on for every account since 2024)."""
    if action not in ("RunTask", "StartTask", "RegisterTaskDefinition", "CreateService") or not isinstance(body, dict):
        return False
    propagates = body.get("propagateTags") in ("TASK_DEFINITION", "SERVICE")
    return bool(body.get("tags")) or propagates or bool(body.get("enableECSManagedTags"))


class BehaviourStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, Behaviour] = {}

    def set(self, behaviour: Behaviour) -> None:
        with self._lock:
            self._by_key[behaviour.access_key] = behaviour

    def clear(self, access_key: str) -> bool:
        with self._lock:
            return self._by_key.pop(access_key, None) is not None

    def get(self, access_key: str | None) -> Behaviour | None:
        if access_key is None:
            return None
        with self._lock:
            return self._by_key.get(access_key)

    def decide(self, access_key: str | None, action: str | None,
               service: str | None = None, body: Any = None) -> tuple[str | None, Behaviour | None]:
        """Which fault (if any) this request gets: denied, denied_tagging, outage, burst,
        throttle, error or run_task_failures. IAM is checked first, as AWS does, and never
        counts as a fault."""
        with self._lock:
            b = self._by_key.get(access_key) if access_key else None
            if b is None:
                return None, None
            if b.denies(service, action):
                return "denied", b
            if service == "ecs" and tags_on_create(action, body) and b.denies("ecs", "TagResource"):
                return "denied_tagging", b
            if b.applies_to(action):
                if b.in_outage(time.time()):
                    return "outage", b
                if b.in_burst():
                    return "burst", b
                if b.take("throttle", b.throttle_rate):
                    return "throttle", b
                if b.take("error", b.error_rate):
                    return "error", b
            if action == "RunTask" and b.run_task_failures:
                return "run_task_failures", b
            return None, b

    def loses_answer(self, access_key: str | None, action: str | None) -> Behaviour | None:
        """The behaviour whose lost_answer_* rules take this executed request's answer away."""
        with self._lock:
            b = self._by_key.get(access_key) if access_key else None
            return b if b is not None and b.loses_answer(action) else None


class RequestLog:
    """Every AWS request a client sent, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def query(self, access_key: str | None = None, service: str | None = None,
              action: str | None = None, since: float | None = None) -> list[dict[str, Any]]:
        with self._lock:
            entries = list(self._entries)
        return [
            e for e in entries
            if (access_key is None or e["access_key"] == access_key)
            and (service is None or e["service"] == service)
            and (action is None or e["action"] == action)
            and (since is None or e["time"] >= since)
        ]

    def clear(self, access_key: str | None) -> int:
        with self._lock:
            before = len(self._entries)
            self._entries = [e for e in self._entries if access_key is not None and e["access_key"] != access_key]
            return before - len(self._entries)


behaviours = BehaviourStore()
requests = RequestLog()
STARTED_AT = time.time()
