package bnlab.kernel;

/**
 * {@link ConvStrategy#IM2COL_GEMM} on the Vector API: {@link VectorIm2col} and the register-blocked
 * {@link VectorGemm}, image by image within each chunk of the batch ({@link ChunkedPlan}).
 *
 * <p>Training keeps every image's im2col matrix, and the weight gradient of a chunk is then one
 * batched product, Σ_t dY_t·col_tᵀ, summed inside each element's accumulators. Inference unfolds
 * one image at a time into a per-chunk buffer small enough to stay in cache, and backward (if
 * called) unfolds again from x.
 *
 * <p>When the sum over a chunk's output positions is short and K fills a good part of a vector, the
 * weight gradient is computed transposed instead (see {@link #packedWeightGrad}).
 */
final class Im2colGemmPlan extends ChunkedPlan {
  private static final int COL = 1;
  private static final int CHUNK_COL = 2;
  private static final int DCOL = 3;
  private static final int DYT = 4;
  private static final int WT = 5;

  private final int crs;
  private final int pq;
  private final int kk;

  /** Whether the weight gradient is computed transposed, see {@link #packedWeightGrad}. */
  private final boolean packed;

  /** This call's scratch: the kept im2col matrices (training) or one per chunk, dCol, dYᵀ. */
  private float[] col;

  private float[] dCol;
  private float[] dyT;
  private float[] wT;

  /** y_t (K, P·Q) = W (K, C·R·S) · col_t (C·R·S, P·Q). */
  private final GemmShape forward;

  /** Per chunk: its partial (K, C·R·S) = Σ_t dY_t · col_tᵀ over the chunk's kept matrices. */
  private final GemmShape[] chunkWeightGrad;

  /** One image's dY_t · col_tᵀ, when the matrices are not kept. */
  private final GemmShape imageWeightGrad;

  /** Packed: dW_tᵀ (C·R·S, K) = col_t · dY_tᵀ, with dY_tᵀ (P·Q, K) copied out first. */
  private final GemmShape packedWeightGrad;

  /** dCol_t (C·R·S, P·Q) = Wᵀ · dY_t. */
  private final GemmShape inputGradient;

  Im2colGemmPlan(
      String kernels,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      ConvPlan previous) {
    super(kernels, g, batch, training, inputGrad, previous, chunksFor(batch));
    crs = g.crs();
    pq = g.pq();
    kk = g.outChannels();
    packed = packedWeightGrad(g);
    forward = GemmShape.of(false, false, kk, pq, crs);
    imageWeightGrad = GemmShape.of(false, true, kk, crs, pq);
    chunkWeightGrad = new GemmShape[chunks];
    for (int c = 0; c < chunks; c++) {
      int images = (int) ((long) (c + 1) * batch / chunks - (long) c * batch / chunks);
      chunkWeightGrad[c] = imageWeightGrad.batched(images, kk * pq, crs * pq);
    }
    packedWeightGrad = GemmShape.of(false, false, crs, kk, pq);
    inputGradient = GemmShape.of(false, false, crs, pq, kk);
  }

  /**
   * Whether the weight gradient is computed transposed, image by image, as col·dYᵀ with dYᵀ packed:
   * where K fills a good part of a vector and an image has at most 16·{@link Reduction#P} output
   * positions, however many images a chunk sums. The NT form sums a chunk's images inside one dot
   * product per element, which costs more than the products when that sum is short (conv2 at batch
   * 10: 16×150×100 NT 57 µs, the packed NN form 14 µs); when it is long each pair of dY rows sweeps
   * the chunk's whole kept im2col matrices, which leave L2 at batch 128 (16 images of resnet20's
   * 32→64 stride-2 layer: 1.2 MB), while the NN form reads one image's at a time. At batch 128 (one
   * thread, AVX2, the build before against this one, three alternating launches each) the training
   * step of resnet20's 32→64 stride-2 layer ran 1.96–2.07× faster so, its 16→32 one 1.69×, 0.91×
   * and 1.49×; vgg's first layer (1,024 positions, whose dY would be transposed image by image)
   * 1.18×, 0.83× and 0.89×, so it keeps the NT form.
   */
  static boolean packedWeightGrad(ConvGeometry g) {
    // In units of Reduction.P (the 512-bit lane count), not of this machine's vector width: the two
    // forms sum in different orders, so the choice must not depend on the width.
    return 2 * g.outChannels() >= Reduction.P && g.pq() <= 16 * Reduction.P;
  }

