package bnlab.kernel;

/**
 * {@link ConvStrategy#TAP_GEMM}: a channels-last 1-d convolution (Keras' layout) as one matrix
 * product per kernel tap, on whichever {@link GemmKernels} the provider has, so the scalar and the
 * vector provider share this orchestration and differ only in the products.
 *
 * <p>x (N, L, C), kernel (R, C, K) -> y (N, Q, K) with y[t, q] = bias + Σ_r x[t, q·stride + r] ·
 * kernel[r]: for tap r the rows r, r + stride, ... of x form a (Q, C) matrix with leading dimension
 * stride·C, so no data is rearranged. Backward: dKernel[r] += x_rᵀ · dY_t and dX rows r + q·stride
 * += dY_t · kernel[r]ᵀ, image by image and tap by tap in that order.
 */
final class TapGemmPlan extends BasePlan {
  private final GemmKernels gemm;
  private final String kernels;

  /** y_t (Q, K) += x_{t,r} (Q, C) · kernel[r] (C, K). */
  private final GemmShape forward;

  /** dKernel[r] (C, K) += x_{t,r}ᵀ · dY_t (Q, K). */
  private final GemmShape weightGrad;

  /** dX_{t,r} (Q, C) += dY_t (Q, K) · kernel[r]ᵀ. */
  private final GemmShape inputGrad;

  TapGemmPlan(
      GemmKernels gemm,
      String kernels,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      ConvPlan previous) {
    super(g, batch, training, inputGrad, true, previous);
    if (g.height() != 1 || g.kernelH() != 1 || g.padH() != 0 || g.padW() != 0) {
      throw new IllegalArgumentException(
          "channels-last convolution needs height 1, kernel height 1 and no padding, got " + g);
    }
    this.gemm = gemm;
    this.kernels = kernels;
    int c = g.channels();
    int k = g.outChannels();
    int q = g.outW();
    int rowStride = g.strideW() * c;
    forward = GemmShape.of(false, false, q, k, c).withLeadingDims(rowStride, k, k);
    weightGrad = GemmShape.of(true, false, c, k, q).withLeadingDims(rowStride, k, k);
    this.inputGrad = GemmShape.of(false, true, q, c, k).withLeadingDims(k, k, rowStride);
  }

  @Override
  public ConvStrategy strategy() {
    return ConvStrategy.TAP_GEMM;
  }

  @Override
  String kernels() {
    return kernels;
  }

  // x (N,L,C), w (R,C,K) -> y (N,Q,K)
  @Override
  void forwardBatch(float[] x, float[] w, float[] bias, float[] y) {
    int len = g.width();
    int c = g.channels();
    int k = g.outChannels();
    int q = g.outW();
    for (int t = 0; t < batch; t++) {
      for (int r = 0; r < g.kernelW(); r++) {
        gemm.gemm(forward, x, (t * len + r) * c, w, r * c * k, r == 0 ? 0f : 1f, y, t * q * k);
      }
    }
    if (bias != null) {
      for (int row = 0; row < batch * q; row++) {
        for (int f = 0; f < k; f++) {
          y[row * k + f] += bias[f];
        }
      }
    }
  }

  // dY (N,Q,K) -> dW (R,C,K) +=, dX (N,L,C) =
  @Override
  void backwardBatch(float[] dy, float[] x, float[] w, float[] dw, float[] dx) {
    int len = g.width();
    int c = g.channels();
    int k = g.outChannels();
    int q = g.outW();
    if (dx != null) {
      java.util.Arrays.fill(dx, 0, batch * len * c, 0f);
    }
    for (int t = 0; t < batch; t++) {
      int gOff = t * q * k;
      for (int r = 0; r < g.kernelW(); r++) {
        int xOff = (t * len + r) * c;
        gemm.gemm(weightGrad, x, xOff, dy, gOff, 1f, dw, r * c * k);
        if (dx != null) {
          gemm.gemm(inputGrad, dy, gOff, w, r * c * k, 1f, dx, xOff);
        }
      }
    }
  }
}
