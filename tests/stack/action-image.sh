#!/usr/bin/env bash
# Builds the Action's image from the repository's Dockerfile with a given ecs-migrate binary, as
# the tests (tests/integration/action_image.rs) and the benchmark (bench/action_image.py) both
# need it: the base images from action-image-bases.sh as build arguments, and BINARY_FROM an
# image holding BINARY at /ecs-migrate (where the Dockerfile's build stage leaves it), so that
# BuildKit skips the cargo stage.
#
# BuildKit, because the stack's DOCKER_BUILDKIT=0 (legacy builder) would build every stage, the
# release build included; the `docker` on PATH (28.x) refuses BuildKit without the buildx
# plugin, which Debian 12 does not package, while Debian's own CLI (docker.io 20.10,
# /usr/bin/docker, installed by up.sh) drives the engine's built-in BuildKit.
#
# Usage (against a running stack: source .stack/env first):
#   tests/stack/action-image.sh BINARY TAG
# Makes TAG and TAG-binary in the engine (the caller removes them) and prints the build's log.
set -euo pipefail

[[ $# -eq 2 ]] || { echo "usage: $0 BINARY TAG" >&2; exit 2; }
binary="$1"
tag="$2"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

mapfile -t bases < <(bash "$root/tests/stack/action-image-bases.sh")
[[ ${#bases[@]} -eq 2 ]] || { echo "action-image.sh: action-image-bases.sh printed ${bases[*]}" >&2; exit 1; }

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
install -m 0755 "$binary" "$context/ecs-migrate"
printf 'FROM scratch\nCOPY ecs-migrate /ecs-migrate\n' >"$context/Dockerfile"
docker build -q -t "$tag-binary" "$context" >/dev/null

build_args=()
for base in "${bases[@]}"; do
  build_args+=(--build-arg "$base")
done
DOCKER_BUILDKIT=1 /usr/bin/docker build --progress plain --network host -t "$tag" \
  "${build_args[@]}" --build-arg "BINARY_FROM=$tag-binary" "$root" 2>&1
