package bnlab.kernel;

/**
 * {@link ConvStrategy#WINOGRAD}: a 3×3 stride-1 convolution by F(2×2, 3×3) ({@link Winograd}), in
 * groups of images within each chunk of the batch ({@link ChunkedPlan}).
 *
 * <p>Forward, per group of T tiles: V = Bᵀ d B for every patch, then 16 products M_ξ (K, T) = U_ξ
 * (K, C) · V_ξ (C, T) on {@link VectorGemm}, then y = Aᵀ M A + bias. U = G g Gᵀ is computed once
 * per forward on the calling thread; training keeps U and every group's V for backward.
 *
 * <p>Backward differentiates the same computation: dM = A dY Aᵀ; dU_ξ = Σ_groups dM_ξ · V_ξᵀ (the
 * dot-product GEMM over the group's tiles, groups in order within a chunk); the chunks' dU are
 * added in chunk order and dW += Gᵀ dU G once per batch, not once per chunk; dV_ξ = U_ξᵀ · dM_ξ and
 * dX = B dV Bᵀ added into the overlapping patches. The input gradient is thus the 3×3 convolution
 * of dY with the flipped, transposed weights, run on the transforms forward already made.
 *
 * <p>A group is as many images as give about {@link #GROUP_TILES} tiles (at most a chunk), a
 * function of the geometry and batch only, so results do not depend on the thread count.
 */
final class WinogradPlan extends ChunkedPlan {
  /** Tiles per group: enough columns for the GEMM, M and V of a group still within L2. */
  static final int GROUP_TILES = 128;

  private static final int U = 1;
  private static final int V = 2;
  private static final int M = 3;
  private static final int DV = 4;
  private static final int DU = 5;
  private static final int DMT = 6;
  private static final int UT = 7;
  private static final int TAPS = 8;
  private static final int ROWS = 9;

  private final Winograd.Tiles t;
  private final int kk;
  private final int cc;

  /** Images per group. */
  private final int group;

  /** Indexed by images in the group: M_ξ = U_ξ · V_ξ, dU_ξᵀ = V_ξ · dM_ξᵀ, dV_ξ = U_ξᵀ · dM_ξ. */
  private final GemmShape[] forward;

  private final GemmShape[] weightGrad;
  private final GemmShape[] inputGradient;

  // This call's scratch.
  private float[] u;
  private float[] ut;
  private float[] v;
  private float[] m;
  private float[] dv;
  private float[] du;
  private float[] dmt;

  /** Per chunk: row scratch of the transforms. */
  private final float[][] rows;

