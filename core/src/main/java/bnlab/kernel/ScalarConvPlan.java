package bnlab.kernel;

/**
 * {@link ConvStrategy#IM2COL_GEMM} with the naive {@link Im2col} and {@link ScalarGemm}, one image
 * after another on the calling thread: the reference every faster plan is tested against.
 *
 * <p>Training keeps every image's im2col matrix for backward; inference unfolds one image at a time
 * into the same scratch and backward unfolds again from x.
 */
final class ScalarConvPlan extends BasePlan {
  private static final int COL = 0;
  private static final int DCOL = 1;

  private final int crs;
  private final int pq;

  /** y_t (K, P·Q) = W (K, C·R·S) · col_t (C·R·S, P·Q). */
  private final GemmShape forward;

  /** dW (K, C·R·S) += dY_t (K, P·Q) · col_tᵀ. */
  private final GemmShape weightGrad;

  /** dCol_t (C·R·S, P·Q) = Wᵀ · dY_t. */
  private final GemmShape inputGrad;

  ScalarConvPlan(
      ConvGeometry g, int batch, boolean training, boolean inputGrad, ConvPlan previous) {
    super(g, batch, training, inputGrad, false, previous);
    crs = g.crs();
    pq = g.pq();
    int k = g.outChannels();
    forward = GemmShape.of(false, false, k, pq, crs);
    weightGrad = GemmShape.of(false, true, k, crs, pq);
    this.inputGrad = GemmShape.of(true, false, crs, pq, k);
  }

  @Override
  public ConvStrategy strategy() {
    return ConvStrategy.IM2COL_GEMM;
  }

  @Override
  String kernels() {
    return "scalar";
  }

  // x (N,C,H,W), w (K,C,R,S) -> y (N,K,P,Q)
  @Override
  void forwardBatch(float[] x, float[] w, float[] bias, float[] y) {
    float[] col = scratch.floats(COL, (training ? batch : 1) * crs * pq);
    int k = g.outChannels();
    for (int t = 0; t < batch; t++) {
      int cOff = training ? t * crs * pq : 0;
      Im2col.im2col(g, x, t * g.inSize(), col, cOff);
      ScalarGemm.product(forward, w, 0, col, cOff, 0f, y, t * k * pq);
    }
    if (bias != null) {
      for (int t = 0; t < batch; t++) {
        for (int o = 0; o < k; o++) {
          int off = (t * k + o) * pq;
          for (int i = 0; i < pq; i++) {
            y[off + i] += bias[o];
          }
        }
      }
    }
    finish(y, 0, batch, 0, k);
  }

  // dY (N,K,P,Q) -> dW (K,C,R,S) += Σ_t dY_t·col_tᵀ, dX (N,C,H,W) = col2im(Wᵀ·dY_t)
  @Override
  void backwardBatch(float[] dy, float[] x, float[] w, float[] dw, float[] dx) {
    float[] col = scratch.floats(COL, (training ? batch : 1) * crs * pq);
    float[] dCol = dx == null ? null : scratch.floats(DCOL, crs * pq);
    if (dx != null) {
      java.util.Arrays.fill(dx, 0, batch * g.inSize(), 0f);
    }
    int gPlane = g.outChannels() * pq;
    for (int t = 0; t < batch; t++) {
      int cOff = training ? t * crs * pq : 0;
      if (!training) {
        Im2col.im2col(g, x, t * g.inSize(), col, 0);
      }
      ScalarGemm.product(weightGrad, dy, t * gPlane, col, cOff, 1f, dw, 0);
      if (dx != null) {
        ScalarGemm.product(inputGrad, w, 0, dy, t * gPlane, 0f, dCol, 0);
        Im2col.col2im(g, dCol, 0, dx, t * g.inSize());
      }
    }
  }
}
