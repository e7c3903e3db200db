#!/usr/bin/env bash
# Stop what tests/stack/up.sh started, by saved PID (TERM, bounded wait, then KILL), and
# remove leftover task containers. Installed packages, the venv, the docker data root and
# the registry's images stay, so the next up.sh is fast.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$STACK_LIB_DIR/postgres.sh"

mkdir -p "$RUN_DIR"
exec 9>"$RUN_DIR/up.lock"
flock -w 120 9 || die "up.sh is still running (lock $RUN_DIR/up.lock)"

# The stand-in first: it removes its own task containers on TERM.
stop_pid standin standin/server.py 15

if pid_alive dockerd dockerd && command -v docker >/dev/null; then
  leftovers="$(docker ps -aq --filter "label=$TASK_LABEL" 2>/dev/null || true)"
  if [[ -n "$leftovers" ]]; then
    log "removing $(wc -w <<<"$leftovers") leftover task container(s)"
    # shellcheck disable=SC2086
    docker rm -f $leftovers >/dev/null 2>&1 || true
  fi
fi

pg_stop
stop_pid registry docker-registry 10
# The registry's storage is machine-wide (lib.sh): keep the stack's own images, forget the
# repositories tests pushed (their few small blobs stay until a garbage-collect).
if [[ -d "$IMAGE_CACHE/registry/docker/registry/v2/repositories" ]]; then
  find "$IMAGE_CACHE/registry/docker/registry/v2/repositories" -mindepth 1 -maxdepth 1 \
    ! -name ecs-migrate-test -exec rm -rf {} +
fi
stop_pid dockerd dockerd 30

# dockerd normally stops its containerd; if dockerd had to be killed, containerd's own pid
# file (written by that dockerd under our exec root) names the orphan.
containerd_pid_file="$DOCKER_EXEC_ROOT/containerd/containerd.pid"
if [[ -f "$containerd_pid_file" ]]; then
  pid="$(cat "$containerd_pid_file" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
     && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$DOCKER_EXEC_ROOT"; then
    log "stopping orphaned containerd (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
fi
rm -f "$DOCKER_SOCK" "$RUN_DIR/last-up"
log "stack is down"
