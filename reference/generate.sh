#!/usr/bin/env bash
# Regenerates bnlab's golden files (core/src/test/resources/golden/*.txt) from PyTorch's own CPU
# kernels: libtorch 2.7.1 through DJL 0.36.0, from Maven Central, offline at run time.
# Only this script needs libtorch; bnlab's build and tests never do.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bin/jdk.sh"
cd "$root"
mvn -B -q -ntp -Preference -pl reference -am package -DskipTests
# DJL extracts the natives of pytorch-native-cpu's jar into its cache; keep that inside target/.
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -Dai.djl.offline=true -DDJL_CACHE_DIR="${DJL_CACHE_DIR:-$root/reference/target/djl-cache}" \
  -cp "reference/target/classes:$(cat reference/target/classpath.txt)" \
  bnlab.reference.GenerateGolden "${1:-core/src/test/resources/golden}"
