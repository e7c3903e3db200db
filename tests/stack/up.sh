#!/usr/bin/env bash
# Install (once) and start the local test stack: a private dockerd, an image registry with
# ECR-style auth, the busybox test image, the migration-tool images (images.sh), PostgreSQL
# (postgres.sh) and the ECS stand-in (moto + real containers).
#
# Idempotent: installed pieces are skipped, a running healthy stack is reused. Writes
# .stack/env (export lines the tests source) and .stack/run/last-up ("started" when this
# run started any server, "reused" otherwise; also written to $ECS_MIGRATE_STACK_STARTED_FILE
# when that is set) so the caller knows whether it owns the stack.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$STACK_LIB_DIR/postgres.sh"
source "$STACK_LIB_DIR/images.sh"

APT_PACKAGES=(docker.io docker-registry busybox-static curl debootstrap postgresql-client)
# Debian's PostgreSQL server only where the machine has none of its own.
pg_bin_dir >/dev/null || APT_PACKAGES+=(postgresql)
REQUIREMENTS="$STACK_LIB_DIR/requirements.txt"
started_any=0

mkdir -p "$STACK" "$RUN_DIR" "$LOG_DIR" "$DOCKER_CONFIG" "$IMAGE_CACHE/registry"
exec 9>"$RUN_DIR/up.lock"
flock -w 600 9 || die "another up.sh holds $RUN_DIR/up.lock"

# ---------------------------------------------------------------- health probes
docker_ok() { pid_alive dockerd dockerd && docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
registry_ok() {
  pid_alive registry docker-registry &&
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$REGISTRY_ADDR/v2/")" == 401 ]]
}
standin_ok() { pid_alive standin standin/server.py && curl -fs --max-time 2 "$STANDIN_URL/_standin/health" >/dev/null; }
image_in_registry() {
  local repo="${TEST_IMAGE#"$REGISTRY_ADDR"/}"; repo="${repo%:*}"
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -u "$REGISTRY_USER:$REGISTRY_PASSWORD" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -I "http://$REGISTRY_ADDR/v2/$repo/manifests/${TEST_IMAGE##*:}")" == 200 ]]
}
packages_missing() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
venv_stamp() { { sha256sum "$REQUIREMENTS"; python3 --version; } 2>&1 | sha256sum | cut -c1-64; }
venv_ok() { [[ -x "$VENV/bin/python" && "$(cat "$VENV/.stamp" 2>/dev/null)" == "$(venv_stamp)" ]]; }
image_stamp() { sha256sum "$STACK_LIB_DIR/images/busybox.Dockerfile" /bin/busybox 2>/dev/null | sha256sum | cut -c1-64; }
image_ok() { [[ "$(cat "$STACK/image-busybox.stamp" 2>/dev/null)" == "$(image_stamp)" ]] && image_in_registry; }

write_env() {
  cat >"$STACK/env.tmp" <<EOF
# Written by tests/stack/up.sh; source it before running the tests.
export DOCKER_HOST=$DOCKER_HOST
export DOCKER_CONFIG=$DOCKER_CONFIG
export DOCKER_BUILDKIT=0
export ECS_MIGRATE_TEST_STACK=1
export ECS_MIGRATE_TEST_ENDPOINT=$STANDIN_URL
export ECS_MIGRATE_TEST_REGISTRY=$REGISTRY_ADDR
export ECS_MIGRATE_TEST_IMAGE=$TEST_IMAGE
export ECS_MIGRATE_TEST_REGION=us-east-1
export ECS_MIGRATE_TEST_ACCOUNT=123456789012
export ECS_MIGRATE_TEST_PYTHON=$VENV/bin/python
export ECS_MIGRATE_TEST_PG_URL=$PG_URL
$(tool_images_env)
EOF
  mv "$STACK/env.tmp" "$STACK/env"
}

# record_up started|reused: tell the caller whether it owns (part of) the stack. Written as
# soon as anything is started, so a caller can clean up even when a later step fails.
record_up() {
  echo "$1" >"$RUN_DIR/last-up"
  if [[ -n "${ECS_MIGRATE_STACK_STARTED_FILE:-}" ]]; then echo "$1" >"$ECS_MIGRATE_STACK_STARTED_FILE"; fi
}
note_started() { started_any=1; record_up started; }

