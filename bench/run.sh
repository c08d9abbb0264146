#!/usr/bin/env bash
# The nifi-cdc benchmarks in one command (see BENCHMARKS.md): builds everything (./mvnw -B -q -DskipTests package),
# then runs dev.nificdc.bench.BenchMain, which starts its own private MariaDB, PostgreSQL and headless NiFi, writes a
# seeded workload and prints a table plus machine-readable "BENCH ..." lines. bench/run.sh --help for the options.
# Not part of the test run (./mvnw verify only compiles it). NIFI_CDC_BENCH_SKIP_BUILD=true reuses the last build.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/pick-jdk.sh "the benchmarks"

version=$(sed -n 's:.*<version>\(.*-SNAPSHOT\)</version>.*:\1:p' pom.xml | head -1)
bench=nifi-cdc-bench/target
e2e=nifi-cdc-e2e/target

for arg in "$@"; do
    if [ "$arg" = "--help" ] || [ "$arg" = "-h" ]; then
        help=1
    fi
done

if [ "${NIFI_CDC_BENCH_SKIP_BUILD:-}" = "true" ] && [ -f "$bench/bench-classpath.txt" ]; then
    : # built before
elif [ -n "${help:-}" ] && [ -f "$bench/bench-classpath.txt" ]; then
    : # --help needs no new build
else
    echo "==> Building: ./mvnw -B -q -DskipTests package"
    ./mvnw -B -q -DskipTests package
fi

classpath="$PWD/$bench/classes:$(cat "$bench/bench-classpath.txt")"
# The memory benchmark starts child JVMs with this class path and a capped heap. -Xms = -Xmx: the heap does not
# shrink after the System.gc() the throughput benchmark runs between candidates. 32 MB G1 regions: NiFi's mock
# framework keeps each FlowFile's content in byte arrays of several MB, which would be humongous in 2 MB regions.
# NIFI_CDC_BENCH_JAVA_OPTS adds JVM options, e.g. -XX:StartFlightRecording=filename=bench.jfr,settings=profile to profile.
exec "$JAVA_HOME/bin/java" -Xms4g -Xmx4g -XX:G1HeapRegionSize=32m ${NIFI_CDC_BENCH_JAVA_OPTS:-} \
    -Dnifi.e2e.artifacts="$PWD/$e2e/nifi-artifacts" \
    -Dnifi.e2e.standard.nar="$PWD/nifi-cdc-e2e/standard-nar-standin/target/nifi-cdc-e2e-standard-nar-2.6.0.nar" \
    -Dnifi.e2e.cdc.nar="$PWD/nifi-cdc-nar/target/nifi-cdc-nar-$version.nar" \
    -Dnifi.cdc.bench.classpath="$classpath" \
    -Dslf4j.internal.verbosity=ERROR -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Djava.util.logging.config.file="$PWD/bench/logging.properties" \
    -cp "$classpath" dev.nificdc.bench.BenchMain "$@"
