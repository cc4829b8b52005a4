package bnlab.kernel;

/**
 * {@link ConvStrategy#WINOGRAD}: a 3×3 stride-1 convolution by F(2×2, 3×3) ({@link Winograd}), over
 * the batch in chunks.
 *
 * <p>Forward, per group of T tiles: V = Bᵀ d B for every patch, then 16 products M_ξ (K, T) = U_ξ
 * (K, C) · V_ξ (C, T) on {@link VectorGemm}, then y = Aᵀ M A + bias. U = G g Gᵀ is computed once
 * per forward and kept for backward in training; V is made again in backward, group by group (see
 * {@link #chunkScratch}), except for a batch of one image.
 *
 * <p>Backward differentiates the same computation: dM = A dY Aᵀ; dU_ξ = Σ_tiles dM_ξ · V_ξᵀ (the
 * dot-product GEMM over the group's tiles); dW += Gᵀ dU G once per batch; dV_ξ = U_ξᵀ · dM_ξ and dX
 * = B dV Bᵀ added into the overlapping patches. The input gradient is thus the 3×3 convolution of
 * dY with the flipped, transposed weights, run on the transforms forward already made.
 *
 * <p>The batch runs in {@link #chunks} chunks ({@link ChunkedPlan}), each with its own M, dM and dU
 * and its images in groups of about {@link #groupTiles} tiles; the chunks' dU are added in chunk
 * order. One image runs <b>phased</b> instead: each step across the pool in parts of its own (the
 * input and output transforms and dX's by channel ranges, the products by ξ), backward included.
 * The weight transform and U's transpose run on the pool in filter ranges from {@link
 * #SPLIT_FILTERS_MIN} filters. Every element is computed by the same code whichever thread runs its
 * part, so no result depends on the thread count.
 */
final class WinogradPlan extends ChunkedPlan {
  /**
   * Tiles per group, about: enough columns for the GEMM (4 or more column tiles of 16), while a
   * group's V and M (16·(C + K)·tiles floats: 1.3 MB for 80 tiles at 128→128) stay within a 2 MB L2
   * cache between the transforms and the products. With 128, vgg's and resnet20's 8×8 layers ran in
   * groups of 160 tiles (2.6 MB at 128→128), and at batch 128 their forward took 12–25% and their
   * backward 5–9% longer (one thread, AVX2). The group size does not change any result. With a
   * smaller L2, {@link #groupTiles} halves it.
   */
  static final int GROUP_TILES = 64;

  /**
   * {@link #GROUP_TILES} for F(4×4, 3×3), whose tiles carry 36 planes rather than 16: about as many
   * bytes of V and M per group.
   */
  static final int GROUP_TILES_4 = 32;

  /**
   * Tiles a chunk holds at least for F(4×4) (F(2×2): {@link #GROUP_TILES}), fewer chunks being
   * taken below it: each chunk writes and sums a whole dU of 36·K·C floats. With 32, vgg's 32→32
   * layer at batch 10 (720 tiles) ran in 8 chunks and its training forward + backward took 11.5 ms;
   * in 4, 10.3 ms, and the 16×16 layers at batch 10 and 32 3–14% faster (one thread, AVX2). Batches
   * of 128 keep 8 chunks either way.
   */
  static final int CHUNK_TILES_4 = 128;

  /**
   * Tiles a chunk holds at least for F(2×2). It was {@link #GROUP_TILES} (64); with 256, 8×8 layers
   * at batch 32 run in 2 chunks instead of 8 and 16×16 layers at batch 10 in 2 instead of 8. Per
   * layer (one thread, AVX2, training forward + backward) vgg's 8×8 layers at batch 32 took 18.7 →
   * 12.3 and 30.9 → 22.5 ms, resnet20's 64→64 8.1 → 6.7 ms, its 32→32 at batch 10 2.9 → 2.2 ms. End
   * to end (2 threads, 4 alternating launches each): 128 against 64, vgg-bn +8 / +7% and resnet20
   * −2 / +5% at batch 10 / 32; 256 against 128, +3 / +6% and +4 / +2%; at batch 128 (8 chunks
   * either way but for the smallest images) 0 / −1%.
   */
  static final int CHUNK_TILES = 256;

  private static final int U = 1;
  private static final int V = 2;
  private static final int M = 3;
  private static final int DV = 4;
  private static final int DU = 5;
  private static final int DMT = 6;
  private static final int UT = 7;
  private static final int TAPS = 8;
  private static final int ROWS = 9;