  WinogradPlan(
      String kernels,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      ConvPlan previous) {
    super(kernels, g, batch, training, inputGrad, previous);
    t = new Winograd.Tiles(g);
    kk = g.outChannels();
    cc = g.channels();
    group = groupSize(t.tilesP, imagesPerChunk());
    rows = new float[batch == 1 ? IMAGE_PARTS : chunks][];
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
   * Images per group: about {@link #GROUP_TILES} tiles, rounded up so that a group's tiles are a
   * multiple of 16 where the chunk allows (the GEMM's column tiles are 16 or 32 wide; a masked
   * column tail measured up to 2× slower on 8×8 images, 7 × 20 tiles); a function of the geometry
   * and batch only, not of the vector width.
   */
  static int groupSize(int tilesPerImage, int imagesPerChunk) {
    int step = 16 / gcd(tilesPerImage, 16);
    int n = (GROUP_TILES + tilesPerImage - 1) / tilesPerImage;
    n = (n + step - 1) / step * step;
    return Math.max(1, Math.min(imagesPerChunk, n));
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  @Override
  public ConvStrategy strategy() {
    return ConvStrategy.WINOGRAD;
  }

  private int groupTiles() {
    return group * t.tilesP;
  }

  @Override
  void beforeForward() {
    u = scratch.floats(U, 16 * kk * cc);
    Winograd.weights(t, w, u, scratch.floats(TAPS, 9 * kk * cc));
    chunkScratch();
  }

  @Override
  void beforeBackward() {
    // In training U is the forward's: the weight does not change between forward and backward.
    u = scratch.floats(U, 16 * kk * cc);
    if (!training) {
      Winograd.weights(t, w, u, scratch.floats(TAPS, 9 * kk * cc));
    }
    chunkScratch();
    // dV_ξ = U_ξᵀ · dM_ξ reads U_ξᵀ from a transposed copy: a GEMM whose A rows are contiguous
    // runs faster (see Tile2), and the sums are the same, in the same order.
    if (dx != null) {
      ut = scratch.floats(UT, 16 * kk * cc);
      for (int xi = 0; xi < 16; xi++) {
        VectorArrays.transpose(u, xi * kk * cc, kk, cc, ut, xi * kk * cc);
      }
    }
    du = scratch.floats(DU, chunks * 16 * kk * cc);
    dmt = scratch.floats(DMT, chunks * 16 * kk * groupTiles());
    dv = dx == null ? null : scratch.floats(DV, chunks * 16 * cc * groupTiles());
  }

  // V: every image's transforms (training) or one group per chunk; M (and dM) one group per chunk.
  private void chunkScratch() {
    int vSize = 16 * cc * (training ? batch * t.tilesP : chunks * groupTiles());
    v = scratch.floats(V, vSize);
    m = scratch.floats(M, chunks * 16 * kk * groupTiles());
    for (int c = 0; c < rows.length; c++) {
      rows[c] = scratch.floats(ROWS + c, t.rowScratch());
    }
  }

  // Where group (t0, n images) keeps its V: at its first image's place, or the chunk's slot.
  private int vOffset(int chunk, int t0) {
    return training ? 16 * cc * t0 * t.tilesP : chunk * 16 * cc * groupTiles();
  }

  // x (N,C,H,W), w (K,C,3,3) -> y (N,K,P,Q)
  @Override
  void forwardChunk(int chunk, int t0, int t1) {
    if (splitsImage()) {
      forwardOneImage();
      return;
    }
    int mOff = chunk * 16 * kk * groupTiles();
    for (int g0 = t0; g0 < t1; g0 += group) {
      int n = Math.min(group, t1 - g0);
      int ld = n * t.tilesP;
      int vOff = vOffset(chunk, g0);
      transformInputs(g0, n, vOff, ld, rows[chunk]);
      for (int xi = 0; xi < 16; xi++) {
        VectorGemm.product(
            forward[n], u, xi * kk * cc, v, vOff + xi * cc * ld, 0f, m, mOff + xi * kk * ld);
      }
      for (int i = 0; i < n; i++) {
        Winograd.output(
            t, m, mOff + i * t.tilesP, ld, bias, y, (g0 + i) * g.outSize(), rows[chunk]);
      }
    }
  }

  /**
   * Whether a forward of one image splits its own work across the kernel threads: with batch 1
   * there is one chunk, and the other threads would wait. Each of the three phases (input
   * transforms by channel ranges, the 16 products, output transforms by output-channel ranges)
   * computes every element with the same code as the serial path, so the split moves no bit.
   */
  private boolean splitsImage() {
    return batch == 1
        && Parallel.threads() > 1
        && 16L * kk * cc * t.tilesP >= VectorGemm.PARALLEL_MIN / 4;
  }

  private static final int IMAGE_PARTS = 4;
  private static final int INPUTS = 0;
  private static final int PRODUCTS = 1;
  private static final int OUTPUTS = 2;
  private int phase;
  private final Parallel.Body phaseBody = this::runPhase;

  private void forwardOneImage() {
    for (int p = INPUTS; p <= OUTPUTS; p++) {
      phase = p;
      Parallel.forEach(p == PRODUCTS ? 16 : IMAGE_PARTS, phaseBody);
    }
  }

  // Part i of this phase for the batch's one image (group of one, V and M at the chunk's slot).
  private void runPhase(int i) {
    int ld = t.tilesP;
    int vOff = vOffset(0, 0);
    switch (phase) {
      case INPUTS ->
          Winograd.input(
              t, x, 0, v, vOff, ld, rows[i], i * cc / IMAGE_PARTS, (i + 1) * cc / IMAGE_PARTS);
      case PRODUCTS ->
          VectorGemm.product(forward[1], u, i * kk * cc, v, vOff + i * cc * ld, 0f, m, i * kk * ld);
      default ->
          Winograd.output(
              t, m, 0, ld, bias, y, 0, rows[i], i * kk / IMAGE_PARTS, (i + 1) * kk / IMAGE_PARTS);
    }
  }

  private void transformInputs(int g0, int n, int vOff, int ld, float[] s) {
    for (int i = 0; i < n; i++) {
      Winograd.input(t, x, (g0 + i) * g.inSize(), v, vOff + i * t.tilesP, ld, s);
    }
  }

  // dY (N,K,P,Q) -> partial (K,C,3,3), dX (N,C,H,W)
  @Override
  void backwardChunk(int chunk, int t0, int t1) {
    int mOff = chunk * 16 * kk * groupTiles();
    int uOff = chunk * 16 * kk * cc;
    for (int g0 = t0; g0 < t1; g0 += group) {
      int n = Math.min(group, t1 - g0);
      int ld = n * t.tilesP;
      int vOff = vOffset(chunk, g0);
      if (!training) {
        transformInputs(g0, n, vOff, ld, rows[chunk]);
      }
      for (int i = 0; i < n; i++) {
        int gOff = (g0 + i) * g.outSize();
        WinogradBackward.outputGradT(t, dy, gOff, dmt, mOff + i * t.tilesP * kk, ld, rows[chunk]);
        if (dx != null) {
          WinogradBackward.outputGrad(t, dy, gOff, m, mOff + i * t.tilesP, ld, rows[chunk]);
        }
      }
      float beta = g0 == t0 ? 0f : 1f;
      for (int xi = 0; xi < 16; xi++) {
        VectorGemm.product(
            weightGrad[n],
            v,
            vOff + xi * cc * ld,
            dmt,
            mOff + xi * kk * ld,
            beta,
            du,
            uOff + xi * kk * cc);
      }
      if (dx != null) {
        int dvOff = chunk * 16 * cc * groupTiles();
        for (int xi = 0; xi < 16; xi++) {
          VectorGemm.product(
              inputGradient[n],
              ut,
              xi * kk * cc,
              m,
              mOff + xi * kk * ld,
              0f,
              dv,
              dvOff + xi * cc * ld);
        }
        for (int i = 0; i < n; i++) {
          WinogradBackward.inputGrad(
              t, dv, dvOff + i * t.tilesP, ld, dx, (g0 + i) * g.inSize(), rows[chunk]);
        }
      }
    }
  }

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

  // The chunks keep dU (16 planes) rather than a K·C·3·3 partial each: adding the planes first
  // and transforming once does 1 transform per batch instead of up to 8, and the transform (scalar,
  // strided) cost more than the adds. Each element is still summed in chunk order, and a part
  // covers whole input channels, so no bit depends on the thread count.
  @Override
  void addPartials(float[] dw) {
    dwOut = dw;
    try {
      if ((long) chunks * 16 * kk * cc >= SPLIT_SUM_MIN) {
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
    for (int xi = 0; xi < 16; xi++) {
      int to = xi * plane + c0 * kk;
      for (int chunk = 1; chunk < chunks; chunk++) {
        VectorArrays.addInto(du, chunk * 16 * plane + to, du, to, (c1 - c0) * kk);
      }
    }
    Winograd.addWeightGrad(t, du, 0, dwOut, c0, c1);
  }
}
