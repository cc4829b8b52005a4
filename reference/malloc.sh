# Sourced by reference/bench.sh and reference/paired.sh before libtorch loads.
# libtorch allocates each step's tensors afresh with malloc. With glibc's defaults the large ones
# are mmap'ed and unmapped at each free (and the heap trimmed), and a thread's arena holds no block
# over 64 MB, so every step pays their page faults again and the speed jumps between launches (Net
# training at batch 128 2,600–9,200 img/s, vgg-bn inference at batch 1000 about 320 against
# 1,800–1,900). Large blocks stay in one heap here (one arena, no mmap, no trimming), as a tuned
# deployment gets with jemalloc or tcmalloc; set GLIBC_TUNABLES (even empty) to choose otherwise.
# See reference/README.md, "libtorch's memory".
export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295:glibc.malloc.arena_max=1}"
