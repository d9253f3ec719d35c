#!/usr/bin/env bash
# PostgreSQL on 127.0.0.1:5432 with role/database "orchestron". Reuses a server that already accepts
# the orchestron credentials; otherwise runs a throw-away cluster of its own.
# Prints DATABASE_URL=... on stdout.
set -euo pipefail
SERVICE=postgres
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

HOST=127.0.0.1
PORT=5432
DB_USER=orchestron
DB_PASSWORD=orchestron
DB_NAME=orchestron
URL="postgres://$DB_USER:$DB_PASSWORD@$HOST:$PORT/$DB_NAME"
LOGFILE="$LOG_DIR/postgres.log"

use_given DATABASE_URL

ensure_dirs

# Server binaries: $ORCHESTRON_PG_BIN, then pg_ctl on PATH, then the newest Debian/Ubuntu install.
find_pg_bin() {
  if [[ -n "${ORCHESTRON_PG_BIN:-}" ]]; then
    printf '%s\n' "$ORCHESTRON_PG_BIN"
  elif command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
  else
    find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n1
  fi
}
PG_BIN="$(find_pg_bin)"
[[ -n "$PG_BIN" && -x "$PG_BIN/pg_ctl" ]] ||
  die "PostgreSQL server binaries not found: install them (Debian: apt-get install postgresql) or set ORCHESTRON_PG_BIN"

credentials_work() {
  PGCONNECT_TIMEOUT=3 "$PG_BIN/psql" -X "$URL" -Atqc 'select 1' >/dev/null 2>&1
}
server_answers() {
  "$PG_BIN/pg_isready" -q -h "$HOST" -p "$PORT" -t 2
}

# PostgreSQL refuses to run as root, so as root the cluster belongs to the 'postgres' OS user.
if ((EUID == 0)); then
  id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' OS user (created by the postgresql package)"
  # From "/", since the postgres user may not be allowed into the current directory.
  as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
  as_owner() { "$@"; }
fi

# The data directory lives in the cache when its owner can reach it. As root with the cache under
# a private home directory (mode 700) the postgres user cannot, so the data goes to the postgres
# user's own home instead; the chosen location is remembered in the cache.
data_dir() {
  local remembered="$CACHE_DIR/postgres/data-location"
  if [[ -n "${ORCHESTRON_PG_DATA:-}" ]]; then
    printf '%s\n' "$ORCHESTRON_PG_DATA"
  elif [[ -s "$remembered" ]]; then
    cat "$remembered"
  else
    local dir="$CACHE_DIR/postgres/data"
    if ((EUID == 0)) && ! (cd / && runuser -u postgres -- test -x "$CACHE_DIR"); then
      dir="$(getent passwd postgres | cut -d: -f6)/orchestron/data"
      log "the postgres user cannot reach $CACHE_DIR; keeping the data in $dir"
    fi
    mkdir -p "$CACHE_DIR/postgres"
    printf '%s\n' "$dir" | tee "$remembered"
  fi
}

create_role_and_database() {
  as_owner "$PG_BIN/psql" -X -h "$PGDATA" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -Atq >/dev/null <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$DB_USER', '$DB_PASSWORD')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_USER')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
}

# --- an existing server ----------------------------------------------------------------------
if credentials_work; then
  if pid="$(pid_of postgres)"; then
    log "already running (pid $pid)"
  else
    log "reusing the PostgreSQL server on $HOST:$PORT"
  fi
  echo "DATABASE_URL=$URL"
  exit 0
fi
if server_answers; then
  pid_of postgres >/dev/null ||
    die "a PostgreSQL server on $HOST:$PORT rejects $DB_USER/$DB_PASSWORD: create that role and database there, stop it, or export DATABASE_URL"
  PGDATA="$(data_dir)"
  create_role_and_database || die "could not create the $DB_USER role/database; see $LOGFILE"
  echo "DATABASE_URL=$URL"
  exit 0
fi
port_open "$HOST" "$PORT" && die "port $PORT is in use by something that is not PostgreSQL"

# --- our own cluster -------------------------------------------------------------------------
PGDATA="$(data_dir)"
if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
  log "initialising a cluster in $PGDATA"
  mkdir -p "$PGDATA"
  if ((EUID == 0)); then chown postgres: "$PGDATA"; fi
  chmod 700 "$PGDATA"
  as_owner "$PG_BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 --no-instructions >>"$LOGFILE" 2>&1 ||
    die "initdb failed; see $LOGFILE"
fi

# Test-only settings: durability is traded for speed (fsync off), and plenty of connections.
# The socket lives in the data directory so that nothing outside it is needed.
SETTINGS="-c listen_addresses=$HOST -c port=$PORT -c unix_socket_directories='$PGDATA'"
SETTINGS+=" -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"

log "starting PostgreSQL on $HOST:$PORT (log: $LOGFILE)"
# Started without -l: the server inherits this log file, opened here, so its owner needs no access to it.
as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -o "$SETTINGS" -w -t 60 start </dev/null >>"$LOGFILE" 2>&1 ||
  die "PostgreSQL did not start; see $LOGFILE"
head -n1 "$PGDATA/postmaster.pid" >"$RUN_DIR/postgres.pid"

create_role_and_database || die "could not create the $DB_USER role/database; see $LOGFILE"
wait_for 30 "PostgreSQL" "$LOGFILE" postgres credentials_work
log "ready"
echo "DATABASE_URL=$URL"
