#!/usr/bin/env bash
# A Confluent-compatible schema registry, for the Schema Registry codecs' integration tests. Optional: prints
# SCHEMA_REGISTRY_URL=... on stdout when one answers, and nothing (exit 0) when none does.
#
# No Confluent-compatible registry installs from the package registries this project uses (Confluent's own and
# Apicurio's server artifacts are not all on Maven Central, Karapace is not on PyPI, and the Go module proxy does not
# serve the Go ones), so nothing is started here: the one from docker-compose.yml, or one given by URL, is used.
set -euo pipefail
SERVICE=schema-registry
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

HOST=127.0.0.1
PORT=8081

if [[ -n "${SCHEMA_REGISTRY_URL:-}" ]]; then
  log "using SCHEMA_REGISTRY_URL from the environment"
  echo "SCHEMA_REGISTRY_URL=$SCHEMA_REGISTRY_URL"
  exit 0
fi

# True when GET <path>/subjects answers 200 with a JSON array (plain HTTP over a bash TCP socket: no curl needed).
registry_ping() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET %s/subjects HTTP/1.0\r\nHost: %s\r\nAccept: application/json\r\n\r\n" "$2" "$0" >&3
    reply="$(cat <&3)"
    [[ $reply == "HTTP/1."?" 200"* && ${reply#*$'"'"'\r\n\r\n'"'"'} == "["* ]]' "$HOST" "$PORT" "$1" 2>/dev/null
}

# Apicurio (docker-compose.yml) serves the Confluent API under /apis/ccompat/v7; Confluent and Karapace at the root.
for path in /apis/ccompat/v7 ""; do
  if registry_ping "$path"; then
    log "reusing the schema registry on $HOST:$PORT$path"
    echo "SCHEMA_REGISTRY_URL=http://$HOST:$PORT$path"
    exit 0
  fi
done
log "none on $HOST:$PORT (docker compose up -d schema-registry starts one); its integration tests are skipped"
