#!/usr/bin/env bash
# Stops the services that services:up started (those with a pid file in the cache), and nothing else.
# Servers that were merely reused (already running, or given through *_URL) are left alone.
set -euo pipefail
SERVICE=services
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

stop_pid toxiproxy toxiproxy-server
stop_pid schema-registry orchestron-schema-registry
stop_pid ferretdb ferretdb
stop_pid kafka kafka.Kafka
stop_pid redis redis-server
stop_pid postgres postgres INT # SIGINT is PostgreSQL's "fast" shutdown
log "stopped"
