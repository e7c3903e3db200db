#!/usr/bin/env bash
# The benchmark: ecs-migrate against the hand-written aws-cli way (run-task, wait
# tasks-stopped, describe-tasks) on the local ECS stand-in, same tasks, repeated runs.
# Writes bench/RESULTS.md and bench/results.png.
#
# On a fresh machine it installs what it needs: a venv (bench/.venv: awscli, botocore,
# matplotlib, pinned in bench/requirements.txt), the local stack (tests/stack/up.sh, stopped
# again on exit if this run started it) and the release binary (cargo build --release).
# A stack that is already up is reused when its env is set (source .stack/env first).
#
# Usage: bench/run.sh [--reps N] [--log-reps N] [--task-seconds S]
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
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
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

# ---------------------------------------------------------------- binary
# Niced: on a shared machine the build must not starve whatever else runs there.
log "building the release binary"
nice -n 10 cargo build --release --locked --quiet
binary="${CARGO_TARGET_DIR:-$ROOT/target}/release/ecs-migrate"

"$VENV/bin/python" "$ROOT/bench/bench.py" --binary "$binary" "$@"
