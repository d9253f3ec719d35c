#!/usr/bin/env bash
# Stops the services that services:up started and deletes the data they keep in the cache: Kafka's log directories
# (a broker services:up starts begins empty anyway, unless ORCHESTRON_KAFKA_KEEP_DATA=1) and FerretDB's data. Tests
# and soaks create topics of their own and a soak phase writes about 2 GB, so this is how to give the disk space back.
# PostgreSQL's cluster is kept: tests drop their own tables. The next `npm run services:up` starts empty.
set -euo pipefail
SERVICE=services
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bash "$SERVICES_DIR/down.sh"
# A server on the same port that services:up did not start is not ours to wipe; our data dirs are unused by it.
for dir in "$CACHE_DIR"/kafka/data-* "$CACHE_DIR"/kafka/deleting-* "$CACHE_DIR/ferretdb/data"; do
  [[ -e $dir ]] || continue
  log "deleting $dir"
  rm -rf "$dir"
done
log "reset; run 'npm run services:up' to start empty servers"