  /** Channel ranges of the one image's transforms when phased (each with its own row scratch). */
  private static final int IMAGE_PARTS = 4;

  /** Filter ranges of the weight transform on the pool. */
  private static final int FILTER_PARTS = 4;

  /** Filters (K·C) from which the weight transform and U's transpose run on the pool. */
  static final int SPLIT_FILTERS_MIN = 4096;

  private final Winograd.Tiles t;

  /** Transformed planes: 16 for F(2×2, 3×3), 36 for F(4×4, 3×3). */
  private final int xis;

  private final int kk;
  private final int cc;

  /** Whether the batch (of one image) runs phased rather than chunked. */
  private final boolean phased;

  /** Images per group. */
  private final int group;

  /** Indexed by images in the group: M_ξ = U_ξ · V_ξ, dU_ξᵀ = V_ξ · dM_ξᵀ, dV_ξ = U_ξᵀ · dM_ξ. */
  private final GemmShape[] forward;

  private final GemmShape[] weightGrad;
  private final GemmShape[] inputGradient;

  // This call's scratch.
  private float[] u;
  private float[] ut;
  private float[] taps;
  private float[] v;
  private float[] m;
  private float[] dv;
  private float[] du;
  private float[] dmt;

  /** Per chunk, or per part of a phase: row scratch of the transforms. */
  private final float[][] rows;

  WinogradPlan(
      String kernels,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      ConvPlan previous) {
    this(kernels, g, batch, training, inputGrad, previous, 2);
  }

  /** F(m×m, 3×3) for m = 2 or 4. */
  WinogradPlan(
      String kernels,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      ConvPlan previous,
      int m) {
    this(kernels, g, batch, training, inputGrad, previous, m, groupTiles(g, m, CacheSizes.l2()));
  }

  /**
   * Tiles per group for this machine: {@link #GROUP_TILES} (F(4×4): {@link #GROUP_TILES_4}), halved
   * once where a group's V and M (4·planes·(C + K)·tiles bytes) would fill more than half of the L2
   * cache of {@code l2} bytes. The products then read U and V and write M from L2: on AMD Zen 3
   * (512 KB per core) vgg's 128→128 8×8 layer in groups of 64 tiles (1 MB of V and M) took 4.68 ms
   * forward and 13.35 ms backward at batch 32, in groups of 32 4.36 and 11.96, and at batch 128
   * 18.7 / 50.7 against 16.5 / 44.5 ms (one thread, medians of 20–40 alternating rounds); groups of
   * 16 lost in backward again (a product of one column tile). With a 2 MB L2 the groups stay as
   * they were. Only speed depends on it: a group's sums continue its predecessor's, so the bits do
   * not.
   */
  static int groupTiles(ConvGeometry g, int m, int l2) {
    int tiles = m == 2 ? GROUP_TILES : GROUP_TILES_4;
    int planes = (m + 2) * (m + 2);
    long bytes = 4L * planes * (g.channels() + g.outChannels()) * tiles;
    return 2 * bytes > l2 ? tiles / 2 : tiles;
  }

  /**
   * F(m×m, 3×3) with groups of about {@code groupTiles} tiles (tests: the results do not depend on
   * it).
   */
  WinogradPlan(
      String kernels,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      ConvPlan previous,
      int m,
      int groupTiles) {
    super(kernels, g, batch, training, inputGrad, previous, chunks(g, batch, m));
    t = new Winograd.Tiles(g, m);
    xis = t.xis;
    kk = g.outChannels();
    cc = g.channels();
    phased = batch == 1;
    group = groupSize(t.tilesP, imagesPerChunk(), groupTiles);
    rows = new float[phased ? IMAGE_PARTS : chunks][];
    forward = new GemmShape[group + 1];
    weightGrad = new GemmShape[group + 1];
    inputGradient = new GemmShape[group + 1];
    for (int n = 1; n <= group; n++) {
      int tiles = n * t.tilesP;
      forward[n] = GemmShape.of(false, false, kk, tiles, cc);
      weightGrad[n] = GemmShape.of(false, false, cc, kk, tiles);
      inputGradient[n] = GemmShape.of(false, false, cc, tiles, kk);
    }
  }

