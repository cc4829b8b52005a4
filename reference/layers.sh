#!/usr/bin/env bash
# One layer at a time, bnlab against libtorch in one process, timed in turns
# (bnlab.reference.bench.LayerPairedBench; --help lists the options): per convolution or
# BatchNorm shape of the zoo's networks and mode, the median images/s of each side, the median and
# range of the pairs' ratios bnlab / libtorch, and the plan bnlab chose; reference/paired.sh, which
# builds and launches it (and takes `--avx2` first the same way), does this for whole networks.
set -euo pipefail
BNLAB_REFERENCE_MAIN=bnlab.reference.bench.LayerPairedBench \
  exec "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/paired.sh" "$@"
