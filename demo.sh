#!/usr/bin/env bash
# The nifi-cdc demo in one command: builds the NAR (./mvnw -B -DskipTests package, which also stages the NiFi
# artifacts), then runs dev.nificdc.e2e.Demo: a MariaDB source with the binlog on, a replica database and a
# headless Apache NiFi with our NAR running templates/binlog-to-database-replica.json. ./demo.sh --help for options.
# Needs only a JDK 21+; everything else comes from Maven Central once and is cached (~/.m2, ~/.cache/nifi-cdc).
# NIFI_CDC_DEMO_SKIP_BUILD=true reuses the last build; NIFI_CDC_DEMO_MAIN=dev.nificdc.e2e.DemoPictures runs the
# screenshot tool of templates/README.md instead (arguments: templates templates/images; needs chromium).
set -euo pipefail
cd "$(dirname "$0")"

for arg in "$@"; do
    if [ "$arg" = "--help" ] || [ "$arg" = "-h" ]; then
        help=1
    fi
done

source scripts/pick-jdk.sh "the demo"

version=$(sed -n 's:.*<version>\(.*-SNAPSHOT\)</version>.*:\1:p' pom.xml | head -1)
e2e=nifi-cdc-e2e/target
cdc_nar=nifi-cdc-nar/target/nifi-cdc-nar-$version.nar

if [ "${NIFI_CDC_DEMO_SKIP_BUILD:-}" = "true" ] && [ -f "$e2e/demo-classpath.txt" ] && [ -f "$cdc_nar" ]; then
    : # built before; NIFI_CDC_DEMO_SKIP_BUILD=true skips the build
elif [ -n "${help:-}" ] && [ -f "$e2e/demo-classpath.txt" ]; then
    : # --help needs no new build
else
    echo "==> Building the NAR and the demo: ./mvnw -B -q -DskipTests package (the first run downloads from Maven Central for a few minutes)"
    ./mvnw -B -q -DskipTests package
fi

exec "$JAVA_HOME/bin/java" \
    -Dnifi.e2e.artifacts="$PWD/$e2e/nifi-artifacts" \
    -Dnifi.e2e.standard.nar="$PWD/nifi-cdc-e2e/standard-nar-standin/target/nifi-cdc-e2e-standard-nar-2.6.0.nar" \
    -Dnifi.e2e.cdc.nar="$PWD/$cdc_nar" \
    -Dnifi.cdc.demo.template="$PWD/templates/binlog-to-database-replica.json" \
    -Dslf4j.internal.verbosity=ERROR \
    -cp "$PWD/$e2e/classes:$(cat "$e2e/demo-classpath.txt")" \
    "${NIFI_CDC_DEMO_MAIN:-dev.nificdc.e2e.Demo}" "$@"
