#!/usr/bin/env bash
# Toxiproxy (network fault injection for the chaos suite) with its HTTP API on 127.0.0.1:8474, built once
# from its Go module. Prints TOXIPROXY_URL=... on stdout.
set -euo pipefail
SERVICE=toxiproxy
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TOXIPROXY_VERSION=v2.12.0
MODULE=github.com/Shopify/toxiproxy/v2

HOST=127.0.0.1
PORT=8474
URL="http://$HOST:$PORT"
BIN="$BIN_DIR/toxiproxy-server"
LOGFILE="$LOG_DIR/toxiproxy.log"

use_given TOXIPROXY_URL

ensure_dirs

# True when a Toxiproxy API answers GET /version (plain HTTP over a bash TCP socket: no curl needed).
toxiproxy_ping() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET /version HTTP/1.0\r\nHost: %s\r\n\r\n" "$0" >&3
    reply="$(cat <&3)"
    [[ $reply == "HTTP/1."?" 200"* && $reply == *"\"version\""* ]]' "$HOST" "$PORT" 2>/dev/null
}

if toxiproxy_ping; then
  if pid="$(pid_of toxiproxy)"; then
    log "already running (pid $pid)"
  else
    log "reusing the Toxiproxy server on $HOST:$PORT"
  fi
  echo "TOXIPROXY_URL=$URL"
  exit 0
fi
port_open "$HOST" "$PORT" && die "port $PORT is in use by something that does not answer as Toxiproxy"

# The exact module version is downloaded and built with its own go.mod/go.sum; the version string the server
# reports is set at link time, as its release builds do (otherwise it says "git").
build() {
  require_cmd go "install Go 1.23 or newer from the Go project's downloads"
  local buildlog="$LOG_DIR/toxiproxy-build.log" src
  log "building Toxiproxy $TOXIPROXY_VERSION from its Go module (first run only; log: $buildlog)"
  export GOWORK=off GOFLAGS=-mod=readonly
  src="$(cd "$BIN_DIR" && go mod download -json "$MODULE@$TOXIPROXY_VERSION" 2>>"$buildlog" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" || src=""
  [[ -n "$src" && -d "$src" ]] || die "could not download $MODULE@$TOXIPROXY_VERSION; see $buildlog"
  (cd "$src" && go build -trimpath -buildvcs=false -ldflags "-s -w -X $MODULE.Version=$TOXIPROXY_VERSION" \
    -o "$BIN.tmp" ./cmd/server) >>"$buildlog" 2>&1 || die "building Toxiproxy failed; see $buildlog"
  mv "$BIN.tmp" "$BIN"
}
installed_version() { "$BIN" -version 2>/dev/null | sed -n 's/^toxiproxy-server version //p'; }
[[ -x "$BIN" && "$(installed_version)" == "$TOXIPROXY_VERSION" ]] || build

log "starting Toxiproxy $TOXIPROXY_VERSION on $HOST:$PORT (log: $LOGFILE)"
detach env LOG_LEVEL=warn "$BIN" -host "$HOST" -port "$PORT" >>"$LOGFILE" 2>&1
pid=$!
echo "$pid" >"$RUN_DIR/toxiproxy.pid"

wait_for 20 "Toxiproxy" "$LOGFILE" toxiproxy toxiproxy_ping
log "ready"
echo "TOXIPROXY_URL=$URL"
