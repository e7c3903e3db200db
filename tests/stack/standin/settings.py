"""Knobs of the stand-in, read once from the environment.

They exist so that timings (how long a task stays PROVISIONING, how late the last log batch
lands) can be tuned without editing code, and so that up.sh can tell the stand-in where the
registry and the docker engine are. Per-access-key overrides live in state.Behaviour.
"""

import os


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


# Where the local registry (the ECR stand-in's image store) listens, and its credentials:
# user AWS and the password moto's ECR GetAuthorizationToken hands out for the account.
REGISTRY = os.environ.get("STANDIN_REGISTRY", "127.0.0.1:5001")
REGISTRY_USER = os.environ.get("STANDIN_REGISTRY_USER", "AWS")
REGISTRY_PASSWORD = os.environ.get("STANDIN_REGISTRY_PASSWORD", "123456789012-auth-token")

# Label on every container the stand-in starts (down.sh removes leftovers by it).
TASK_LABEL = os.environ.get("STANDIN_TASK_LABEL", "ecs-migrate-standin")

# Docker network mode for task containers. "host" lets a migration reach services the
# tests run on 127.0.0.1 (PostgreSQL on a private port, ...).
NETWORK_MODE = os.environ.get("STANDIN_NETWORK_MODE", "host")

# Lifecycle delays, seconds.
PROVISIONING_SECONDS = _float("STANDIN_PROVISIONING_SECONDS", 0.3)   # awsvpc: PROVISIONING -> PENDING
MIN_PENDING_SECONDS = _float("STANDIN_MIN_PENDING_SECONDS", 0.2)     # PENDING lasts at least this
DEPROVISIONING_SECONDS = _float("STANDIN_DEPROVISIONING_SECONDS", 0.3)  # awsvpc: DEPROVISIONING lasts at least this
# The teardown: from the moment the task's execution stopped (executionStoppedAt: its essential
# container exited, or StopTask / a start failure stopped it) to STOPPED, the task goes
# DEACTIVATING -> STOPPING -> DEPROVISIONING. Fargate takes seconds to minutes (ENI detach,
# the other containers' stopTimeout); per key: behaviour `teardown_ms`.
TEARDOWN_MS = _float("STANDIN_TEARDOWN_MS", 3000)
# CloudWatch Logs promises no read-after-write: a container's last batch becomes readable this
# long after the container exited (per key: behaviour `final_log_delay_ms`).
FINAL_LOG_DELAY_MS = _float("STANDIN_FINAL_LOG_DELAY_MS", 2000)

# Log shipping: every LOG_FLUSH_SECONDS, ship the lines read at least LOG_HOLD_MS ago, at most
# LOG_BATCH_LINES per PutLogEvents. Lines read in the last LOG_HOLD_MS before the container
# exits form the final batch, which lands FINAL_LOG_DELAY_MS after the container exited.
LOG_FLUSH_SECONDS = _float("STANDIN_LOG_FLUSH_SECONDS", 0.2)
LOG_HOLD_MS = int(_float("STANDIN_LOG_HOLD_MS", 300))
LOG_BATCH_LINES = int(_float("STANDIN_LOG_BATCH_LINES", 1000))

# Docker API timeouts, seconds.
PULL_TIMEOUT = _float("STANDIN_PULL_TIMEOUT", 120)
DOCKER_TIMEOUT = _float("STANDIN_DOCKER_TIMEOUT", 60)

DEFAULT_ACCOUNT = "123456789012"
