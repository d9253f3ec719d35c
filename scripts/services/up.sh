#!/usr/bin/env bash
# Brings up every service the integration tests need and prints one KEY=value line per service on
# stdout (nothing else goes to stdout):
#   KAFKA_BROKERS, DATABASE_URL, REDIS_URL, MONGO_URL, TOXIPROXY_URL, SCHEMA_REGISTRY_URL, CHROMIUM_PATH
# Services already running are reused; a URL already exported is printed as it is.
# Usage: npm run services:up       (to export them: set -a; eval "$(npm run -s services:up)"; set +a)
set -euo pipefail
SERVICE=services
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_dirs
started=$SECONDS

# Two services:up at the same time (e.g. parallel test jobs) must not both start servers: take turns.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$RUN_DIR/up.lock"
  flock 9
fi
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

# 9>&-: the servers started below must not inherit (and so keep holding) the lock.
service() { bash "$SERVICES_DIR/$1.sh" >"$results/$1" 9>&-; }

# Kafka (Maven resolve + JVM start), FerretDB (Go build) and the schema registry (Maven build + JVM start) are the
# slow ones: run them alongside.
service kafka &
kafka_job=$!
service ferretdb &
ferretdb_job=$!
service schema-registry &
schema_registry_job=$!

failed=()
# kcat: the independent Kafka client the exactly-once tests read their output with (read_committed).
command -v kcat >/dev/null 2>&1 || apt_install kcat || failed+=(kcat)
# Chromium: the headless browser the operations console's tests drive (through playwright-core).
[[ -n "${CHROMIUM_PATH:-}" ]] || command -v chromium >/dev/null 2>&1 || apt_install chromium || failed+=(chromium)
service postgres || failed+=(postgres)
service redis || failed+=(redis)
# Toxiproxy: the network faults of the chaos suite (npm run test:chaos).
service toxiproxy || failed+=(toxiproxy)
wait "$kafka_job" || failed+=(kafka)
wait "$ferretdb_job" || failed+=(ferretdb)
wait "$schema_registry_job" || failed+=(schema-registry)

((${#failed[@]} == 0)) || die "could not bring up: ${failed[*]} (logs: $LOG_DIR)"

for name in kafka postgres redis ferretdb toxiproxy schema-registry; do
  grep -E '^[A-Z_]+=' "$results/$name"
done
echo "CHROMIUM_PATH=${CHROMIUM_PATH:-$(command -v chromium)}"
log "all services ready in $((SECONDS - started)) s (cache: $CACHE_DIR)"
