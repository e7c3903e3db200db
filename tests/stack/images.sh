# The migration-tool images of the stack (sourced by up.sh, not run). No public image registry
# is reachable here, so everything starts from a Debian base made by debootstrap, imported into
# the stack's dockerd; each tool family is then `tests/stack/images/<family>/Dockerfile` built
# FROM it, with an optional `prepare.sh` that fills the build context on the host first.
#
# Cached by content: an image's tag is a hash of everything it is built from (this file, its
# folder, the base's tag), and it lives in the stack's registry, whose storage is in a
# machine-wide cache ($IMAGE_CACHE) that outlives checkouts. A warm run, even from a fresh
# clone, finds every tag there and builds nothing.

TOOL_FAMILIES=(python ruby node compiled java)
IMAGES_DIR="$STACK_LIB_DIR/images"
IMAGES_SCRIPT="$STACK_LIB_DIR/images.sh"

# content_key FILE_OR_DIR...: a short hash of the files' names and contents.
content_key() {
  local path
  for path in "$@"; do
    if [[ -d "$path" ]]; then
      (cd "$path" && find . -type f ! -name '.*' ! -path '*/node_modules/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    else
      sha256sum <"$path"
    fi
  done | sha256sum | cut -c1-16
}

registry_has() {
  local ref="$1" repo tag
  repo="${ref#"$REGISTRY_ADDR"/}"; tag="${repo##*:}"; repo="${repo%:*}"
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -u "$REGISTRY_USER:$REGISTRY_PASSWORD" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -I "http://$REGISTRY_ADDR/v2/$repo/manifests/$tag")" == 200 ]]
}

# local_or_pull REF: make REF available to the local engine (a fresh dockerd has none).
local_or_pull() {
  docker image inspect "$1" >/dev/null 2>&1 || docker pull -q "$1" >/dev/null
}

base_image_ref() { echo "$REGISTRY_ADDR/ecs-migrate-test/debian-base:$(content_key "$IMAGES_SCRIPT" "$IMAGES_DIR/base")"; }
family_image_ref() {
  echo "$REGISTRY_ADDR/ecs-migrate-test/$1:$(content_key "$IMAGES_SCRIPT" "$IMAGES_DIR/$1" <(base_image_ref))"
}

build_base_image() {
  local ref="$1" suite mirror root
  # shellcheck disable=SC1091
  suite="$(. "$IMAGES_DIR/base/recipe" && echo "$suite")"
  mirror="$(. "$IMAGES_DIR/base/recipe" && echo "$mirror")"
  command -v debootstrap >/dev/null || die "debootstrap is not installed"
  root="$STACK/image-build/base-root"
  rm -rf "$root" && mkdir -p "$root"
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$LOG_DIR/image-base.log" 2>&1 \
    || { tail_log "$LOG_DIR/image-base.log"; die "debootstrap $suite failed"; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$ref" >>"$LOG_DIR/image-base.log" 2>&1 || die "docker import of the base image failed"
  rm -rf "$root"
}

build_family_image() {
  local family="$1" ref="$2" base="$3" context="$STACK/image-build/$family"
  rm -rf "$context" && mkdir -p "$context"
  cp -a "$IMAGES_DIR/$family/." "$context/"
  if [[ -x "$context/prepare.sh" ]]; then
    (cd "$context" && IMAGE_CACHE="$IMAGE_CACHE" ./prepare.sh) >"$LOG_DIR/image-$family.log" 2>&1 \
      || { tail_log "$LOG_DIR/image-$family.log"; die "preparing the $family image failed"; }
  fi
  local_or_pull "$base" || die "the base image $base is neither local nor in the registry"
  docker build --network host --build-arg "BASE=$base" -t "$ref" "$context" \
    >>"$LOG_DIR/image-$family.log" 2>&1 || { tail_log "$LOG_DIR/image-$family.log"; die "building the $family image failed"; }
  rm -rf "$context"
}

# ensure_image NAME REF BUILDER ARGS...: build and push REF unless the registry has it.
ensure_image() {
  local name="$1" ref="$2"; shift 2
  if registry_has "$ref"; then
    log "image $name: $ref cached"
    return 0
  fi
  local t0="$EPOCHREALTIME"
  log "image $name: building $ref"
  "$@"
  docker push -q "$ref" >>"$LOG_DIR/image-$name.log" 2>&1 \
    || { tail_log "$LOG_DIR/image-$name.log"; die "pushing $ref failed"; }
  log "image $name: built and pushed in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.0f", b-a}') s"
}

# tool_images_env: the export lines naming each image, for .stack/env.
tool_images_env() {
  local family upper
  echo "export ECS_MIGRATE_TEST_IMAGE_BASE=$(base_image_ref)"
  for family in "${TOOL_FAMILIES[@]}"; do
    upper="$(tr '[:lower:]' '[:upper:]' <<<"$family")"
    echo "export ECS_MIGRATE_TEST_IMAGE_$upper=$(family_image_ref "$family")"
  done
}

tool_images_ok() {
  local family
  registry_has "$(base_image_ref)" || return 1
  for family in "${TOOL_FAMILIES[@]}"; do registry_has "$(family_image_ref "$family")" || return 1; done
}

ensure_tool_images() {
  local base family
  base="$(base_image_ref)"
  ensure_image base "$base" build_base_image "$base"
  for family in "${TOOL_FAMILIES[@]}"; do
    local ref
    ref="$(family_image_ref "$family")"
    ensure_image "$family" "$ref" build_family_image "$family" "$ref" "$base"
  done
}