finish() {
  write_env
  local how=reused
  (( started_any )) && how=started
  record_up "$how"
  log "stack is up ($how): source $STACK/env"
}

# ---------------------------------------------------------------- fast path
if [[ -z "$(packages_missing)" ]] && venv_ok && docker_ok && registry_ok && standin_ok && image_ok \
   && pg_ok && tool_images_ok; then
  log "stack already up and healthy: reusing it (dockerd pid $(cat "$RUN_DIR/dockerd.pid"), stand-in pid $(cat "$RUN_DIR/standin.pid"))"
  finish
  exit 0
fi

# ---------------------------------------------------------------- packages
missing="$(packages_missing | tr '\n' ' ')"
if [[ -n "${missing// /}" ]]; then
  [[ "$(id -u)" == 0 ]] || die "packages missing ($missing) and not root: install them with apt-get"
  log "apt: installing $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq >"$LOG_DIR/apt.log" 2>&1 || { tail_log "$LOG_DIR/apt.log"; die "apt-get update failed"; }
  # shellcheck disable=SC2086
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing >>"$LOG_DIR/apt.log" 2>&1 \
    || { tail_log "$LOG_DIR/apt.log"; die "apt-get install failed"; }
  [[ -z "$(packages_missing)" ]] || die "still missing after apt-get install: $(packages_missing | tr '\n' ' ')"
  log "apt: done"
else
  log "apt: packages already installed"
fi
command -v dockerd >/dev/null || die "dockerd not found after installing docker.io"
command -v docker-registry >/dev/null || die "docker-registry not found"
[[ -x /bin/busybox ]] || die "/bin/busybox (busybox-static) not found"

# ---------------------------------------------------------------- python venv
if venv_ok; then
  log "venv: up to date ($VENV)"
else
  log "venv: installing $REQUIREMENTS into $VENV"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV" || die "python3 -m venv failed"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQUIREMENTS" >"$LOG_DIR/pip.log" 2>&1 \
    || { tail_log "$LOG_DIR/pip.log"; die "pip install failed"; }
  venv_stamp >"$VENV/.stamp"
  log "venv: done"
fi

# ---------------------------------------------------------------- dockerd
if docker_ok; then
  log "dockerd: already running (pid $(cat "$RUN_DIR/dockerd.pid"))"
else
  if pid_alive dockerd dockerd; then
    log "dockerd: pid $(cat "$RUN_DIR/dockerd.pid") alive but not answering; restarting it"
    stop_pid dockerd dockerd 20
  fi
  mkdir -p "$SOCK_DIR" "$DOCKER_EXEC_ROOT" "$DOCKER_DATA_ROOT"
  storage=()
  # overlay2 cannot stack on an overlay filesystem; fall back to vfs there (slow but works).
  if [[ "$(stat -f -c %T "$DOCKER_DATA_ROOT")" == overlayfs ]]; then
    log "dockerd: $DOCKER_DATA_ROOT is on overlayfs: using the vfs storage driver"
    storage=(--storage-driver vfs)
  fi
  rm -f "$DOCKER_SOCK"
  log "dockerd: starting (socket $DOCKER_SOCK, data root $DOCKER_DATA_ROOT)"
  : >"$LOG_DIR/dockerd.log"
  spawn dockerd "$LOG_DIR/dockerd.log" dockerd \
    --data-root "$DOCKER_DATA_ROOT" --exec-root "$DOCKER_EXEC_ROOT" \
    --pidfile "$SOCK_DIR/dockerd.pid" -H "unix://$DOCKER_SOCK" "${storage[@]}"
  note_started
  WAIT_PID="$(cat "$RUN_DIR/dockerd.pid")" wait_for 60 "dockerd to answer on $DOCKER_SOCK" docker_ok \
    || { tail_log "$LOG_DIR/dockerd.log"; die "dockerd did not come up"; }
  log "dockerd: up (pid $(cat "$RUN_DIR/dockerd.pid"), storage driver $(docker info --format '{{.Driver}}' 2>/dev/null))"
fi

# ---------------------------------------------------------------- registry
if registry_ok; then
  log "registry: already running on $REGISTRY_ADDR"
