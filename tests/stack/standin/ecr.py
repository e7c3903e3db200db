"""Make moto's ECR point at the local registry, which holds the real images.

Why it exists: the tool builds an image, asks ECR for the repository URI and a login token,
pushes with docker, then pins the image by digest (DescribeImages / BatchGetImage). moto's
ECR hands out `<account>.dkr.ecr.<region>.amazonaws.com` URIs and an expired token for a
registry that does not exist, and knows nothing of images pushed with docker. Here the
URIs and `proxyEndpoint` name the local registry, the token is valid for 12 hours, and
image lookups by tag or digest are answered from the registry's HTTP API v2.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any

from moto.core.responses import ActionResult
from moto.ecr import models as ecr_models
from moto.ecr import responses as ecr_responses
from moto.ecr.exceptions import ImageNotFoundException

from . import settings, state

MANIFEST_TYPES = ", ".join([
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
])
_first_seen: dict[str, datetime] = {}


def _registry(method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    auth = base64.b64encode(f"{settings.REGISTRY_USER}:{settings.REGISTRY_PASSWORD}".encode()).decode()
    req = urllib.request.Request(f"http://{settings.REGISTRY}/v2/{path}", method=method,
                                 headers={"Authorization": f"Basic {auth}", "Accept": MANIFEST_TYPES})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _manifest(repository: str, reference: str) -> dict[str, Any] | None:
    status, headers, body = _registry("GET", f"{repository}/manifests/{reference}")
    if status != 200:
        return None
    digest = headers.get("Docker-Content-Digest")
    media_type = headers.get("Content-Type", "").split(";")[0]
    size = 0
    try:
        doc = json.loads(body)
        size = sum(layer.get("size", 0) for layer in doc.get("layers", [])) + doc.get("config", {}).get("size", 0)
    except ValueError:
        pass
    return {"digest": digest, "mediaType": media_type, "size": size, "body": body.decode()}


def _tags(repository: str) -> list[str]:
    status, _, body = _registry("GET", f"{repository}/tags/list")
    if status != 200:
        return []
    return json.loads(body).get("tags") or []


def _detail(repo: Any, manifest: dict[str, Any], tags: list[str]) -> dict[str, Any]:
    pushed = _first_seen.setdefault(f"{repo.name}@{manifest['digest']}", datetime.now(timezone.utc))
    detail = {"registryId": repo.registry_id, "repositoryName": repo.name, "imageDigest": manifest["digest"],
              "imageSizeInBytes": manifest["size"], "imagePushedAt": pushed,
              "imageManifestMediaType": manifest["mediaType"]}
    if tags:
        detail["imageTags"] = sorted(tags)
    return detail


def describe_images(self: Any) -> ActionResult:
    backend = self.ecr_backend
    repo = backend._get_repository(self._get_param("repositoryName"), self._get_param("registryId"))
    image_ids = self._get_param("imageIds") or []
    details: list[dict[str, Any]] = []
    if image_ids:
        for image_id in image_ids:
            tag, digest = image_id.get("imageTag"), image_id.get("imageDigest")
            manifest = _manifest(repo.name, digest or tag)
            if manifest is None or (digest and tag and tag not in _tags(repo.name)):
                raise ImageNotFoundException(
                    image_id=f"{{imageDigest:'{digest or 'null'}', imageTag:'{tag or 'null'}'}}",
                    repository_name=repo.name, registry_id=repo.registry_id)
            all_tags = [t for t in _tags(repo.name) if (_manifest(repo.name, t) or {}).get("digest") == manifest["digest"]]
            details.append(_detail(repo, manifest, all_tags))
    else:
        by_digest: dict[str, tuple[dict[str, Any], list[str]]] = {}
        for tag in _tags(repo.name):
            manifest = _manifest(repo.name, tag)
            if manifest:
                by_digest.setdefault(manifest["digest"], (manifest, []))[1].append(tag)
        details = [_detail(repo, m, tags) for m, tags in by_digest.values()]
    return ActionResult({"imageDetails": details})


def batch_get_image(self: Any) -> ActionResult:
    backend = self.ecr_backend
    repo = backend._get_repository(self._get_param("repositoryName"), self._get_param("registryId"))
    images, failures = [], []
    for image_id in self._get_param("imageIds") or []:
        tag, digest = image_id.get("imageTag"), image_id.get("imageDigest")
        manifest = _manifest(repo.name, digest or tag)
        if manifest is None:
            failures.append({"imageId": image_id, "failureCode": "ImageNotFound",
                             "failureReason": "Requested image not found"})
            continue
        images.append({"registryId": repo.registry_id, "repositoryName": repo.name,
                       "imageId": {"imageDigest": manifest["digest"], **({"imageTag": tag} if tag else {})},
                       "imageManifest": manifest["body"], "imageManifestMediaType": manifest["mediaType"]})
    return ActionResult({"images": images, "failures": failures})


def get_authorization_token(self: Any) -> ActionResult:
    registry_ids = self._get_param("registryIds") or [self.current_account]
    # A test can have a wrong password handed out (behaviour `ecr_password`) to see a login fail.
    behaviour = state.behaviours.get(state.current_access_key())
    data = []
    for registry_id in registry_ids:
        password = behaviour.ecr_password if behaviour and behaviour.ecr_password else f"{registry_id}-auth-token"
        token = base64.b64encode(f"AWS:{password}".encode()).decode()
        data.append({"authorizationToken": token,
                     "expiresAt": datetime.now(timezone.utc) + timedelta(hours=12),
                     "proxyEndpoint": f"http://{settings.REGISTRY}"})
    return ActionResult({"authorizationData": data})


def apply() -> None:
    original_init = ecr_models.Repository.__init__

    def repository_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.uri = f"{settings.REGISTRY}/{self.name}"

    ecr_models.Repository.__init__ = repository_init
    ecr_responses.ECRResponse.describe_images = describe_images
    ecr_responses.ECRResponse.batch_get_image = batch_get_image
    ecr_responses.ECRResponse.get_authorization_token = get_authorization_token
