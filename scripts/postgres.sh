#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests and CI.
#
#   bash scripts/postgres.sh          ensure it runs; last line: DATABASE_URL=postgresql://...
#   bash scripts/postgres.sh stop     stop it
#   bash scripts/postgres.sh status   exit 0 if it is running
#
# - Uses the newest /usr/lib/postgresql/*/bin; installs Debian's `postgresql` only when none is there.
# - Data lives outside the repo in ${JIUZHU_CACHE_DIR:-$HOME/.cache/jiuzhu}/pg-test (trust auth, superuser
#   `postgres`, fsync off: test data only). Running as root, the server runs as the `postgres` OS user
#   (PostgreSQL refuses root); if that user cannot reach the cache folder (e.g. /root is mode 700) the data
#   goes to /var/tmp/jiuzhu-pg-test-$PORT and the cache folder holds a symlink to it.
# - Listens on 127.0.0.1:${JIUZHU_PG_PORT:-55432} only. Idempotent: a running server is reused.
# - Creates the database ${JIUZHU_PG_DB:-jiuzhu_test}.
set -euo pipefail

PORT="${JIUZHU_PG_PORT:-55432}"
DB="${JIUZHU_PG_DB:-jiuzhu_test}"
CACHE_DIR="${JIUZHU_CACHE_DIR:-$HOME/.cache/jiuzhu}"
PG_DIR="$CACHE_DIR/pg-test-$PORT" # one cluster per port
PG_USER=postgres
URL="postgresql://$PG_USER@127.0.0.1:$PORT/$DB"

log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$d/postgres" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

BIN="$(find_bin || true)"
if [[ -z "$BIN" ]]; then
  if [[ "$(id -u)" != 0 ]]; then
    log "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin and not root: install the 'postgresql' package"
    exit 1
  fi
  log "installing PostgreSQL (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
  BIN="$(find_bin)"
fi

# Run a command as the OS user that owns the cluster.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}

# As root, make sure the postgres OS user can reach the data folder.
if [[ "$(id -u)" == 0 ]]; then
  if ! id "$PG_USER" >/dev/null 2>&1; then
    log "OS user $PG_USER is missing (it comes with Debian's postgresql-common)"
    exit 1
  fi
  mkdir -p "$CACHE_DIR"
  if [[ -L "$PG_DIR" ]]; then
    PG_DIR="$(readlink -f "$PG_DIR")"
  elif [[ -d "$PG_DIR" ]] && runuser -u "$PG_USER" -- test -w "$PG_DIR"; then
    :
  elif [[ ! -e "$PG_DIR" ]] && mkdir -p "$PG_DIR" && chown "$PG_USER:" "$PG_DIR" \
       && runuser -u "$PG_USER" -- test -w "$PG_DIR"; then
    :
  else
    rmdir "$PG_DIR" 2>/dev/null || true
    alt="/var/tmp/jiuzhu-pg-test-$PORT"
    log "$PG_USER cannot reach $CACHE_DIR; keeping the data in $alt (symlinked from $PG_DIR)"
    mkdir -p "$alt"
    [[ -e "$PG_DIR" ]] || ln -s "$alt" "$PG_DIR"
    PG_DIR="$alt"
  fi
  mkdir -p "$PG_DIR"
  chown "$PG_USER:" "$PG_DIR"
  chmod 700 "$PG_DIR"
else
  mkdir -p "$PG_DIR"
  chmod 700 "$PG_DIR"
fi

DATA="$PG_DIR/data"
LOGFILE="$PG_DIR/server.log"

is_ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" >/dev/null 2>&1; }

case "${1:-start}" in
  stop)
    if [[ -f "$DATA/postmaster.pid" ]]; then
      as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
    else
      log "not running (no $DATA/postmaster.pid)"
    fi
    exit 0
    ;;
  status)
    is_ready && { log "accepting connections on 127.0.0.1:$PORT"; exit 0; }
    log "not running"; exit 1
    ;;
  start) ;;
  *) log "usage: $0 [start|stop|status]"; exit 2 ;;
esac

if [[ ! -f "$DATA/PG_VERSION" ]]; then
  log "initdb $DATA"
  as_owner "$BIN/initdb" -D "$DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || as_owner "$BIN/initdb" -D "$DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
fi

if is_ready; then
  log "reusing the server on 127.0.0.1:$PORT"
else
  # A stale pid file from a killed server makes pg_ctl refuse to start.
  if [[ -f "$DATA/postmaster.pid" ]] && ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    rm -f "$DATA/postmaster.pid"
  fi
  log "starting PostgreSQL ($BIN) on 127.0.0.1:$PORT"
  # The options only suit test data: no fsync, no unix socket outside the data folder.
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories='$PG_DIR' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >&2 || { tail -n 30 "$LOGFILE" >&2 || true; exit 1; }
fi

for _ in $(seq 1 50); do is_ready && break; sleep 0.2; done
is_ready || { log "server did not come up; see $LOGFILE"; exit 1; }

psql_() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$PG_USER" -d postgres "$@"; }
if [[ "${JIUZHU_PG_FRESH:-}" == 1 ]]; then
  # CI: start from an empty database every run, whatever an earlier run left.
  log "dropping database $DB (JIUZHU_PG_FRESH=1)"
  psql_ -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >&2
fi
if [[ "$(psql_ -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]]; then
  log "creating database $DB"
  psql_ -c "CREATE DATABASE \"$DB\"" >&2
fi

echo "DATABASE_URL=$URL"
