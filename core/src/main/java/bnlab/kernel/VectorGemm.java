package bnlab.kernel;

import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked single-precision GEMM on the Vector API: C = beta·C + Σ_t op(A_t)·op(B_t) for a
 * {@link GemmShape}. beta = 0 overwrites C without reading it (BLAS semantics, so NaN in an unused
 * buffer does not leak).
 *
 * <p>Two micro-kernel families, chosen by where op(B)'s rows are contiguous: {@link BroadcastGemm}
 * when B is not transposed (C rows from broadcast A elements times B row vectors, k in blocks of
 * {@link #KC}), on packed panels ({@link PackedGemm}) where that pays ({@link #packs}), {@link
 * DotGemm} when B is transposed and A not (dot products of contiguous rows). Both transposed is
 * rare and done by a scalar loop.
 *
 * <p>Products of at least {@link #PARALLEL_MIN} multiply-adds are split into {@link #CHUNKS} fixed
 * blocks of rows (or columns) on the {@link Parallel} pool. Every C element is computed by the same
 * sequence of operations whatever block it falls in and whichever thread computes it, so results
 * are bit-identical for any thread count.
 */
final class VectorGemm implements GemmKernels {
  static final VectorSpecies<Float> S = VectorWidth.S;
  static final int L = VectorWidth.L;

  /** k is processed in blocks so a B panel of KC × 3 vectors stays in L1 for large products. */
  static final int KC = 256;

  /** Below this many multiply-adds a hand-off to the pool costs more than it saves. */
  static final long PARALLEL_MIN = 1L << 18;

  /** Blocks of a parallel product; fixed so that results are the same for any thread count. */
  private static final int CHUNKS = 8;

  private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[8 * L]);

  private final ThreadLocal<Job> jobs = ThreadLocal.withInitial(Job::new);

  @Override
  public void gemm(
      GemmShape s, float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
    if (s.work() < PARALLEL_MIN || Parallel.threads() == 1) {
      product(s, a, aOff, b, bOff, beta, c, cOff);
      return;
    }
    Job job = jobs.get();
    job.set(s, a, aOff, b, bOff, beta, c, cOff);
    try {
      Parallel.forEach(CHUNKS, job);
    } finally {
      job.clear();
    }
  }

  /** The whole product on the calling thread (what the convolution plans call per chunk). */
  static void product(
      GemmShape s, float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
    block(s, a, aOff, b, bOff, beta, c, cOff, 0, s.m(), 0, s.n());
  }

  /**
   * C block rows [i0, i1) × columns [j0, j1) of the product. The sum over the batch is taken in
   * order inside each element's accumulation, so it is independent of how C is split.
   */
  static void block(
      GemmShape s,
      float[] a,
      int aOff,
      float[] b,
      int bOff,
      float beta,
      float[] c,
      int cOff,
      int i0,
      int i1,
      int j0,
      int j1) {
    if (i0 >= i1 || j0 >= j1) {
      return;
    }
    if (s.k() == 0) {
      scale(c, cOff, s.ldc(), i0, i1, j0, j1, beta);
    } else if (packs(s)) {
      PackedGemm.block(s, a, aOff, b, bOff, beta, c, cOff, i0, i1, j0, j1);
    } else if (!s.transB()) {
      int ars = s.transA() ? 1 : s.lda();
      int acs = s.transA() ? s.lda() : 1;
      int k = s.k();
      for (int t = 0; t < s.batch(); t++) {
        for (int p0 = 0; p0 < k; p0 += KC) {
          BroadcastGemm.panel(
              Math.min(KC, k - p0),
              a,
              aOff + t * s.aStride() + p0 * acs,
              ars,
              acs,
              b,
              bOff + t * s.bStride() + p0 * s.ldb(),
              s.ldb(),
              p0 == 0 && t == 0 ? beta : 1f,
              c,
              cOff,
              s.ldc(),
              i0,
              i1,
              j0,
              j1);
        }
      }
    } else if (!s.transA()) {
      DotGemm.dots(s, a, aOff, b, bOff, beta, c, cOff, i0, i1, j0, j1);
    } else {
      bothTransposed(s, a, aOff, b, bOff, beta, c, cOff, i0, i1, j0, j1);
    }
  }

  /** {@code -Dbnlab.gemmPacking=auto|on|off}: when the broadcast GEMM packs its operands. */
  private static final String PACKING = System.getProperty("bnlab.gemmPacking", "auto");

  /**
   * Whether a product with B not transposed runs on packed panels ({@link PackedGemm}). Copying a B
   * element costs about as much as a quarter of the multiply-adds it takes part in with 64 rows
   * (measured), so packing pays where the unpacked kernel is slowed by B's layout, not its size:
   * when B's rows are 8 KB or more apart (an unpacked tile then touches a page per k: im2col
   * matrices of many images side by side), or when both sides are large (512³: the packed A panel
   * also streams better than 8 rows of A). Decided on the whole product, so every block of a split
   * takes the same path. Measured on the vgg / ResNet-20 GEMM shapes and 512³, one thread (Xeon
   * family 6 model 207, JDK 25): the per-image convolution shapes (N up to 1024) are 10-35% slower
   * packed with 512-bit and 256-bit vectors, the wide ones 7-86% faster, 512³ 15-20% faster.
   */
  static boolean packs(GemmShape s) {
    return switch (PACKING) {
      case "on" -> !s.transB();
      case "off" -> false;
      default ->
          !s.transB()
              && s.m() >= VectorWidth.TILE_ROWS
              && s.n() >= 4 * VectorWidth.TILE_COLS
              && (s.k() >= 32 && (s.ldb() >= 2048 || s.m() >= 256 && s.n() >= 256)
                  || fourKbRows(s.ldb()) && (s.k() < 32 || VectorWidth.L <= 4));
    };
  }

  /**
   * Whether B's rows lie a multiple of 4 KB apart (and at least that): then every row of a column
   * tile's B panel falls in the same L1 set, the panel cannot stay in L1 across the row tiles, and
   * loads and stores 4 KB apart alias. In a harness of the 6×2 tile alone (AMD Zen 3, AVX2, one
   * thread) the same product ran 1.3–1.5× faster with B's rows 1,040 floats apart than 1,024 (kc 27
   * and 144); packed, the panel is contiguous. The per-image im2col GEMMs of 32×32 outputs have
   * such rows (vgg's first layer: 32×1024×27, also below k = 32). Packed against not, one thread,
   * paired 50 ms slices: 32×1024×27 1.23× (1.17× at 128 bits), 16×1024×144 1.10× (0.96×),
   * 64×1024×27 1.06× (1.12×), 16×1024×27 1.01× (1.10×), 32×1024×288 0.99–1.13× (1.05×).
   *
   * <p>Where k is 32 or more, {@link #packs} takes this only at 128 bits. On AMD Zen 5 (one thread,
   * {@code SgemmTable}, GFLOP/s packed / unpacked) the copy costs more than the aliasing there: at
   * 512 bits 16×1024×144 56 / 145, 32×1024×288 74–83 / 107–135, 16×1024×64 52 / 112, 64×1024×144
   * 100 / 112; at 256 bits 32×1024×288 45 / 73, 16×1024×64 29 / 77, 16×1024×144 75 / 79; at 128
   * bits the packed path stays ahead (38 / 35, 42 / 33). Below k = 32 packing still pays:
   * 32×1024×27 132 / 119 at 512 bits, 62 / 62 at 256.
   */
  private static boolean fourKbRows(int ldb) {
    return ldb >= 1024 && ldb % 1024 == 0;
  }

  // Rare: a scalar loop keeps the code small.
  private static void bothTransposed(
      GemmShape s,
      float[] a,
      int aOff,
      float[] b,
      int bOff,
      float beta,
      float[] c,
      int cOff,
      int i0,
      int i1,
      int j0,
      int j1) {
    for (int i = i0; i < i1; i++) {
      for (int j = j0; j < j1; j++) {
        float sum = 0f;
        for (int t = 0; t < s.batch(); t++) {
          int at = aOff + t * s.aStride();
          int bt = bOff + t * s.bStride();
          for (int p = 0; p < s.k(); p++) {
            sum = Math.fma(a[at + p * s.lda() + i], b[bt + j * s.ldb() + p], sum);
          }
        }
        int ci = cOff + i * s.ldc() + j;
        c[ci] = beta == 0f ? sum : sum + beta * c[ci];
      }
    }
  }

  private static void scale(
      float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1, float beta) {
    for (int i = i0; i < i1; i++) {
      for (int j = j0; j < j1; j++) {
        int ci = cOff + i * ldc + j;
        c[ci] = beta == 0f ? 0f : beta * c[ci];
      }
    }
  }

  /** This thread's scratch for lane sums (8 vectors). */
  static float[] lanes() {
    return LANES.get();
  }

  /**
   * Sum of t[off, off+L) in a fixed pairwise tree (halves, then quarters, ...): a vector is stored
   * here and summed in scalars because a vector passed to a method the JIT does not inline is
   * boxed.
   */
  static float sumLanes(float[] t, int off) {
    for (int h = L / 2; h >= 1; h /= 2) {
      for (int i = 0; i < h; i++) {
        t[off + i] += t[off + i + h];
      }
    }
    return t[off];
  }

  /**
   * Rows of the grid of {@link #CHUNKS} blocks a packed product is split into: each block packs its
   * own rows of A and columns of B, so the grid with the fewest rows + columns per block.
   */
  static int gridRows(int m, int n) {
    int best = 1;
    for (int r = 2; r <= CHUNKS; r *= 2) {
      if ((double) m / r + (double) n * r / CHUNKS
          < (double) m / best + (double) n * best / CHUNKS) {
        best = r;
      }
    }
    return best;
  }

  private static int ceilTo(int x, int unit) {
    return (x + unit - 1) / unit * unit;
  }

  /** One parallel product's arguments, reused per calling thread so it allocates nothing. */
  private static final class Job implements Parallel.Body {
    private GemmShape s;
    private float[] a;
    private int aOff;
    private float[] b;
    private int bOff;
    private float beta;
    private float[] c;
    private int cOff;

    void set(
        GemmShape s, float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
      this.s = s;
      this.a = a;
      this.aOff = aOff;
      this.b = b;
      this.bOff = bOff;
      this.beta = beta;
      this.c = c;
      this.cOff = cOff;
    }

    void clear() {
      s = null;
      a = b = c = null;
    }

    // Packed: a grid of blocks. Unpacked: rows when there are enough for every chunk to get a
    // 4-row block, else columns.
    @Override
    public void run(int chunk) {
      int m = s.m();
      int n = s.n();
      if (packs(s)) {
        int rows = gridRows(m, n);
        int cols = CHUNKS / rows;
        int rStep = ceilTo((m + rows - 1) / rows, VectorWidth.TILE_ROWS);
        int cStep = ceilTo((n + cols - 1) / cols, VectorWidth.TILE_COLS);
        int i0 = Math.min(m, chunk / cols * rStep);
        int j0 = Math.min(n, chunk % cols * cStep);
        block(
            s,
            a,
            aOff,
            b,
            bOff,
            beta,
            c,
            cOff,
            i0,
            Math.min(m, i0 + rStep),
            j0,
            Math.min(n, j0 + cStep));
      } else if (m >= 4 * CHUNKS) {
        int step = (m + CHUNKS - 1) / CHUNKS + 3 & ~3;
        int i0 = Math.min(m, chunk * step);
        block(s, a, aOff, b, bOff, beta, c, cOff, i0, Math.min(m, i0 + step), 0, n);
      } else {
        int step = ((n + CHUNKS - 1) / CHUNKS + L - 1) / L * L;
        int j0 = Math.min(n, chunk * step);
        block(s, a, aOff, b, bOff, beta, c, cOff, 0, m, j0, Math.min(n, j0 + step));
      }
    }
  }
}
