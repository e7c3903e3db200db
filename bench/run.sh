#!/usr/bin/env bash
# The benchmark: ecs-migrate against the hand-written aws-cli way (run-task, wait
# tasks-stopped, describe-tasks) on the local ECS stand-in, same tasks, repeated runs.
# Writes bench/RESULTS.md and bench/results.png.
#
# On a fresh machine it installs what it needs: a venv (bench/.venv: awscli, botocore,
# matplotlib, pinned in bench/requirements.txt), the local stack (tests/stack/up.sh, stopped
# again on exit if this run started it) and the release binary (cargo build --release).
# A stack that is already up is reused when its env is set (source .stack/env first).
# The ECS stand-in is the bench's own: started from this checkout on a free port (5300-5399,
# ECS_MIGRATE_BENCH_STANDIN_PORT to choose; never the stack's 5100 or 5200-5210), with its own
# task-container label, and stopped again by its PID on exit. The stack's shared stand-in is
# left alone (it may run older code than this checkout).
#
# Usage: bench/run.sh [--reps N] [--log-reps N] [--task-seconds S] [--fault-reps N]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PYTHONDONTWRITEBYTECODE=1
VENV="$ROOT/bench/.venv"
REQUIREMENTS="$ROOT/bench/requirements.txt"

log() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- venv
stamp="$( { sha256sum "$REQUIREMENTS"; python3 --version; } 2>&1 | sha256sum | cut -c1-64)"
if [[ ! -x "$VENV/bin/python" || "$(cat "$VENV/.stamp" 2>/dev/null)" != "$stamp" ]]; then
  log "installing the bench venv ($VENV)"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$stamp" >"$VENV/.stamp"
fi

# ---------------------------------------------------------------- stack
marker="$(mktemp)"
standin_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$standin_pid" ]]; then
    log "stopping the bench's stand-in (pid $standin_pid)"
    kill "$standin_pid" 2>/dev/null && wait "$standin_pid" 2>/dev/null || true
  fi
  if [[ "$(cat "$marker" 2>/dev/null)" == started && "${ECS_MIGRATE_STACK_KEEP:-}" != 1 ]]; then
    log "stopping the stack this run started"
    tests/stack/down.sh || rc=$(( rc ? rc : 1 ))
  fi
  rm -f "$marker"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n "${ECS_MIGRATE_TEST_ENDPOINT:-}" ]]; then
  log "reusing the stack at $ECS_MIGRATE_TEST_ENDPOINT"
else
  ECS_MIGRATE_STACK_STARTED_FILE="$marker" tests/stack/up.sh
  # shellcheck disable=SC1091
  source .stack/env
fi

# ---------------------------------------------------------------- the bench's own stand-in
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port="${ECS_MIGRATE_BENCH_STANDIN_PORT:-}"
if [[ -z "$port" ]]; then
  for candidate in $(seq 5300 5399); do
    if port_free "$candidate"; then port="$candidate"; break; fi
  done
fi
if [[ -z "$port" ]] || ! port_free "$port" || (( port == 5100 || (port >= 5200 && port <= 5210) )); then
  log "no free port for the bench's stand-in (tried ${port:-5300-5399})"; exit 1
fi
standin_log="$ROOT/.stack/logs/bench-standin-$port.log"
mkdir -p "$(dirname "$standin_log")"
log "starting the bench's stand-in on 127.0.0.1:$port (log $standin_log)"
PYTHONDONTWRITEBYTECODE=1 STANDIN_REGISTRY="$ECS_MIGRATE_TEST_REGISTRY" \
  STANDIN_TASK_LABEL=ecs-migrate-bench-standin \
  "$ECS_MIGRATE_TEST_PYTHON" -u "$ROOT/tests/stack/standin/server.py" --host 127.0.0.1 --port "$port" \
  >"$standin_log" 2>&1 &
standin_pid=$!
for _ in $(seq 1 120); do
  curl -fs --max-time 2 "http://127.0.0.1:$port/_standin/health" >/dev/null && break
  kill -0 "$standin_pid" 2>/dev/null || { tail -20 "$standin_log" >&2; log "the bench's stand-in died"; exit 1; }
  sleep 0.5
done
curl -fs --max-time 2 "http://127.0.0.1:$port/_standin/health" >/dev/null \
  || { tail -20 "$standin_log" >&2; log "the bench's stand-in did not come up"; exit 1; }
export ECS_MIGRATE_TEST_ENDPOINT="http://127.0.0.1:$port"

# ---------------------------------------------------------------- binary
# Niced: on a shared machine the build must not starve whatever else runs there.
log "building the release binary"
nice -n 10 cargo build --release --locked --quiet
binary="${CARGO_TARGET_DIR:-$ROOT/target}/release/ecs-migrate"

"$VENV/bin/python" "$ROOT/bench/bench.py" --binary "$binary" "$@"