  /**
   * Chunks of a batch: 8 (as every chunked plan), halved down to 2 while the chunks would hold
   * fewer than {@link #CHUNK_TILES} tiles each (small images at small batches: 8×8 outputs at batch
   * 10 or 32 run in 2 chunks of 100 or 320 tiles rather than 8 of 20 to 80). Each chunk writes a
   * whole dU (16·K·C) for a sum over its tiles, and its products are as wide as its groups, so
   * chunks of a few tiles cost more than their arithmetic: per layer (one thread, AVX2) the
   * backward of vgg's 128→128 layer at batch 10 took 10.4 ms in 8 chunks, 6.4 ms in 2. A function
   * of the geometry and the batch only, and at least 2 so that two threads share the work.
   */
  static int chunks(ConvGeometry g, int batch) {
    return chunks(g, batch, 2);
  }

  /** {@link #chunks} for F(m×m, 3×3), against its own chunk size. */
  static int chunks(ConvGeometry g, int batch, int m) {
    // Counted with a junk tile per tile row, as before F(2×2) dropped them: the same chunks, so
    // the chunks' dU are summed as before and the weight gradient keeps its bits.
    Winograd.Tiles t = new Winograd.Tiles(g, m);
    long tiles = (long) batch * t.th * t.tp;
    int chunkTiles = m == 2 ? CHUNK_TILES : CHUNK_TILES_4;
    int n = MAX_CHUNKS;
    while (n > 2 && tiles < (long) n * chunkTiles) {
      n /= 2;
    }
    return Math.min(chunksFor(batch), n);
  }

  /**
   * Images per group when chunked: about {@link #GROUP_TILES} tiles, rounded up so that a group's
   * tiles are a multiple of 8 where the chunk allows (a whole 256-bit vector; a column tail of a
   * few lanes, masked, measured up to 2× slower on 8×8 images: 7 × 20 tiles); a function of the
   * geometry and batch only, not of the vector width. Rounding to multiples of 16 (the GEMM's
   * column tile at 256 bits) made 16×16 images (72 tiles) go in pairs, and at batch 128 their
   * backward took 15–22% longer with AVX2 than one image at a time (vgg's 32→64 and 64→64 layers;
   * forward 1–8%), and up to 14% with AVX-512.
   */
  static int groupSize(int tilesPerImage, int imagesPerChunk) {
    return groupSize(tilesPerImage, imagesPerChunk, GROUP_TILES);
  }

