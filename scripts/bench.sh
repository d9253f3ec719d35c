#!/usr/bin/env bash
# `npm run bench`: the core suites on Node and Bun, then the store suites on the real servers (brought up first).
set -euo pipefail
cd "$(dirname "$0")/.."
set -a
eval "$(npm run --silent services:up)"
set +a
node bench/run.ts --stores "$@"
bun bench/run.ts --stores "$@"
node bench/report.ts
