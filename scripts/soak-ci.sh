#!/usr/bin/env bash
# CI soaks: 1,000,000 records through real Kafka at-least-once and exactly-once on Node, a shorter run on
# Bun. Each soak exits non-zero on any lost, duplicated or out-of-order record; every summary is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${SOAK_OUT:-soak/out/ci}
messages=${SOAK_MESSAGES:-1000000}
bun_messages=${SOAK_BUN_MESSAGES:-200000}
rm -rf "$out"
mkdir -p "$out"

while IFS= read -r line; do
  case "$line" in
    [A-Z]*=*) export "${line?}" ;;
  esac
done < <(npm run --silent services:up)

status=0
run() {
  local name=$1
  shift
  echo "› soak $name: $*" >&2
  if ! npm run --silent soak -- "$@" --out "$out/$name"; then
    echo "✗ soak $name failed" >&2
    status=1
  fi
  # On GitHub Actions, each soak's gates and figures go into the job's summary page.
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" && -f "$out/$name/summary.md" ]]; then
    cat "$out/$name/summary.md" >> "$GITHUB_STEP_SUMMARY"
  fi
  if [[ -f "$out/$name/summary.json" ]]; then
    node -e '
      const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const pick = ({ runtime, mode, produced, consumed, lost, duplicated, out_of_order, throughput_msgs_per_s, latency_ms, peak_rss_mb, rss_growth_pct, event_loop_delay_p99_ms }) =>
        ({ runtime, mode, produced, consumed, lost, duplicated, out_of_order, throughput_msgs_per_s, latency_ms, peak_rss_mb, rss_growth_pct, event_loop_delay_p99_ms });
      console.log(process.argv[2] + " " + JSON.stringify(pick(s)));
    ' "$out/$name/summary.json" "$name"
  fi
}

run alo-node --messages "$messages" --mode alo --runtime node
run eos-node --messages "$messages" --mode eos --runtime node
run alo-bun --messages "$bun_messages" --mode alo --runtime bun
run eos-bun --messages "$bun_messages" --mode eos --runtime bun
exit "$status"
