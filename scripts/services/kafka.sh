#!/usr/bin/env bash
# Apache Kafka: one KRaft node (broker + controller) on 127.0.0.1:9092, controller on 127.0.0.1:9093, and a
# SASL_PLAINTEXT (PLAIN) listener on 127.0.0.1:9094.
# The broker jars come from Maven Central (via mvn), so no tarball download and no Docker are needed.
# Prints KAFKA_BROKERS=... on stdout when the broker answers metadata requests.
#   kafka.sh libs   only makes sure the jars are there and prints KAFKA_VERSION=... and KAFKA_LIBS=<folder>
#                   (the chaos suite starts private brokers from them).
set -euo pipefail
SERVICE=kafka
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Newest 4.x whose full runtime classpath resolves from Maven Central
# (4.4.0 is listed there, but its kafka-tools-api jar is not published).
KAFKA_VERSION="${ORCHESTRON_KAFKA_VERSION:-4.3.1}"
LOG4J_VERSION=2.25.4 # the log4j-core version kafka-server depends on
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

MODE="${1:-start}"
[[ "$MODE" == start || "$MODE" == libs ]] || die "unknown mode '$MODE' (expected: start, libs)"

HOST=127.0.0.1
PORT=9092
CONTROLLER_PORT=9093
SASL_PORT=9094
SASL_USERNAME=orchestron
SASL_PASSWORD="${ORCHESTRON_KAFKA_SASL_PASSWORD:-orchestron-sasl}"
BROKERS="$HOST:$PORT"
# Seconds a broker we start may take to answer metadata requests (a kept data directory can take minutes to load).
START_TIMEOUT="${ORCHESTRON_KAFKA_START_TIMEOUT:-120}"
[[ "$START_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "ORCHESTRON_KAFKA_START_TIMEOUT must be a whole number of seconds, got '$START_TIMEOUT'"

KAFKA_HOME="$CACHE_DIR/kafka/$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"
DATA_DIR="$CACHE_DIR/kafka/data-$KAFKA_VERSION"
CONFIG="$KAFKA_HOME/server.properties"
LOG4J_CONFIG="$KAFKA_HOME/log4j2.properties"
SERVER_LOG="$LOG_DIR/kafka.log"
CONSOLE_LOG="$LOG_DIR/kafka.out"

if [[ "$MODE" == start && -n "${KAFKA_BROKERS:-}" ]]; then
  log "using KAFKA_BROKERS from the environment"
  echo "KAFKA_BROKERS=$KAFKA_BROKERS"
  exit 0
fi

ensure_dirs

wait_kafka() { # <timeout seconds> [pid]
  run_ts wait-kafka.ts --brokers "$BROKERS" --timeout "$1" --log "$SERVER_LOG" ${2:+--pid "$2"}
}

# Already running (ours or someone else's)?
if [[ "$MODE" == libs ]]; then
  : # only the jars are wanted
elif pid="$(pid_of kafka)"; then
  wait_kafka "$START_TIMEOUT" "$pid" || exit 1
  log "already running (pid $pid)"
  echo "KAFKA_BROKERS=$BROKERS"
  exit 0
fi
if [[ "$MODE" == start ]] && port_open "$HOST" "$PORT"; then
  wait_kafka 10 2>/dev/null || die "port $PORT is in use by something that does not answer as a Kafka broker"
  log "reusing the Kafka broker already listening on $BROKERS"
  echo "KAFKA_BROKERS=$BROKERS"
  exit 0
fi

require_cmd java "install a JDK 17 or newer (Debian: apt-get install openjdk-17-jre-headless)"
java_major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
((${java_major:-0} >= 17)) || die "Kafka $KAFKA_VERSION needs Java 17 or newer, but 'java' is version ${java_major:-unknown}"

# --- jars ------------------------------------------------------------------------------------
resolve_jars() {
  require_cmd mvn "install Apache Maven (Debian: apt-get install maven)"
  log "resolving kafka_2.13 $KAFKA_VERSION from Maven Central (first run only; log: $LOG_DIR/kafka-resolve.log)"
  mkdir -p "$KAFKA_HOME"
  cat >"$KAFKA_HOME/pom.xml" <<EOF
<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>orchestron.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <!-- Kafka logs through slf4j 1.x; this routes it to log4j2 (the broker distribution ships it too). -->
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  rm -rf "$LIBS.tmp"
  if ! mvn -B -f "$KAFKA_HOME/pom.xml" "$DEPENDENCY_PLUGIN:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp" >"$LOG_DIR/kafka-resolve.log" 2>&1; then
    grep -E '^\[ERROR\]' "$LOG_DIR/kafka-resolve.log" | head -n 5 >&2 || true
    die "could not resolve Kafka $KAFKA_VERSION with Maven; see $LOG_DIR/kafka-resolve.log"
  fi
  rm -rf "$LIBS"
  mv "$LIBS.tmp" "$LIBS"
}
[[ -f "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]] || resolve_jars
if [[ "$MODE" == libs ]]; then
  echo "KAFKA_VERSION=$KAFKA_VERSION"
  echo "KAFKA_LIBS=$LIBS"
  exit 0
fi

# The password goes into a JAAS string in double quotes: keep it to characters that need no escaping there.
[[ "$SASL_PASSWORD" =~ ^[A-Za-z0-9._~@%+=:,/-]+$ ]] ||
  die "ORCHESTRON_KAFKA_SASL_PASSWORD may only hold letters, digits and . _ ~ @ % + = : , / -"

# --- configuration (rewritten on every start so that edits here always apply) ------------------
cat >"$CONFIG" <<EOF
# Generated by scripts/services/kafka.sh: single-node KRaft cluster for tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT,SASL_PLAINTEXT://$HOST:$SASL_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,SASL_PLAINTEXT://$HOST:$SASL_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
# SASL/PLAIN for clients that test authentication: one user, $SASL_USERNAME (password from ORCHESTRON_KAFKA_SASL_PASSWORD).
listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USERNAME="$SASL_PASSWORD";
log.dirs=$DATA_DIR
num.partitions=1
auto.create.topics.enable=true
# One node: every internal topic must live with a single replica, or groups/transactions never start.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF

cat >"$LOG4J_CONFIG" <<EOF
# Generated by scripts/services/kafka.sh: broker log in $SERVER_LOG
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $SERVER_LOG
appender.file.filePattern = $SERVER_LOG.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
EOF

JAVA_OPTS=(
  -Xms256m -Xmx1G -XX:+UseG1GC -XX:MaxGCPauseMillis=20
  -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$LOG4J_CONFIG"
  -Dkafka.logs.dir="$LOG_DIR"
  -cp "$LIBS/*"
)

# --- storage -------------------------------------------------------------------------------
# A broker we start holds test data only, so it starts empty: a broker loads every partition it holds, and after a
# run that ended without a clean shutdown (CI, a stopped session) it first recovers each one — 10,190 partitions left by
# earlier runs took 98 s, past the start timeout. The old directory is renamed at once and deleted in the background
# (15 GB take ~20 s). ORCHESTRON_KAFKA_KEEP_DATA=1 keeps topics across restarts.
TRASH_PREFIX="$CACHE_DIR/kafka/deleting-"
if [[ "${ORCHESTRON_KAFKA_KEEP_DATA:-0}" != 1 && -e "$DATA_DIR" ]]; then
  log "starting empty: the previous broker's data goes (ORCHESTRON_KAFKA_KEEP_DATA=1 keeps it)"
  mv "$DATA_DIR" "$TRASH_PREFIX$(date +%s%N)"
fi
if compgen -G "$TRASH_PREFIX*" >/dev/null; then
  # shellcheck disable=SC2016 # $0 is expanded by the inner bash
  detach bash -c 'rm -rf "$0"*' "$TRASH_PREFIX" >/dev/null 2>&1
fi
if [[ ! -f "$DATA_DIR/meta.properties" ]]; then
  cluster_id="$(java "${JAVA_OPTS[@]}" kafka.tools.StorageTool random-uuid 2>>"$CONSOLE_LOG")"
  log "formatting $DATA_DIR (cluster id $cluster_id)"
  java "${JAVA_OPTS[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" \
    >>"$CONSOLE_LOG" 2>&1 || die "formatting the storage failed; see $CONSOLE_LOG"
fi

# --- start -----------------------------------------------------------------------------------
log "starting Kafka $KAFKA_VERSION on $BROKERS (log: $SERVER_LOG)"
detach java "${JAVA_OPTS[@]}" kafka.Kafka "$CONFIG" >>"$CONSOLE_LOG" 2>&1
pid=$!
echo "$pid" >"$RUN_DIR/kafka.pid"

wait_kafka "$START_TIMEOUT" "$pid" || exit 1
log "ready"
echo "KAFKA_BROKERS=$BROKERS"