else
  stop_pid registry docker-registry 10
  if curl -s -o /dev/null --max-time 2 "http://$REGISTRY_ADDR/v2/"; then
    die "something else already listens on $REGISTRY_ADDR (set ECS_MIGRATE_STACK_REGISTRY_PORT)"
  fi
  mkdir -p "$STACK/registry/data"
  "$VENV/bin/python" - "$STACK/registry/htpasswd" "$REGISTRY_USER" "$REGISTRY_PASSWORD" <<'EOF'
import sys, bcrypt
path, user, password = sys.argv[1:]
with open(path, "w") as f:
    f.write(f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=6)).decode()}\n")
EOF
  cat >"$STACK/registry/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $IMAGE_CACHE/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
  secret: ecs-migrate-test-stack
auth:
  htpasswd:
    realm: ecs-migrate-test
    path: $STACK/registry/htpasswd
EOF
  log "registry: starting on $REGISTRY_ADDR"
  : >"$LOG_DIR/registry.log"
  spawn registry "$LOG_DIR/registry.log" docker-registry serve "$STACK/registry/config.yml"
  note_started
  WAIT_PID="$(cat "$RUN_DIR/registry.pid")" wait_for 30 "the registry on $REGISTRY_ADDR" registry_ok \
    || { tail_log "$LOG_DIR/registry.log"; die "registry did not come up"; }
  log "registry: up (pid $(cat "$RUN_DIR/registry.pid"))"
fi

# ---------------------------------------------------------------- test image
printf '%s' "$REGISTRY_PASSWORD" | docker login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_ADDR" \
  >"$LOG_DIR/docker-login.log" 2>&1 || { tail_log "$LOG_DIR/docker-login.log"; die "docker login $REGISTRY_ADDR failed"; }
if image_ok; then
  log "image: $TEST_IMAGE already in the registry"
else
  log "image: building and pushing $TEST_IMAGE"
  ctx="$STACK/image-busybox"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp /bin/busybox "$ctx/busybox"
  cp "$STACK_LIB_DIR/images/busybox.Dockerfile" "$ctx/Dockerfile"
  { docker build -q -t "$TEST_IMAGE" "$ctx" && docker push "$TEST_IMAGE"; } >"$LOG_DIR/image.log" 2>&1 \
    || { tail_log "$LOG_DIR/image.log"; die "building/pushing $TEST_IMAGE failed"; }
  image_stamp >"$STACK/image-busybox.stamp"
  image_in_registry || die "$TEST_IMAGE pushed but the registry does not list it"
  log "image: pushed"
fi

# ---------------------------------------------------------------- migration-tool images
ensure_tool_images

# ---------------------------------------------------------------- PostgreSQL
if pg_ok; then
  log "postgres: already running on 127.0.0.1:$PG_PORT"
else
  stop_pid postgres "$PG_DATA" 20
  note_started
  pg_start
fi

# ---------------------------------------------------------------- ECS stand-in
if standin_ok; then
  log "stand-in: already running on $STANDIN_URL"
else
  stop_pid standin standin/server.py 15
  if curl -s -o /dev/null --max-time 2 "$STANDIN_URL/"; then
    die "something else already listens on $STANDIN_URL (set ECS_MIGRATE_STACK_STANDIN_PORT)"
  fi
  log "stand-in: starting on $STANDIN_URL"
  : >"$LOG_DIR/standin.log"
  PYTHONDONTWRITEBYTECODE=1 STANDIN_REGISTRY="$REGISTRY_ADDR" STANDIN_REGISTRY_USER="$REGISTRY_USER" \
    STANDIN_REGISTRY_PASSWORD="$REGISTRY_PASSWORD" STANDIN_TASK_LABEL="$TASK_LABEL" \
    spawn standin "$LOG_DIR/standin.log" "$VENV/bin/python" -u "$STACK_LIB_DIR/standin/server.py" \
    --host 127.0.0.1 --port "$STANDIN_PORT"
  note_started
  WAIT_PID="$(cat "$RUN_DIR/standin.pid")" wait_for 60 "the stand-in health endpoint" standin_ok \
    || { tail_log "$LOG_DIR/standin.log"; die "the ECS stand-in did not come up"; }
  log "stand-in: up (pid $(cat "$RUN_DIR/standin.pid"))"
fi

finish
