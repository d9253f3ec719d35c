#!/usr/bin/env bash
# FerretDB (MongoDB wire protocol) on 127.0.0.1:27017 with its SQLite backend, built once from the
# Go module. Prints MONGO_URL=... on stdout.
set -euo pipefail
SERVICE=ferretdb
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

FERRETDB_VERSION=v1.24.2
MODULE=github.com/FerretDB/FerretDB

HOST=127.0.0.1
PORT=27017
URL="mongodb://$HOST:$PORT/orchestron"
BIN="$BIN_DIR/ferretdb"
HOME_DIR="$CACHE_DIR/ferretdb"
LOGFILE="$LOG_DIR/ferretdb.log"

use_given MONGO_URL

ensure_dirs

wait_mongo() { # <timeout seconds> [pid]
  run_ts wait-mongo.ts --url "mongodb://$HOST:$PORT" --timeout "$1" --log "$LOGFILE" ${2:+--pid "$2"}
}

if pid="$(pid_of ferretdb)"; then
  wait_mongo 60 "$pid" || exit 1
  log "already running (pid $pid)"
  echo "MONGO_URL=$URL"
  exit 0
fi
if port_open "$HOST" "$PORT"; then
  wait_mongo 5 2>/dev/null || die "port $PORT is in use by something that does not answer the MongoDB wire protocol"
  log "reusing the MongoDB-compatible server on $HOST:$PORT"
  echo "MONGO_URL=$URL"
  exit 0
fi

# Why not `go install $MODULE/cmd/ferretdb@$FERRETDB_VERSION`: FerretDB panics at startup unless
# build/version/version.txt is embedded, and that generated file is not part of the module zip.
# So: fetch the exact module version, add that one file, and build it with its own go.mod/go.sum.
build() {
  require_cmd go "install Go 1.24 or newer from the Go project's downloads"
  local work="$HOME_DIR/build" buildlog="$LOG_DIR/ferretdb-build.log" src
  log "building FerretDB $FERRETDB_VERSION from its Go module (first run only, takes a few minutes; log: $buildlog)"
  rm -rf "$work"
  mkdir -p "$work"
  export GOWORK=off GOFLAGS=-mod=readonly
  src="$(cd "$work" && go mod download -json "$MODULE@$FERRETDB_VERSION" 2>>"$buildlog" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" || src=""
  [[ -n "$src" && -d "$src" ]] || die "could not download $MODULE@$FERRETDB_VERSION; see $buildlog"
  cp -R "$src/." "$work/src"
  chmod -R u+w "$work/src"
  echo "$FERRETDB_VERSION" >"$work/src/build/version/version.txt"
  (cd "$work/src" && go build -trimpath -buildvcs=false -o "$BIN.tmp" ./cmd/ferretdb) >>"$buildlog" 2>&1 ||
    die "building FerretDB failed; see $buildlog"
  mv "$BIN.tmp" "$BIN"
  rm -rf "$work"
}
installed_version() { "$BIN" --version 2>/dev/null | sed -n 's/^version: //p'; }
[[ -x "$BIN" && "$(installed_version)" == "$FERRETDB_VERSION" ]] || build

mkdir -p "$HOME_DIR/data" "$HOME_DIR/state"
log "starting FerretDB $FERRETDB_VERSION on $HOST:$PORT (log: $LOGFILE)"
detach env DO_NOT_TRACK=1 "$BIN" \
  --listen-addr="$HOST:$PORT" \
  --handler=sqlite --sqlite-url="file:$HOME_DIR/data/" \
  --state-dir="$HOME_DIR/state" \
  --telemetry=disable --debug-addr=- \
  >>"$LOGFILE" 2>&1
pid=$!
echo "$pid" >"$RUN_DIR/ferretdb.pid"

wait_mongo 60 "$pid" || exit 1
log "ready"
echo "MONGO_URL=$URL"
