#!/usr/bin/env bash
# A Confluent-compatible schema registry on 127.0.0.1:8081 for the Schema Registry codecs: Apicurio Registry, its
# Confluent API under /apis/ccompat/v6, schemas in memory (an in-process H2 database; nothing is kept across starts).
# Built once from its Maven Central artifacts into the cache. Prints SCHEMA_REGISTRY_URL=... on stdout.
set -euo pipefail
SERVICE=schema-registry
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# The newest Apicurio Registry whose whole runtime resolves from Maven Central: later 2.x releases need Quarkus
# extension artifacts that are not published there, 3.x's parent POM is not there either.
APICURIO_VERSION=2.1.5.Final
QUARKUS_VERSION=2.2.3.Final # the Quarkus that release was built with
# Apicurio depends on the JSON Schema validator from JitPack; the same classes are published on Maven Central under
# this name, and they replace it.
EVERIT_VERSION=1.14.2

HOST=127.0.0.1
PORT=8081
API=/apis/ccompat/v6
URL="http://$HOST:$PORT$API"
HOME_DIR="$CACHE_DIR/schema-registry/$APICURIO_VERSION"
RUNNER="$HOME_DIR/target/orchestron-schema-registry-runner.jar"
LOGFILE="$LOG_DIR/schema-registry.log"

use_given SCHEMA_REGISTRY_URL

ensure_dirs

# True when GET <path>/subjects answers 200 with a JSON array (plain HTTP over a bash TCP socket: no curl needed).
registry_ping() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET %s/subjects HTTP/1.0\r\nHost: %s\r\nAccept: application/json\r\n\r\n" "$2" "$0" >&3
    reply="$(cat <&3)"
    [[ $reply == "HTTP/1."?" 200"* && ${reply#*$'"'"'\r\n\r\n'"'"'} == "["* ]]' "$HOST" "$PORT" "$1" 2>/dev/null
}

if pid="$(pid_of schema-registry)"; then
  wait_for 60 "schema registry" "$LOGFILE" schema-registry registry_ping "$API"
  log "already running (pid $pid)"
  echo "SCHEMA_REGISTRY_URL=$URL"
  exit 0
fi
# A registry someone else started: Apicurio 2 (as in docker-compose.yml) under v6, Apicurio 3 under v7, or one
# serving the Confluent API at the root (Confluent, Karapace, Redpanda).
if port_open "$HOST" "$PORT"; then
  # Up to 60 s: a registry that has just been started (a container) opens its port before it answers.
  for ((attempt = 0; attempt < 60; attempt++)); do
    for path in "$API" /apis/ccompat/v7 ""; do
      if registry_ping "$path"; then
        log "reusing the schema registry on $HOST:$PORT$path"
        echo "SCHEMA_REGISTRY_URL=http://$HOST:$PORT$path"
        exit 0
      fi
    done
    sleep 1
  done
  die "port $PORT is in use by something that does not answer as a schema registry (or export SCHEMA_REGISTRY_URL)"
fi

require_cmd java "install a JDK 17 or newer (Debian: apt-get install openjdk-17-jre-headless)"

# Apicurio Registry is a Quarkus application: its Maven artifacts are the classes, and Quarkus' build step turns them
# into a runnable application. So: a pom that depends on the registry and runs that step, once.
build() {
  require_cmd mvn "install Apache Maven (Debian: apt-get install maven)"
  local buildlog="$LOG_DIR/schema-registry-build.log"
  log "building Apicurio Registry $APICURIO_VERSION from Maven Central (first run only; log: $buildlog)"
  rm -rf "$HOME_DIR"
  mkdir -p "$HOME_DIR/src/main/resources"
  # The registry's own application.properties (in its jar) configures it; this only has Quarkus index its classes.
  cat >"$HOME_DIR/src/main/resources/application.properties" <<EOF
quarkus.index-dependency.apicurio.group-id=io.apicurio
quarkus.index-dependency.apicurio.artifact-id=apicurio-registry-app
EOF
  cat >"$HOME_DIR/pom.xml" <<EOF
<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>orchestron.local</groupId>
  <artifactId>orchestron-schema-registry</artifactId>
  <version>$APICURIO_VERSION</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>io.quarkus</groupId>
        <artifactId>quarkus-bom</artifactId>
        <version>$QUARKUS_VERSION</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>io.apicurio</groupId>
      <artifactId>apicurio-registry-app</artifactId>
      <version>$APICURIO_VERSION</version>
      <exclusions>
        <exclusion>
          <groupId>com.github.everit-org.json-schema</groupId>
          <artifactId>org.everit.json.schema</artifactId>
        </exclusion>
      </exclusions>
    </dependency>
    <dependency>
      <groupId>com.github.erosb</groupId>
      <artifactId>everit-json-schema</artifactId>
      <version>$EVERIT_VERSION</version>
    </dependency>
  </dependencies>
  <build>
    <finalName>orchestron-schema-registry</finalName>
    <plugins>
      <plugin>
        <groupId>io.quarkus</groupId>
        <artifactId>quarkus-maven-plugin</artifactId>
        <version>$QUARKUS_VERSION</version>
        <executions>
          <execution>
            <goals><goal>build</goal></goals>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
EOF
  if ! mvn -B -f "$HOME_DIR/pom.xml" package -DskipTests >"$buildlog" 2>&1; then
    grep -E '^\[ERROR\]' "$buildlog" | head -n 5 >&2 || true
    die "could not build Apicurio Registry $APICURIO_VERSION; see $buildlog"
  fi
  [[ -f "$RUNNER" ]] || die "the build made no $RUNNER; see $buildlog"
}
[[ -f "$RUNNER" ]] || build

log "starting Apicurio Registry $APICURIO_VERSION on $HOST:$PORT (log: $LOGFILE)"
detach env HTTP_PORT="$PORT" QUARKUS_HTTP_HOST="$HOST" java -Xmx512m -jar "$RUNNER" >>"$LOGFILE" 2>&1
echo "$!" >"$RUN_DIR/schema-registry.pid"

wait_for 120 "schema registry" "$LOGFILE" schema-registry registry_ping "$API"
log "ready"
echo "SCHEMA_REGISTRY_URL=$URL"
