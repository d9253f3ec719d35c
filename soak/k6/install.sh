#!/usr/bin/env bash
# Builds k6 once from its Go module into the Orchestron cache and prints the binary's path on stdout (progress goes
# to stderr). Usage: K6="$(bash soak/k6/install.sh)" && "$K6" run soak/k6/webhook-hub.js
set -euo pipefail

K6_VERSION=v1.8.1
MODULE=go.k6.io/k6

CACHE_DIR="${ORCHESTRON_CACHE_DIR:-$HOME/.cache/orchestron}"
BIN_DIR="$CACHE_DIR/bin"
LOG_DIR="$CACHE_DIR/logs"
BIN="$BIN_DIR/k6-$K6_VERSION"
BUILD_LOG="$LOG_DIR/k6-build.log"

log() { printf '[k6] %s\n' "$*" >&2; }
die() {
  printf '[k6] error: %s\n' "$*" >&2
  exit 1
}

if [[ -x "$BIN" ]] && "$BIN" version 2>/dev/null | grep -q "${K6_VERSION#v}"; then
  printf '%s\n' "$BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "'go' is required to build k6: install Go 1.25 or newer from the Go project's downloads"
mkdir -p "$BIN_DIR" "$LOG_DIR"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

log "building k6 $K6_VERSION from its Go module (first run only, takes a few minutes; log: $BUILD_LOG)"
# GOBIN into a scratch directory, then one rename: an interrupted build never leaves a half-written binary behind.
if ! GOWORK=off GOBIN="$work" go install -trimpath "$MODULE@$K6_VERSION" >>"$BUILD_LOG" 2>&1; then
  tail -n 5 "$BUILD_LOG" >&2 || true
  die "building k6 failed; see $BUILD_LOG"
fi
mv "$work/k6" "$BIN"
log "built $("$BIN" version 2>/dev/null | head -n1)"
printf '%s\n' "$BIN"
