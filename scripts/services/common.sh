# shellcheck shell=bash
# Shared helpers for the local test services. Sourced by the other scripts, never run on its own.
#
# Conventions:
#   - stdout is reserved for the KEY=value lines printed by up.sh; everything else goes to stderr.
#   - every process we start gets a pid file in $RUN_DIR and a log file in $LOG_DIR;
#     down.sh only ever stops processes listed there.

SERVICES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SERVICES_DIR/../.." && pwd)"

CACHE_DIR="${ORCHESTRON_CACHE_DIR:-$HOME/.cache/orchestron}"
LOG_DIR="$CACHE_DIR/logs"
RUN_DIR="$CACHE_DIR/run"
BIN_DIR="$CACHE_DIR/bin"

# Name shown in front of every progress line; each service script sets its own.
SERVICE="${SERVICE:-services}"

log() { printf '[%s] %s\n' "$SERVICE" "$*" >&2; }

die() {
  printf '[%s] error: %s\n' "$SERVICE" "$*" >&2
  exit 1
}

ensure_dirs() { mkdir -p "$CACHE_DIR" "$LOG_DIR" "$RUN_DIR" "$BIN_DIR"; }

# use_given <VAR>: a URL already exported in VAR is used as it is: printed as VAR=value, and the script ends there.
use_given() {
  local name="$1"
  [[ -n "${!name:-}" ]] || return 0
  log "using $name from the environment"
  echo "$name=${!name}"
  exit 0
}

# require_cmd <command> <how to get it>
require_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not installed: $2"
}

# Node 24 from the repo's own toolchain runs the .ts helpers (wait-kafka.ts, wait-mongo.ts).
node_bin() {
  if [[ -x "$REPO_ROOT/node_modules/.bin/node" ]]; then
    printf '%s\n' "$REPO_ROOT/node_modules/.bin/node"
  elif command -v node >/dev/null 2>&1; then
    command -v node
  else
    die "'node' is required but not found: run 'npm install' in the repository first"
  fi
}

run_ts() {
  local node
  node="$(node_bin)" || exit 1
  "$node" "$SERVICES_DIR/$1" "${@:2}"
}

# detach <command...>: runs a server in the background in a session of its own, so that neither a
# closed terminal nor a signal sent to the caller's process group (Ctrl-C, CI timeouts) stops it.
# Output must already be redirected by the caller. The server's pid is in $! afterwards.
detach() {
  if command -v setsid >/dev/null 2>&1; then
    setsid "$@" </dev/null &
  else
    nohup "$@" </dev/null &
  fi
}

# port_open <host> <port>: true when something accepts TCP connections there.
port_open() {
  # shellcheck disable=SC2016 # $0/$1 are expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

# pid_of <name>: prints the pid recorded in $RUN_DIR/<name>.pid if that process is still alive.
pid_of() {
  local file="$RUN_DIR/$1.pid" pid
  [[ -s "$file" ]] || return 1
  pid="$(head -n1 "$file" | tr -dc '0-9')"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

# pid_matches <pid> <word>: the process command line contains <word> (guards against recycled pids).
pid_matches() {
  [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q -- "$2"
}

# stop_pid <name> <command word> [signal]: stops the process recorded in $RUN_DIR/<name>.pid.
stop_pid() {
  local name="$1" word="$2" signal="${3:-TERM}" pid i
  local file="$RUN_DIR/$name.pid"
  if ! pid="$(pid_of "$name")"; then
    rm -f "$file"
    return 0
  fi
  if ! pid_matches "$pid" "$word"; then
    log "$name: pid $pid is no longer a $word process; leaving it alone"
    rm -f "$file"
    return 0
  fi
  log "stopping $name (pid $pid)"
  kill "-$signal" "$pid" 2>/dev/null || true
  for ((i = 0; i < 120; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# wait_for <seconds> <description> <log file> <pid name> <command...>:
# polls the command every 0.25 s until it succeeds; fails early when the process died.
wait_for() {
  local seconds="$1" what="$2" logfile="$3" name="$4" deadline
  shift 4
  deadline=$((SECONDS + seconds))
  until "$@"; do
    if [[ -n "$name" ]] && ! pid_of "$name" >/dev/null; then
      die "$what: the process exited during startup; see $logfile"
    fi
    ((SECONDS < deadline)) || die "$what: not ready after ${seconds} s; see $logfile"
    sleep 0.25
  done
}

# Runs apt-get as root (directly, or through passwordless sudo). Output goes to the given log.
apt_install() {
  local logfile="$LOG_DIR/apt.log" sudo=()
  command -v apt-get >/dev/null 2>&1 ||
    die "'$1' is missing and apt-get is not available: install '$1' with your package manager"
  if ((EUID != 0)); then
    sudo -n true 2>/dev/null || die "'$1' is missing: run 'sudo apt-get install -y $*' once"
    sudo=(sudo -n)
  fi
  log "installing $* with apt-get (log: $logfile)"
  {
    "${sudo[@]}" apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "$@"
  } >>"$logfile" 2>&1 || die "apt-get install $* failed; see $logfile"
}
