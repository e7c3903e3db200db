#!/usr/bin/env bash
# The base images the Action's Dockerfile (repo root) is built FROM in the tests, made from
# Debian's packages because no public image registry is reachable here:
#   RUNTIME_IMAGE     (debian:bookworm-slim in a release): the stack's Debian base (images.sh)
#   DOCKER_CLI_IMAGE  (docker:27-cli): images/docker-cli, FROM that base
# Run against a running stack (source .stack/env first; tests/integration/action_image.rs runs
# it): makes sure both are in the registry and the engine, then prints them as NAME=ref lines.
# Cached like the tool images: the tag is a hash of this file, images.sh, the image's folder and
# the base, and the registry's storage outlives checkouts, so a warm run builds nothing.
set -euo pipefail

# The running stack's engine and Docker config (already logged in to the registry), when
# .stack/env is sourced: it may belong to another checkout than this script's, whose lib.sh
# would name its own.
stack_docker_host="${DOCKER_HOST:-}"
stack_docker_config="${DOCKER_CONFIG:-}"
# shellcheck source=tests/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/stack/images.sh
source "$STACK_LIB_DIR/images.sh"
[[ -n "$stack_docker_host" ]] && export DOCKER_HOST="$stack_docker_host"
[[ -n "$stack_docker_config" ]] && export DOCKER_CONFIG="$stack_docker_config"
mkdir -p "$LOG_DIR" "$STACK/image-build"

docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || die "no Docker engine answers at ${DOCKER_HOST:-the default socket}: start the stack (tests/stack/up.sh) and source .stack/env"

base="${ECS_MIGRATE_TEST_IMAGE_BASE:-$(base_image_ref)}"
registry_has "$base" || die "the Debian base $base is not in the registry: run tests/stack/up.sh"
docker_cli="$REGISTRY_ADDR/ecs-migrate-test/docker-cli:$(content_key "$STACK_LIB_DIR/action-image-bases.sh" "$IMAGES_SCRIPT" "$IMAGES_DIR/docker-cli" <(echo "$base"))"

# build_family_image names its build folder from a `family` variable of its caller (its own
# `local family=... context=...$family` expands before assigning); images.sh is left as it is
# because editing it changes the tags of every tool image (a rebuild of all of them).
# shellcheck disable=SC2034
family=docker-cli
ensure_image docker-cli "$docker_cli" build_family_image docker-cli "$docker_cli" "$base"
local_or_pull "$base" || die "cannot pull $base"
local_or_pull "$docker_cli" || die "cannot pull $docker_cli"

echo "RUNTIME_IMAGE=$base"
echo "DOCKER_CLI_IMAGE=$docker_cli"
