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
# libtorch allocates each step's tensors afresh with malloc. With glibc's defaults the large ones
# are mmap'ed and unmapped at each free (and the heap trimmed), and a thread's arena holds no block
# over 64 MB, so every step pays their page faults again and the speed jumps between launches (Net
# training at batch 128 2,600–9,200 img/s, vgg-bn inference at batch 1000 about 320 against
# 1,800–1,900). Large blocks stay in one heap here (one arena, no mmap, no trimming), as a tuned
# deployment gets with jemalloc or tcmalloc; set GLIBC_TUNABLES (even empty) to choose otherwise.
# See reference/README.md, "libtorch's memory".
export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295:glibc.malloc.arena_max=1}"
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
