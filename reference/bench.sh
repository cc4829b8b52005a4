#!/usr/bin/env bash
# libtorch's side of `bnlab bench`: the same models, data, loop and JSON keys on libtorch 2.7.1
# through DJL 0.36.0 (offline at run time). Arguments go to bnlab.reference.bench.TorchBench
# (--help lists them). `--avx2` first limits libtorch to AVX2 as on a machine without AVX-512:
# oneDNN (DNNL_MAX_CPU_ISA), ATen's own kernels (ATEN_CPU_CAPABILITY) and MKL's GEMM
# (MKL_ENABLE_INSTRUCTIONS); they must be set before libtorch loads, which is why this script
# sets them. Set BNLAB_REFERENCE_BUILT=1 to skip the (quick) Maven build, e.g. in a loop.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bin/jdk.sh"
cd "$root"
if [ "${1:-}" = "--avx2" ]; then
  shift
  export DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2
fi
. "$root/reference/malloc.sh"
cp_file="$root/reference/target/classpath.txt"
if [ "${BNLAB_REFERENCE_BUILT:-0}" != 1 ] || [ ! -f "$cp_file" ]; then
  mvn -B -q -ntp -Preference -pl reference -am package -DskipTests -Dspotless.check.skip=true >&2
fi
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC \
  -Dai.djl.offline=true -DDJL_CACHE_DIR="${DJL_CACHE_DIR:-$root/reference/target/djl-cache}" \
  -cp "reference/target/classes:$(cat "$cp_file")" \
  bnlab.reference.bench.TorchBench "$@"