  @Override
  public ConvStrategy strategy() {
    return ConvStrategy.IM2COL_GEMM;
  }

  @Override
  String details() {
    return packed ? ", weight gradient transposed" : "";
  }

  @Override
  void beforeForward() {
    // Training keeps col_t at t·C·R·S·P·Q; inference has one matrix per chunk.
    col = scratch.floats(training ? COL : CHUNK_COL, (training ? batch : chunks) * crs * pq);
  }

  @Override
  void beforeBackward() {
    beforeForward();
    dCol = dx == null ? null : scratch.floats(DCOL, chunks * crs * pq);
    if (dx != null) {
      // dCol = Wᵀ · dY from a transposed copy of W: a GEMM whose A rows are contiguous runs
      // faster (see Tile2), with the same sums in the same order.
      wT = scratch.floats(WT, kk * crs);
      VectorArrays.transpose(w, 0, kk, crs, wT, 0);
    }
    dyT = packed ? scratch.floats(DYT, chunks * kk * pq) : null;
  }

  // x (N,C,H,W), w (K,C,R,S) -> y (N,K,P,Q)
  @Override
  void forwardChunk(int chunk, int t0, int t1) {
    for (int t = t0; t < t1; t++) {
      int cOff = (training ? t : chunk) * crs * pq;
      VectorIm2col.im2col(g, x, t * g.inSize(), col, cOff);
      VectorGemm.product(forward, w, 0, col, cOff, 0f, y, t * kk * pq);
      if (bias != null) {
        for (int k = 0; k < kk; k++) {
          VectorArrays.addScalar(y, (t * kk + k) * pq, pq, bias[k]);
        }
      }
      finish(y, t, t + 1, 0, kk);
    }
  }

  // dY (N,K,P,Q) -> partial (K,C·R·S) or its transpose, dX (N,C,H,W)
  @Override
  void backwardChunk(int chunk, int t0, int t1) {
    int pOff = chunk * g.weightSize();
    int sOff = chunk * crs * pq;
    if (training && !packed) {
      VectorGemm.product(
          chunkWeightGrad[chunk], dy, t0 * kk * pq, col, t0 * crs * pq, 0f, parts, pOff);
    }
    for (int t = t0; t < t1; t++) {
      int cOff = training ? t * crs * pq : sOff;
      if (!training) {
        VectorIm2col.im2col(g, x, t * g.inSize(), col, cOff);
      }
      float beta = t == t0 ? 0f : 1f;
      if (packed) {
        // dW_tᵀ (C·R·S, K) = col_t · dY_tᵀ: the short P·Q sum becomes the NN kernel's k loop.
        int yOff = chunk * kk * pq;
        VectorArrays.transpose(dy, t * kk * pq, kk, pq, dyT, yOff);
        VectorGemm.product(packedWeightGrad, col, cOff, dyT, yOff, beta, parts, pOff);
      } else if (!training) {
        VectorGemm.product(imageWeightGrad, dy, t * kk * pq, col, cOff, beta, parts, pOff);
      }
      if (dx != null) {
        VectorGemm.product(inputGradient, wT, 0, dy, t * kk * pq, 0f, dCol, sOff);
        java.util.Arrays.fill(dx, t * g.inSize(), (t + 1) * g.inSize(), 0f);
        VectorIm2col.col2im(g, dCol, sOff, dx, t * g.inSize());
      }
    }
  }

  @Override
  void addPartial(int c, float[] dw) {
    if (packed) {
      VectorArrays.addTransposed(parts, c * g.weightSize(), crs, kk, dw);
    } else {
      super.addPartial(c, dw);
    }
  }
}
