# Shared paths and helpers for tests/stack/up.sh and down.sh (sourced, not run).
#
# Everything the stack creates lives under <repo>/.stack, except the unix sockets, which
# live under /run/ecs-migrate-stack-<hash> because a unix socket path must stay under 108
# bytes and a checkout path can be arbitrarily long.

STACK_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$STACK_LIB_DIR/../.." && pwd)"
STACK="$ROOT/.stack"
RUN_DIR="$STACK/run"         # pid files, markers
LOG_DIR="$STACK/logs"        # one log file per server
VENV="$STACK/venv"
STACK_HASH="$(printf '%s' "$STACK" | sha1sum | cut -c1-10)"
SOCK_DIR="/run/ecs-migrate-stack-$STACK_HASH"
DOCKER_SOCK="$SOCK_DIR/docker.sock"
DOCKER_EXEC_ROOT="$SOCK_DIR/exec"
DOCKER_DATA_ROOT="$STACK/docker"
REGISTRY_PORT="${ECS_MIGRATE_STACK_REGISTRY_PORT:-5001}"
STANDIN_PORT="${ECS_MIGRATE_STACK_STANDIN_PORT:-5100}"
REGISTRY_ADDR="127.0.0.1:$REGISTRY_PORT"
STANDIN_URL="http://127.0.0.1:$STANDIN_PORT"
TEST_IMAGE="$REGISTRY_ADDR/ecs-migrate-test/busybox:latest"
# What moto's ECR GetAuthorizationToken hands out for the default account 123456789012:
# base64("AWS:123456789012-auth-token"). The registry accepts exactly that.
REGISTRY_USER="AWS"
REGISTRY_PASSWORD="123456789012-auth-token"
# Machine-wide cache that outlives checkouts: the registry's storage (so the tool images built
# once are found by every later run, even from a fresh clone) and the sqlx-cli build.
IMAGE_CACHE="${ECS_MIGRATE_STACK_CACHE:-/var/cache/ecs-migrate-stack}"
# Label put on every container the stand-in starts, so down.sh can find leftovers.
TASK_LABEL="ecs-migrate-standin"

export DOCKER_HOST="unix://$DOCKER_SOCK"
export DOCKER_CONFIG="$STACK/docker-config"
export DOCKER_BUILDKIT=0

STACK_T0="$EPOCHREALTIME"

log() { printf '[stack %6ss] %s\n' "$(awk -v a="$STACK_T0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# tail_log FILE: print the end of a server log, for failure messages.
tail_log() {
  local f="$1"
  if [[ -s "$f" ]]; then
    echo "----- last lines of $f -----" >&2
    tail -n 40 "$f" >&2
    echo "-----" >&2
  else
    echo "(no output in $f)" >&2
  fi
}

# pid_alive NAME: true when RUN_DIR/NAME.pid names a live process whose command line
# contains NAME's expected program (guards against a recycled pid).
pid_alive() {
  local name="$1" want="$2" pid
  [[ -f "$RUN_DIR/$name.pid" ]] || return 1
  pid="$(cat "$RUN_DIR/$name.pid" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$want"
}

# spawn NAME LOGFILE CMD...: start CMD in the background in its own session, stdin from
# /dev/null, stdout+stderr to LOGFILE, every other descriptor closed (a server that keeps
# an inherited pipe open would hang a caller's `$(...)`). Writes RUN_DIR/NAME.pid.
spawn() {
  local name="$1" logfile="$2"; shift 2
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd="${fd##*/}"
      if [[ "$fd" -gt 2 ]]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec setsid "$@" </dev/null >>"$logfile" 2>&1
  ) &
  echo $! >"$RUN_DIR/$name.pid"
}

# wait_for SECONDS DESCRIPTION CMD...: poll CMD every 0.2 s until it succeeds or time runs out.
# With WAIT_PID set, give up at once when that process has exited.
wait_for() {
  local secs="$1" what="$2"; shift 2
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    if [[ -n "${WAIT_PID:-}" ]] && ! kill -0 "$WAIT_PID" 2>/dev/null; then
      log "the process behind $what (pid $WAIT_PID) exited"
      return 1
    fi
    if (( $(date +%s) >= deadline )); then
      log "timed out after ${secs}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

# running PID: alive and not a zombie (our servers are reparented to PID 1, which may take a
# while to reap them after they exit).
running() {
  local state
  state="$(sed -E 's/.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z ]]
}

# stop_pid NAME EXPECTED SECONDS: TERM the process in RUN_DIR/NAME.pid, wait up to SECONDS,
# then KILL. Only touches the process if its command line still matches EXPECTED.
stop_pid() {
  local name="$1" want="$2" secs="$3" pid
  if ! pid_alive "$name" "$want"; then
    rm -f "$RUN_DIR/$name.pid"
    return 0
  fi
  pid="$(cat "$RUN_DIR/$name.pid")"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(( $(date +%s) + secs ))
  while running "$pid"; do
    if (( $(date +%s) >= deadline )); then
      log "$name did not stop within ${secs}s: KILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$RUN_DIR/$name.pid"
}
