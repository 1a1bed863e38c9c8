#!/usr/bin/env bash
# postgres.sh — a real PostgreSQL (Debian's postgresql-15) on loopback for qspgb's
# PgBouncer end-to-end tests (tests/e2e/pgbouncer_*.rs). The PgBouncers are the versions the
# chart deploys, built by scripts/pgbouncer.sh; the tests start them themselves with the
# rendered configuration.
#
# Usage (as root; `apt-get update` must have been run once on the machine):
#   bash postgres.sh install               # apt-get install postgresql-15 (idempotent)
#   eval "$(bash postgres.sh start)"       # initdb + start on a free loopback port; prints
#                                          # export lines (QSPGB_PG_PORT, QSPGB_PG_SOCKET_DIR, ...)
#   bash postgres.sh stop                  # stops it and removes its data
#
# Knobs: QSPGB_PG_RUN_DIR (default /tmp/qspgb-pg-run; one per concurrently running server),
# QSPGB_PG_MAX_CONNECTIONS (PostgreSQL's max_connections, default 200; the connection-budget
# test starts its own server at 20 and exports the value as QSPGB_PG_MAX_CONNECTIONS).
#
# The server runs as the `postgres` system user (PostgreSQL refuses root). Clients connect
# over TCP on 127.0.0.1 with SCRAM passwords (password_encryption = scram-sha-256); the
# superuser `postgres` connects without a password through the Unix socket in the run
# directory, which is how the tests create roles and databases.
set -euo pipefail

QSPGB_PG_RUN_DIR="${QSPGB_PG_RUN_DIR:-/tmp/qspgb-pg-run}"
PG_PACKAGES=(postgresql-15 postgresql-client-15 util-linux iproute2)

log() { printf '[postgres.sh %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/pg_ctl" ]] && { echo "$d"; return 0; }; done
  return 1
}

install() {
  local need=() p
  for p in "${PG_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
  done
  if ((${#need[@]})); then
    log "apt-get install ${need[*]}"
    # The package's own service (a system-wide cluster) is not used.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 \
      || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2; }
  fi
  pg_bin >/dev/null || { log "no pg_ctl after install"; return 1; }
}

free_port() {
  local used p
  used="$(ss -Htan 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)"
  for _ in $(seq 1 500); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    grep -qxF -- "$p" <<<"$used" || { echo "$p"; return 0; }
  done
  return 1
}

as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

start() {
  local bin port
  bin="$(pg_bin)" || { log "PostgreSQL is not installed: run install first"; return 1; }
  if [[ -f "$QSPGB_PG_RUN_DIR/env" ]]; then
    log "already started: $QSPGB_PG_RUN_DIR"; cat "$QSPGB_PG_RUN_DIR/env"; return 0
  fi
  port="$(free_port)"
  mkdir -p "$QSPGB_PG_RUN_DIR"
  chown postgres:postgres "$QSPGB_PG_RUN_DIR"
  chmod 0755 "$QSPGB_PG_RUN_DIR"
  as_postgres "$bin/initdb" -D "$QSPGB_PG_RUN_DIR/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$QSPGB_PG_RUN_DIR/initdb.log" 2>&1 \
    || { cat "$QSPGB_PG_RUN_DIR/initdb.log" >&2; return 1; }
  cat >>"$QSPGB_PG_RUN_DIR/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$QSPGB_PG_RUN_DIR'
password_encryption = 'scram-sha-256'
max_connections = ${QSPGB_PG_MAX_CONNECTIONS:-200}
fsync = off
synchronous_commit = off
full_page_writes = off
log_connections = on
EOF
  log "starting PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
  as_postgres "$bin/pg_ctl" -D "$QSPGB_PG_RUN_DIR/data" -l "$QSPGB_PG_RUN_DIR/postgres.log" -w -t 60 start >&2 \
    || { tail -30 "$QSPGB_PG_RUN_DIR/postgres.log" >&2; return 1; }
  cat >"$QSPGB_PG_RUN_DIR/env" <<EOF
export QSPGB_PG_RUN_DIR='$QSPGB_PG_RUN_DIR'
export QSPGB_PG_HOST=127.0.0.1
export QSPGB_PG_PORT=$port
export QSPGB_PG_SOCKET_DIR='$QSPGB_PG_RUN_DIR'
export QSPGB_PG_BIN='$bin'
export QSPGB_PG_MAX_CONNECTIONS=${QSPGB_PG_MAX_CONNECTIONS:-200}
EOF
  cat "$QSPGB_PG_RUN_DIR/env"
}

stop() {
  local bin
  [[ -d "$QSPGB_PG_RUN_DIR" ]] || return 0
  bin="$(pg_bin)" || true
  if [[ -n "$bin" && -f "$QSPGB_PG_RUN_DIR/data/postmaster.pid" ]]; then
    log "stopping PostgreSQL in $QSPGB_PG_RUN_DIR"
    as_postgres "$bin/pg_ctl" -D "$QSPGB_PG_RUN_DIR/data" -m fast -w stop >&2 || true
  fi
  rm -rf "$QSPGB_PG_RUN_DIR"
}

case "${1:-help}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) cat "$QSPGB_PG_RUN_DIR/env" ;;
  *) sed -n '2,20p' "$0"; [[ "${1:-help}" == help ]] ;;
esac
