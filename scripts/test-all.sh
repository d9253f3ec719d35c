#!/usr/bin/env bash
# The README's test command (`npm test`): real services up, lint and types, the Node suites (unit + integration),
# the chaos suite's short profile, then the core suite on Bun and Deno. Ends with one "N passed, N failed" line over all runners.
set -euo pipefail
cd "$(dirname "$0")/.."

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

echo "› services:up" >&2
npm run --silent services:up >"$logs/services.env"
while IFS= read -r line; do
  case "$line" in
    [A-Z]*=*) export "${line?}"; echo "  $line" >&2 ;;
  esac
done <"$logs/services.env"

echo "› check (lint + typecheck)" >&2
npm run --silent check

status=0
echo "› vitest on Node (unit + integration)" >&2
npx vitest run --project unit --project integration --reporter=default --reporter=json --outputFile.json="$logs/vitest.json" || status=1

chaos_files=(bad-input broker-network broker-restart chained-eos poison rebalance-storm sasl sigterm-drain store-outage worker-crash zombie)
echo "› chaos suite, short profile (docs/reliability.md): ${chaos_files[*]}" >&2
CHAOS_PROFILE=short npx vitest run --project chaos "${chaos_files[@]/#/chaos/}" \
  --reporter=default --reporter=json --outputFile.json="$logs/chaos.json" || status=1

echo "› core suite on Bun" >&2
npm run --silent test:bun 2>&1 | tee "$logs/bun.log" || status=1

echo "› core suite on Deno" >&2
npm run --silent test:deno 2>&1 | tee "$logs/deno.log" || status=1

node scripts/test-summary.ts "$logs/vitest.json" "$logs/bun.log" "$logs/deno.log" "$logs/chaos.json" || status=1
exit "$status"
