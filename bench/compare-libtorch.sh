#!/usr/bin/env bash
# bnlab and libtorch side by side, in one sitting: runs `bnlab bench --json` and libtorch's twin
# benchmark (reference/bench.sh: the same models, data, loop, runs and JSON keys on libtorch 2.7.1
# through DJL) alternately, A B A B ..., and prints one table: model, mode, batch, each side's
# median over the rounds of each launch's median images/s (with the range of those medians) and
# the ratio bnlab/libtorch, under a header naming the CPU, vector widths, JDK, libtorch and ISA.
#
# Usage: bench/compare-libtorch.sh [--avx2] [--rounds N] [--out DIR] [bench options...]
#   --avx2       emulate an AVX2 machine on an AVX-512 one: -XX:UseAVX=2 for bnlab (256-bit
#                vectors, 16 registers); DNNL_MAX_CPU_ISA=AVX2, ATEN_CPU_CAPABILITY=avx2,
#                MKL_ENABLE_INSTRUCTIONS=AVX2 for libtorch (checked: see isa.txt in DIR)
#   --rounds N   launches of each benchmark (default 5)
#   --out DIR    where the JSON of every launch goes (default runs/compare-libtorch-<time>)
#   bench options, passed to both: --models (default net,net-bn,vgg,vgg-bn,resnet20; a model
#   bnlab's zoo lacks gets the libtorch column only), --batch-sizes (10,32,128), --infer-batches
#   (256,1000), --threads (2), --warmup, --runs, --run-seconds, --quick, --seed
# The environment passes through: e.g. OMP_WAIT_POLICY=PASSIVE stops libtorch's OpenMP threads
# from spinning, which matters when other processes share the cores (the header shows it).
# A long job: about 4 min per round with the defaults on 2 cores. Run it on a quiet machine.
# On a host whose speed changes from minute to minute, reference/paired.sh times both sides in one
# process, run by run in turns, and prints the spread of the pairs' ratios (README, "Paired in one
# process").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
avx2=0 rounds=5 out="runs/compare-libtorch-$(date +%Y%m%d-%H%M%S)"
models="net,net-bn,vgg,vgg-bn,resnet20" threads=2
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --avx2) avx2=1 ;;
    --rounds) rounds=$2; shift ;;
    --out) out=$2; shift ;;
    --models) models=$2; shift ;;
    --threads) threads=$2; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) args+=("$1") ;;
  esac
  shift
done
case "$rounds" in ''|*[!0-9]*|0) echo "compare-libtorch: --rounds must be a positive integer" >&2; exit 2 ;; esac
mkdir -p "$out"

echo "compare-libtorch: building bnlab and the reference module ..." >&2
bin/bnlab models > "$out/bnlab-models.txt" 2>/dev/null
reference/bench.sh --help > /dev/null 2>&1 ||
  { echo "compare-libtorch: cannot build/run reference/bench.sh (mvn -Preference -pl reference -am package)" >&2; exit 1; }
known=$(awk '{print $1}' "$out/bnlab-models.txt")
bnlab_models=""
for m in ${models//,/ }; do
  if grep -qx -- "$m" <<<"$known"; then
    bnlab_models+="${bnlab_models:+,}$m"
  else
    echo "compare-libtorch: '$m' is not in bnlab's zoo (bin/bnlab models): libtorch column only" >&2
  fi
done

torch_isa=() java_opts="${BNLAB_JAVA_OPTS:-}"
if [ "$avx2" = 1 ]; then
  torch_isa=(--avx2)
  java_opts="$java_opts -XX:UseAVX=2"
fi
export BNLAB_REFERENCE_BUILT=1

# What libtorch really runs: oneDNN's ISA and convolution implementations, MKL's code path.
DNNL_VERBOSE=1 MKL_VERBOSE=1 reference/bench.sh "${torch_isa[@]}" --models "$models" \
  --batch-sizes 4 --infer-batches 4 --steps 1 --warmup 0 --runs 1 --threads "$threads" \
  > "$out/isa-verbose.txt" 2>&1 || true
{
  grep -m1 'onednn_verbose.*cpu,isa:' "$out/isa-verbose.txt" | sed 's/.*cpu,isa:/oneDNN ISA: /' || true
  echo "oneDNN convolutions: $(grep 'exec,cpu,convolution' "$out/isa-verbose.txt" |
    awk -F, '{print $7}' | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}')"
  grep -m1 'MKL_VERBOSE oneMKL' "$out/isa-verbose.txt" | sed 's/.*architecture /MKL: /; s/, Lnx.*//' || true
} > "$out/isa.txt"
rm -f "$out/isa-verbose.txt"

for i in $(seq 1 "$rounds"); do
  echo "compare-libtorch: round $i of $rounds: bnlab ..." >&2
  if [ -n "$bnlab_models" ]; then
    BNLAB_JAVA_OPTS="$java_opts" bin/bnlab bench --json --no-bn-share --models "$bnlab_models" \
      --threads "$threads" "${args[@]}" 2>/dev/null > "$out/bnlab-$i.json"
  fi
  echo "compare-libtorch: round $i of $rounds: libtorch ..." >&2
  reference/bench.sh "${torch_isa[@]}" --json --models "$models" --threads "$threads" "${args[@]}" \
    2>/dev/null > "$out/libtorch-$i.json"
done
python3 bench/compare_table.py "$out" | tee "$out/table.txt"
