#!/usr/bin/env bash
# bnlab and libtorch side by side in one process, timed run by run in turns
# (bnlab.reference.bench.PairedBench; --help lists the options): per model, mode and batch, the
# median images/s of each side and the median and range of the pairs' ratios bnlab / libtorch.
# A pair's two runs lie within a second or two, so a machine whose speed changes from minute to
# minute (a shared host) moves both alike. `--avx2` first: libtorch limited to AVX2 as in
# reference/bench.sh, and bnlab on 256-bit vectors (-XX:UseAVX=2). BNLAB_JAVA_OPTS passes JVM
# options (e.g. -Dbnlab.vectorBits=128). Set BNLAB_REFERENCE_BUILT=1 to skip the Maven build.
# reference/layers.sh runs LayerPairedBench through this script (BNLAB_REFERENCE_MAIN).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bin/jdk.sh"
cd "$root"
flags=()
if [ "${1:-}" = "--avx2" ]; then
  shift
  export DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2
  flags+=(-XX:UseAVX=2)
fi
. "$root/reference/malloc.sh"
cp_file="$root/reference/target/classpath.txt"
if [ "${BNLAB_REFERENCE_BUILT:-0}" != 1 ] || [ ! -f "$cp_file" ]; then
  mvn -B -q -ntp -Preference -pl reference -am package -DskipTests -Dspotless.check.skip=true \
    -Dmaven.javadoc.skip=true >&2
fi
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -XX:+UseSerialGC "${flags[@]}" ${BNLAB_JAVA_OPTS:-} \
  -Dai.djl.offline=true -DDJL_CACHE_DIR="${DJL_CACHE_DIR:-$root/reference/target/djl-cache}" \
  -cp "reference/target/classes:$(cat "$cp_file")" \
  "${BNLAB_REFERENCE_MAIN:-bnlab.reference.bench.PairedBench}" "$@"
