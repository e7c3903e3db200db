"""Resolve a container definition's `secrets` from moto's SSM and Secrets Manager.

Why it exists: ECS injects `secrets: [{name, valueFrom}]` as environment variables, reading
SSM parameters (by name or ARN) and Secrets Manager secrets (by ARN, optionally with
`:json-key:version-stage:version-id`). The tool's `secrets:` config relies on that, so the
stand-in reads the same moto backends the tests wrote to. Failures use ECS's wording.
"""

from __future__ import annotations

import json
from typing import Any

from . import settings


class SecretError(Exception):
    pass


def _ssm(value_from: str, region: str) -> str:
    from moto.ssm.models import ssm_backends

    account, name_region = settings.DEFAULT_ACCOUNT, region
    name = value_from
    if value_from.startswith("arn:"):
        parts = value_from.split(":", 5)
        name_region, account = parts[3] or region, parts[4] or account
        name = parts[5].split("/", 1)[1] if "/" in parts[5] else parts[5]
    backend = ssm_backends[account][name_region]
    candidates = [name] if not value_from.startswith("arn:") else ["/" + name, name]
    for candidate in candidates:
        try:
            param = backend.get_parameter(candidate)
        except Exception:
            param = None
        if param is not None:
            value = param.decrypt(param.value) if hasattr(param, "decrypt") else param.value
            return value if value is not None else param.value
    raise SecretError(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
        "retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): "
        f"invalid ssm parameters: {name}"
    )


def _secretsmanager(value_from: str, region: str) -> str:
    from moto.secretsmanager.models import secretsmanager_backends

    parts = value_from.split(":")
    base = ":".join(parts[:7])
    json_key = parts[7] if len(parts) > 7 and parts[7] else None
    stage = parts[8] if len(parts) > 8 and parts[8] else None
    version = parts[9] if len(parts) > 9 and parts[9] else None
    backend = secretsmanager_backends[parts[4] or settings.DEFAULT_ACCOUNT][parts[3] or region]
    try:
        secret = backend.get_secret_value(secret_id=base, version_id=version, version_stage=stage)
    except Exception as err:
        message = getattr(err, "message", None) or str(err)
        raise SecretError(
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
            "retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): "
            f"failed to fetch secret {base} from secrets manager: {type(err).__name__}: {message}"
        ) from err
    value = secret.get("SecretString")
    if json_key is None:
        return value if value is not None else ""
    try:
        return str(json.loads(value)[json_key])
    except (ValueError, KeyError, TypeError) as err:
        raise SecretError(
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
            f"retrieval failed: unable to retrieve secret from asm: retrieved secret from Secrets Manager "
            f"did not contain json key {json_key}"
        ) from err


def resolve(secrets: list[dict[str, Any]] | None, region: str) -> dict[str, str]:
    """name -> value for a container definition's secrets; raises SecretError."""
    out: dict[str, str] = {}
    for item in secrets or []:
        value_from = item.get("valueFrom", "")
        if value_from.startswith("arn:") and value_from.split(":")[2] == "secretsmanager":
            out[item["name"]] = _secretsmanager(value_from, region)
        else:
            out[item["name"]] = _ssm(value_from, region)
    return out
