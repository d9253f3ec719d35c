#!/usr/bin/env bash
# What tracing costs: CPU per record of the soak's pipeline (no-op transform, at-least-once, a preloaded backlog) with
# tracing off, on with 1 % of the batches sampled, and on with all of them, the spans exported with OTLP/HTTP to a
# local endpoint that drops them (bench/tracing/otlp-sink.ts). Each round runs the three in turn, each round starting
# with the next one (a phase is slowed by the previous phase's topics being deleted, and by a drift in the machine's
# load: this spreads both over the three alike). Needs Kafka (npm run services:up).
# Usage: npm run bench:tracing -- [ROUNDS (default 3)] [MESSAGES (default 100000)]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
messages=${2:-100000}
out=soak/out/tracing-$(date -u +%Y%m%dT%H%M%SZ)
export OTLP_SINK_PORT=${OTLP_SINK_PORT:-4318}
export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$OTLP_SINK_PORT
node bench/tracing/otlp-sink.ts &
sink=$!
trap 'kill "$sink"' EXIT
configs=(off sampled-1pct sampled-100pct)
for round in $(seq "$rounds"); do
  for i in 0 1 2; do
    config=${configs[$(((round + i) % 3))]}
    node soak/cli.ts --config "bench/tracing/$config.yaml" --messages "$messages" --preload --out "$out/$config-$round"
  done
done
node bench/tracing/report.ts "$out"
