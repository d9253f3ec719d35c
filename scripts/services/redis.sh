#!/usr/bin/env bash
# Redis on 127.0.0.1:6379 without persistence. Installs Debian's redis-server when it is missing.
# Prints REDIS_URL=... on stdout.
set -euo pipefail
SERVICE=redis
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

HOST=127.0.0.1
PORT=6379
URL="redis://$HOST:$PORT"
LOGFILE="$LOG_DIR/redis.log"

use_given REDIS_URL

ensure_dirs

# True when a Redis server answers PING (speaks RESP over a plain bash TCP socket).
redis_ping() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "PING\r\n" >&3
    IFS= read -r reply <&3
    [[ $reply == "+PONG"* ]]' "$HOST" "$PORT" 2>/dev/null
}

if redis_ping; then
  if pid="$(pid_of redis)"; then
    log "already running (pid $pid)"
  else
    log "reusing the Redis server on $HOST:$PORT"
  fi
  echo "REDIS_URL=$URL"
  exit 0
fi
port_open "$HOST" "$PORT" &&
  die "port $PORT is in use by something that does not answer PING (a non-Redis server, or a Redis that needs a password: export REDIS_URL)"

command -v redis-server >/dev/null 2>&1 || apt_install redis-server
require_cmd redis-server "install Redis 7 (Debian: apt-get install redis-server)"

mkdir -p "$CACHE_DIR/redis"
log "starting Redis on $HOST:$PORT (log: $LOGFILE)"
# Redis writes its own pid file once it has daemonized; the redirect only catches early errors.
# shellcheck disable=SC2094
redis-server --bind "$HOST" --port "$PORT" --save "" --appendonly no \
  --daemonize yes --pidfile "$RUN_DIR/redis.pid" --logfile "$LOGFILE" --dir "$CACHE_DIR/redis" \
  </dev/null >>"$LOGFILE" 2>&1 || die "redis-server failed to start; see $LOGFILE"

wait_for 20 "Redis" "$LOGFILE" "" redis_ping
log "ready"
echo "REDIS_URL=$URL"
