# Sourced by .ci/run, demo.sh and bench/run.sh: exports JAVA_HOME (and PATH) for a JDK >= 21, the Java NiFi 2.x needs,
# found in $JAVA_HOME, /usr/lib/jvm, /opt/java or /opt/jdk*; exits with a clear message when there is none.
# $1 names what needs it, for the message (e.g. "the demo").

java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1
}

pick_jdk() {
    local candidate
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
        [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
        if [ "$(java_major "$candidate")" -ge 21 ] 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if ! JAVA_HOME=$(pick_jdk); then
    echo "ERROR: ${1:-nifi-cdc} needs a JDK 21 or newer (NiFi 2.x runs on Java 21+)." >&2
    echo "       None found in \$JAVA_HOME or /usr/lib/jvm. Install one (e.g. Temurin 21) and set JAVA_HOME." >&2
    exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
