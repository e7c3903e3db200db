# PostgreSQL for the stack (sourced by up.sh and down.sh, not run): a private server on
# 127.0.0.1:$PG_PORT that the migration tasks reach over host networking. It runs as a
# non-root user (initdb refuses root), with password auth, so the tools connect the way
# they do on AWS: with a DATABASE_URL that carries a password. Tests create one database each.

PG_PORT="${ECS_MIGRATE_STACK_PG_PORT:-5433}"
PG_DIR="$STACK/postgres"
PG_DATA="$PG_DIR/data"
PG_SOCKET_DIR="$SOCK_DIR/postgres"
PG_ROLE="ecs_migrate"
PG_PASSWORD="ecs-migrate-test-pw"
PG_URL="postgres://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT"

# The directory holding initdb/pg_ctl/postgres: the machine's own PostgreSQL (/usr/local/bin
# here), else Debian's (apt package `postgresql`).
pg_bin_dir() {
  local dir
  for dir in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")" \
             /usr/local/bin /usr/local/pgsql/bin /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" && -x "$dir/postgres" ]] && { echo "$dir"; return 0; }
  done
  return 1
}

# The unprivileged account that owns the cluster: `postgres` when it exists, else one we add.
pg_os_user() {
  if id postgres >/dev/null 2>&1; then echo postgres; return; fi
  id ecs-migrate-pg >/dev/null 2>&1 \
    || useradd --system --no-create-home --shell /usr/sbin/nologin ecs-migrate-pg
  echo ecs-migrate-pg
}

pg_ok() {
  pid_alive postgres "$PG_DATA" && PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=2 \
    psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ROLE" -d postgres -tAc 'select 1' 2>/dev/null | grep -qx 1
}

pg_start() {
  local bin user
  bin="$(pg_bin_dir)" || die "no PostgreSQL server binaries (initdb, postgres) found"
  user="$(pg_os_user)"
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    log "postgres: initdb $PG_DATA ($("$bin/postgres" --version))"
    rm -rf "$PG_DATA" && mkdir -p "$PG_DATA"
    printf '%s\n' "$PG_PASSWORD" >"$PG_DIR/pwfile"
    chown -R "$user:" "$PG_DIR"
    chmod 700 "$PG_DATA"
    setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
      "$bin/initdb" -D "$PG_DATA" -U "$PG_ROLE" --pwfile="$PG_DIR/pwfile" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
      >"$LOG_DIR/initdb.log" 2>&1 || { tail_log "$LOG_DIR/initdb.log"; die "initdb failed"; }
    rm -f "$PG_DIR/pwfile"
  fi
  mkdir -p "$PG_SOCKET_DIR" && chown "$user:" "$PG_SOCKET_DIR"
  : >"$LOG_DIR/postgres.log" && chown "$user:" "$LOG_DIR/postgres.log"
  log "postgres: starting on 127.0.0.1:$PG_PORT (data $PG_DATA, user $user)"
  spawn postgres "$LOG_DIR/postgres.log" setpriv --reuid="$user" --regid="$(id -g "$user")" \
    --clear-groups "$bin/postgres" -D "$PG_DATA" -p "$PG_PORT" -k "$PG_SOCKET_DIR" \
    -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off \
    -c synchronous_commit=off -c full_page_writes=off
  WAIT_PID="$(cat "$RUN_DIR/postgres.pid")" wait_for 30 "postgres on port $PG_PORT" pg_ok \
    || { tail_log "$LOG_DIR/postgres.log"; die "postgres did not come up"; }
  log "postgres: up (pid $(cat "$RUN_DIR/postgres.pid"))"
}

pg_stop() {
  # SIGINT is PostgreSQL's "fast" shutdown: it ends the tests' leftover sessions instead of
  # waiting for them as SIGTERM ("smart") would.
  if pid_alive postgres "$PG_DATA"; then
    kill -INT "$(cat "$RUN_DIR/postgres.pid")" 2>/dev/null || true
  fi
  stop_pid postgres "$PG_DATA" 20
}