  static int groupSize(int tilesPerImage, int imagesPerChunk, int groupTiles) {
    int step = 8 / gcd(tilesPerImage, 8);
    int n = (groupTiles + tilesPerImage - 1) / tilesPerImage;
    n = (n + step - 1) / step * step;
    return Math.max(1, Math.min(imagesPerChunk, n));
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  @Override
  public ConvStrategy strategy() {
    return t.m == 2 ? ConvStrategy.WINOGRAD : ConvStrategy.WINOGRAD4;
  }

  private int groupTiles() {
    return group * t.tilesP;
  }

  // Plane strides (Winograd.planeStride) of V and dV (C rows), M, dM and dMᵀ (K rows).
  private int vPlane(int ld) {
    return Winograd.planeStride(cc, ld);
  }

  private int mPlane(int ld) {
    return Winograd.planeStride(kk, ld);
  }

  @Override
  void beforeForward() {
    chunkScratch();
    transformWeights();
  }

  @Override
  void beforeBackward() {
    chunkScratch();
    // In training U is the forward's: the weight does not change between forward and backward.
    if (!training) {
      transformWeights();
    }
    // dV_ξ = U_ξᵀ · dM_ξ reads U_ξᵀ from a transposed copy: a GEMM whose A rows are contiguous
    // runs faster (see Tile2), and the sums are the same, in the same order.
    if (dx != null) {
      ut = scratch.floats(UT, xis * kk * cc);
      runPhase(TRANSPOSE, xis, splitsFilters());
    }
    du = scratch.floats(DU, chunks * xis * kk * cc);
    dmt = scratch.floats(DMT, chunks * xis * mPlane(groupTiles()));
    dv = dx == null ? null : scratch.floats(DV, chunks * xis * vPlane(groupTiles()));
  }

  private boolean splitsFilters() {
    return kk * cc >= SPLIT_FILTERS_MIN;
  }

  private void transformWeights() {
    runPhase(WEIGHTS, FILTER_PARTS, splitsFilters());
  }

  /**
   * U; V, M (and dM) one group per chunk. Training used to keep every group's V from forward to
   * backward: 16·C floats per tile, 19 MB per batch of 128 at resnet20's 32→32 layer and 71 MB at
   * vgg's 32→32, written once and read back from memory. Transforming the group's images again in
   * backward, into the same cache-sized slot the forward uses, is faster at both ends (one thread,
   * AVX2, batch 128, forward / backward ms: 32→32 @16 9.8 / 18.5 → 8.1 / 17.1, 64→64 @8 8.9 / 17.6
   * → 7.1 / 16.9) and computes the same V, bit for bit.
   */
  private void chunkScratch() {
    u = scratch.floats(U, xis * kk * cc);
    taps = t.m == 2 ? scratch.floats(TAPS, 9 * kk * cc) : null;
    v = scratch.floats(V, chunks * xis * vPlane(groupTiles()));
    // A register of slack: Winograd.outputPlaced loads whole registers up to the last run.
    m = scratch.floats(M, chunks * xis * mPlane(groupTiles()) + VectorWidth.L);
    for (int c = 0; c < rows.length; c++) {
      rows[c] = scratch.floats(ROWS + c, t.rowScratch());
    }
  }

  // The chunk's V slot.
  private int vOffset(int chunk) {
    return chunk * xis * vPlane(groupTiles());
  }

  // ---- phases: the one image of a batch of one, and the weight transform ---------------------

  private static final int WEIGHTS = 0;
  private static final int TRANSPOSE = 1;
  private static final int INPUTS = 2;
  private static final int PRODUCTS = 3;
  private static final int OUTPUTS = 4;
  private static final int OUTPUT_GRADS = 5;
  private static final int GRAD_PRODUCTS = 6;
  private static final int INPUT_GRADS = 7;

  private int phase;
  private int phaseItems;
  private int phaseParts;
  private final Parallel.Body phaseBody = this::runPart;

  @Override
  void forwardAll(long work) {
    if (phased) {
      forwardPhases(phasesOnPool(work));
    } else {
      super.forwardAll(work);
    }
  }

  @Override
  void backwardAll(long work) {
    if (phased) {
      backwardPhases(phasesOnPool(work));
    } else {
      super.backwardAll(work);
    }
  }

  private void forwardPhases(boolean pool) {
    runPhase(INPUTS, batch * IMAGE_PARTS, pool);
    runPhase(PRODUCTS, xis, pool);
    runPhase(OUTPUTS, batch * IMAGE_PARTS, pool);
  }

  private void backwardPhases(boolean pool) {
    // One image's V (in chunk 0's slot) is still there from forward in training.
    if (!training) {
      runPhase(INPUTS, batch * IMAGE_PARTS, pool);
    }
    runPhase(OUTPUT_GRADS, batch, pool);
    runPhase(GRAD_PRODUCTS, dx == null ? xis : 2 * xis, pool);
    if (dx != null) {
      runPhase(INPUT_GRADS, batch * IMAGE_PARTS, pool);
    }
  }

  // A phase's parts are about a quarter of a chunk's work: worth a hand-off from a quarter of the
  // threshold the chunks use.
  private static boolean phasesOnPool(long work) {
    return Parallel.threads() > 1 && work >= VectorGemm.PARALLEL_MIN / 4;
  }

  /**
   * Runs phase {@code p} over {@code items} items, in at most {@link #IMAGE_PARTS} parts of
   * consecutive items where a phase keeps row scratch (the others: one part per item).
   */
  private void runPhase(int p, int items, boolean pool) {
    phase = p;
    phaseItems = items;
    boolean rowScratch = p == INPUTS || p == OUTPUTS || p == OUTPUT_GRADS || p == INPUT_GRADS;
    phaseParts = rowScratch ? Math.min(IMAGE_PARTS, items) : items;
    if (pool) {
      Parallel.forEach(phaseParts, phaseBody);
    } else {
      for (int i = 0; i < phaseParts; i++) {
        runPart(i);
      }
    }
  }

  private void runPart(int part) {
    int i0 = (int) ((long) part * phaseItems / phaseParts);
    int i1 = (int) ((long) (part + 1) * phaseItems / phaseParts);
    for (int i = i0; i < i1; i++) {
      runItem(i, part);
    }
  }

  // Item i of this phase; part is the index of the row scratch it may use.
  private void runItem(int i, int part) {
    int ld = groupTiles();
    // The image of a per-channel item, its tiles' column in V and M, and its part's channels.
    int image = i / IMAGE_PARTS;
    int col = image * t.tilesP;
    int range = i % IMAGE_PARTS;
    int c0 = range * cc / IMAGE_PARTS;
    int c1 = (range + 1) * cc / IMAGE_PARTS;
    int k0 = range * kk / IMAGE_PARTS;
    int k1 = (range + 1) * kk / IMAGE_PARTS;
    switch (phase) {
      case WEIGHTS -> {
        int kc = kk * cc;
        int f0 = i * kc / FILTER_PARTS;
        int f1 = (i + 1) * kc / FILTER_PARTS;
        if (t.m == 2) {
          Winograd.weights(t, w, u, taps, f0, f1);
        } else {
          Winograd4.weights(t, w, u, f0, f1);
        }
      }
      case TRANSPOSE -> VectorArrays.transpose(u, i * kk * cc, kk, cc, ut, i * kk * cc);
      case INPUTS -> input(image * g.inSize(), col, ld, rows[part], c0, c1);
      case PRODUCTS ->
          VectorGemm.product(
              forward[group], u, i * kk * cc, v, i * vPlane(ld), 0f, m, i * mPlane(ld));
      case OUTPUTS -> {
        output(col, ld, image * g.outSize(), rows[part], k0, k1);
        finish(y, image, image + 1, k0, k1);
      }
      case OUTPUT_GRADS -> {
        int gOff = i * g.outSize();
        outputGrads(gOff, i * t.tilesP * kk, i * t.tilesP, ld, rows[part]);
      }
      case GRAD_PRODUCTS -> {
        int xi = i % xis;
        if (i < xis) {
          VectorGemm.product(
              weightGrad[group], v, xi * vPlane(ld), dmt, xi * mPlane(ld), 0f, du, xi * kk * cc);
        } else {
          VectorGemm.product(
              inputGradient[group], ut, xi * kk * cc, m, xi * mPlane(ld), 0f, dv, xi * vPlane(ld));
        }
      }
      default -> inputGrad(col, ld, image * g.inSize(), rows[part], c0, c1);
    }
  }

  // ---- chunked -------------------------------------------------------------------------------

  // x (N,C,H,W), w (K,C,3,3) -> y (N,K,P,Q)
  @Override
  void forwardChunk(int chunk, int t0, int t1) {
    int mOff = chunk * xis * mPlane(groupTiles());
    for (int g0 = t0; g0 < t1; g0 += group) {
      int n = Math.min(group, t1 - g0);
      int ld = n * t.tilesP;
      int vOff = vOffset(chunk);
      transformInputs(g0, n, vOff, ld, rows[chunk]);
      for (int xi = 0; xi < xis; xi++) {
        VectorGemm.product(
            forward[n], u, xi * kk * cc, v, vOff + xi * vPlane(ld), 0f, m, mOff + xi * mPlane(ld));
      }
      for (int i = 0; i < n; i++) {
        output(mOff + i * t.tilesP, ld, (g0 + i) * g.outSize(), rows[chunk], 0, kk);
        finish(y, g0 + i, g0 + i + 1, 0, kk);
      }
    }
  }

  private void transformInputs(int g0, int n, int vOff, int ld, float[] s) {
    for (int i = 0; i < n; i++) {
      input((g0 + i) * g.inSize(), vOff + i * t.tilesP, ld, s, 0, cc);
    }
  }

  // dY (N,K,P,Q) -> dU of this chunk's slot, dX (N,C,H,W)
  @Override
  void backwardChunk(int chunk, int t0, int t1) {
    int mOff = chunk * xis * mPlane(groupTiles());
    int uOff = chunk * xis * kk * cc;
    for (int g0 = t0; g0 < t1; g0 += group) {
      int n = Math.min(group, t1 - g0);
      int ld = n * t.tilesP;
      int vOff = vOffset(chunk);
      transformInputs(g0, n, vOff, ld, rows[chunk]);
      for (int i = 0; i < n; i++) {
        int gOff = (g0 + i) * g.outSize();
        outputGrads(gOff, mOff + i * t.tilesP * kk, mOff + i * t.tilesP, ld, rows[chunk]);
      }
      float beta = g0 == t0 ? 0f : 1f;
      for (int xi = 0; xi < xis; xi++) {
        VectorGemm.product(
            weightGrad[n],
            v,
            vOff + xi * vPlane(ld),
            dmt,
            mOff + xi * mPlane(ld),
            beta,
            du,
            uOff + xi * kk * cc);
      }
      if (dx != null) {
        int dvOff = chunk * xis * vPlane(groupTiles());
        for (int xi = 0; xi < xis; xi++) {
          VectorGemm.product(
              inputGradient[n],
              ut,
              xi * kk * cc,
              m,
              mOff + xi * mPlane(ld),
              0f,
              dv,
              dvOff + xi * vPlane(ld));
        }
        for (int i = 0; i < n; i++) {
          inputGrad(dvOff + i * t.tilesP, ld, (g0 + i) * g.inSize(), rows[chunk], 0, cc);
        }
      }
    }
  }

  // ---- the weight gradient -------------------------------------------------------------------

  /**
   * Work (16·K·C values per chunk, all chunks) from which the chunks' dU are added and transformed
   * in {@link #SUM_PARTS} input-channel parts on the pool: below it, a part is too small to pay for
   * a hand-off.
   */
  static final long SPLIT_SUM_MIN = 1L << 17;

  private static final int SUM_PARTS = 4;
  private final Parallel.Body sumBody = this::sumPart;
  private float[] dwOut;

  @Override
  int partSize() {
    return 0;
  }

  // The chunks keep dU (16 planes) rather than a K·C·3·3 partial each: adding the planes first and
  // transforming once does 1 transform per batch instead of up to 8, and the transform (scalar,
  // strided) cost more than the adds. Each element is still summed in chunk order, and a part
  // covers whole input channels, so no bit depends on the thread count.
  @Override
  void addPartials(float[] dw) {
    dwOut = dw;
    try {
      if ((long) chunks * xis * kk * cc >= SPLIT_SUM_MIN) {
        Parallel.forEach(SUM_PARTS, sumBody);
      } else {
        for (int p = 0; p < SUM_PARTS; p++) {
          sumPart(p);
        }
      }
    } finally {
      dwOut = null;
    }
  }

  // Input channels [c0, c1): dU of every chunk added into chunk 0's in chunk order, then
  // dW += Gᵀ dU G for their filters.
  private void sumPart(int p) {
    int c0 = p * cc / SUM_PARTS;
    int c1 = (p + 1) * cc / SUM_PARTS;
    if (c0 == c1) {
      return;
    }
    int plane = kk * cc;
    for (int xi = 0; xi < xis; xi++) {
      int to = xi * plane + c0 * kk;
      for (int chunk = 1; chunk < chunks; chunk++) {
        VectorArrays.addInto(du, chunk * xis * plane + to, du, to, (c1 - c0) * kk);
      }
    }
    if (t.m == 2) {
      Winograd.addWeightGrad(t, du, 0, dwOut, c0, c1);
    } else {
      Winograd4.addWeightGrad(t, du, 0, dwOut, c0, c1);
    }
  }

  // ---- the transforms of F(2×2) or F(4×4) ----------------------------------------------------

  // Image x at xOff into V at v[vOff + tile], channels [c0, c1).
  private void input(int xOff, int vOff, int ld, float[] s, int c0, int c1) {
    if (t.m == 2) {
      Winograd.input(t, x, xOff, v, vOff, ld, s, c0, c1);
    } else {
      Winograd4.input(t, x, xOff, v, vOff, ld, s, c0, c1);
    }
  }

  // M at m[mOff + tile] into image y at yOff, output channels [k0, k1).
  private void output(int mOff, int ld, int yOff, float[] s, int k0, int k1) {
    if (t.m == 2) {
      Winograd.output(t, m, mOff, ld, bias, y, yOff, s, k0, k1);
    } else {
      Winograd4.output(t, m, mOff, ld, bias, y, yOff, s, k0, k1);
    }
  }

  // dY at gOff into dMᵀ at dmt[tOff + tile·K] and, with an input gradient, dM at m[mOff + tile].
  private void outputGrads(int gOff, int tOff, int mOff, int ld, float[] s) {
    if (t.m == 2) {
      WinogradBackward.outputGradT(t, dy, gOff, dmt, tOff, ld, s);
      if (dx != null) {
        WinogradBackward.outputGrad(t, dy, gOff, m, mOff, ld, s);
      }
    } else {
      Winograd4Backward.outputGradT(t, dy, gOff, dmt, tOff, ld, s);
      if (dx != null) {
        Winograd4Backward.outputGrad(t, dy, gOff, m, mOff, ld, s);
      }
    }
  }

  // dV at dv[vOff + tile] into image dX at xOff, channels [c0, c1).
  private void inputGrad(int vOff, int ld, int xOff, float[] s, int c0, int c1) {
    if (t.m == 2) {
      WinogradBackward.inputGrad(t, dv, vOff, ld, dx, xOff, s, c0, c1);
    } else {
      Winograd4Backward.inputGrad(t, dv, vOff, ld, dx, xOff, s, c0, c1);
    }
  }
}
