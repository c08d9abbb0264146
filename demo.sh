#!/usr/bin/env bash
# The nifi-cdc demo in one command: builds the NAR (./mvnw -B -DskipTests package, which also stages the NiFi
# artifacts), then runs dev.nificdc.e2e.Demo: a MariaDB source with the binlog on, a replica database and a
# headless Apache NiFi with our NAR running templates/binlog-to-database-replica.json. ./demo.sh --source postgres
# does the same from a PostgreSQL source (wal_level=logical) into a PostgreSQL replica with
# templates/postgres-to-database-replica.json. ./demo.sh --help for options.
# Needs only a JDK 21+; everything else comes from Maven Central once and is cached (~/.m2, ~/.cache/nifi-cdc). It tells
# what it does step by step; the build's own output goes to target/demo-build.log.
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
    build_log=target/demo-build.log
    mkdir -p target
    if [ -d "$HOME/.m2/repository/org/apache/nifi/nifi-nar-maven-plugin" ]; then
        echo "==> Building the NAR and the demo with ./mvnw -B -DskipTests package (about a minute; log: $build_log)"
    else
        echo "==> First run: building the NAR and the demo with ./mvnw -B -DskipTests package. This downloads Maven and about"
        echo "    560 MB of libraries, NiFi NARs and MariaDB binaries from Maven Central into ~/.m2 (once; measured 4.5-6"
        echo "    minutes here). Progress below, the full log in $build_log"
    fi
    # Maven's own output is long: show one line per module and the download volume, and the log's end if it fails.
    if ! ./mvnw -B -DskipTests package 2>&1 | tee "$build_log" | awk '
            function report() { if (files > reported) { printf "    ... %d files (%.0f MB) downloaded so far\n", files, bytes / 1048576; reported = files; fflush() } }
            /^\[INFO\] Downloaded from / {
                files++
                if (match($0, /\(([0-9.]+) (B|kB|MB|GB) at/)) {
                    split(substr($0, RSTART + 1, RLENGTH - 4), size, " ")
                    bytes += size[1] * (size[2] == "GB" ? 1073741824 : size[2] == "MB" ? 1048576 : size[2] == "kB" ? 1024 : 1)
                }
                if (files % 200 == 0) report()
            }
            /^\[INFO\] Building .*\[[0-9]+\/[0-9]+\]$/ { report(); printf "    building %s %s\n", $3, $NF; fflush() }
            /^\[INFO\] BUILD SUCCESS/ { report(); print "    build finished"; fflush() }'; then
        echo "ERROR: the build failed. The last lines of $build_log:"
        tail -n 40 "$build_log"
        exit 1
    fi
fi

exec "$JAVA_HOME/bin/java" \
    -Dnifi.e2e.artifacts="$PWD/$e2e/nifi-artifacts" \
    -Dnifi.e2e.standard.nar="$PWD/nifi-cdc-e2e/standard-nar-standin/target/nifi-cdc-e2e-standard-nar-2.6.0.nar" \
    -Dnifi.e2e.cdc.nar="$PWD/$cdc_nar" \
    -Dnifi.cdc.demo.templates="$PWD/templates" \
    -Dslf4j.internal.verbosity=ERROR \
    -cp "$PWD/$e2e/classes:$(cat "$e2e/demo-classpath.txt")" \
    "${NIFI_CDC_DEMO_MAIN:-dev.nificdc.e2e.Demo}" "$@"
