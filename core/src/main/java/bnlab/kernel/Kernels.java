package bnlab.kernel;

/**
 * The numerical kernels behind the layers: dense matrix products, batched convolution (with the
 * im2col/col2im rearrangements that turn it into products), 2×2 max pooling and ReLU.
 *
 * <p>Layers call kernels only through {@link #get()}, which returns the implementation chosen once
 * per process ({@link ScalarKernels}, or the Vector API twin when available, see {@link
 * KernelProvider}); the twins must agree with the scalar one up to float rounding (bit for bit
 * where no sum is reordered: pooling, ReLU).
 *
 * <p>All arrays are row-major float32, addressed by an offset and a leading dimension (the stride
 * between consecutive rows), as in BLAS.
 */
public interface Kernels {
  /** The active implementation. */
  static Kernels get() {
    return KernelProvider.get().kernels();
  }

  /** A short name for logs and run records, e.g. {@code "scalar"}. */
  String name();

  /**
   * C = op(A)·op(B) + beta·C, row-major, with op(A) of shape (m, k) and op(B) of shape (k, n).
   *
   * <p>A is stored (m, k) with leading dimension {@code lda >= k}, or (k, m) with {@code lda >= m}
   * when {@code transA}; likewise B is (k, n) or, when {@code transB}, (n, k). C is (m, n) with
   * {@code ldc >= n}. With {@code beta == 0} C is overwritten and its old contents (even NaN) are
   * ignored, as in BLAS.
   */
  void sgemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc);

  /**
   * Unfolds one image for convolution: x (C,H,W) at {@code xOff} -> col (C·R·S, P·Q) at {@code
   * colOff}, with col[(c·R + r)·S + s, p·Q + q] = x[c, p·strideH − padH + r, q·strideW − padW + s]
   * and 0 where that index falls into the zero padding. P = (H + 2·padH − R) / strideH + 1 and Q
   * likewise. A 1-d convolution over (C,L) is the case H = 1, R = 1, strideH = 1, padH = 0.
   */
  void im2col(
      float[] x,
      int xOff,
      int channels,
      int height,
      int width,
      int kernelH,
      int kernelW,
      int strideH,
      int strideW,
      int padH,
      int padW,
      float[] col,
      int colOff);

  /**
   * The adjoint of {@link #im2col}: <em>adds</em> every entry of col (C·R·S, P·Q) into the image
   * position it was read from, dX (C,H,W) at {@code xOff}; padding positions are dropped.
   */
  void col2im(
      float[] col,
      int colOff,
      int channels,
      int height,
      int width,
      int kernelH,
      int kernelW,
      int strideH,
      int strideW,
      int padH,
      int padW,
      float[] dx,
      int xOff);

  /**
   * Convolution forward over a batch, without bias: for each image t, col_t = im2col(x_t) and y_t =
   * weight·col_t, where weight is (K, C·R·S) and y is (n, K, P, Q). {@code col} (n·C·R·S·P·Q) keeps
   * the im2col matrices for backward; when it is null (inference) they are not kept, which saves
   * memory traffic, and backward recomputes them from x. Fast implementations spread the images
   * over threads; each image's output is computed the same way whichever thread runs it.
   */
  default void convForward(
      ConvGeometry g, int n, float[] x, float[] weight, float[] col, float[] y) {
    int crs = g.crs();
    int pq = g.pq();
    int k = g.outChannels();
    float[] cs = col != null ? col : new float[crs * pq];
    for (int t = 0; t < n; t++) {
      int cOff = col != null ? t * crs * pq : 0;
      im2col(
          x,
          t * g.inSize(),
          g.channels(),
          g.height(),
          g.width(),
          g.kernelH(),
          g.kernelW(),
          g.strideH(),
          g.strideW(),
          g.padH(),
          g.padW(),
          cs,
          cOff);
      sgemm(false, false, k, pq, crs, weight, 0, crs, cs, cOff, pq, 0f, y, t * k * pq, pq);
    }
  }

  /**
   * As {@link #convForward(ConvGeometry, int, float[], float[], float[], float[])}, then adds
   * {@code bias} (K, may be null) to every output plane; fast implementations add it while the
   * output is still in cache.
   */
  default void convForward(
      ConvGeometry g, int n, float[] x, float[] weight, float[] bias, float[] col, float[] y) {
    convForward(g, n, x, weight, col, y);
    if (bias != null) {
      int pq = g.pq();
      for (int t = 0; t < n; t++) {
        for (int k = 0; k < g.outChannels(); k++) {
          int o = (t * g.outChannels() + k) * pq;
          for (int i = 0; i < pq; i++) {
            y[o + i] += bias[k];
          }
        }
      }
    }
  }

  /**
   * Whether {@link #convForward} makes use of kept im2col matrices for this geometry; when false
   * the layer need not allocate them (this implementation convolves without them).
   */
  default boolean usesCol(ConvGeometry g) {
    return true;
  }

  /**
   * Convolution backward over a batch: dWeight += Σ_t dY_t·col_tᵀ (the sum over t in a fixed
   * order), dCol_t = weightᵀ·dY_t and dX_t = col2im(dCol_t) (overwritten). {@code col} is what
   * {@link #convForward} was given; if null, col_t is recomputed from x. dCol is n·C·R·S·P·Q
   * scratch (implementations may use their own); dY is (n, K, P, Q), dX (n, C, H, W). When dx is
   * null only dWeight is computed (the first layer of a model needs no input gradient).
   */
  default void convBackward(
      ConvGeometry g,
      int n,
      float[] dy,
      float[] x,
      float[] weight,
      float[] col,
      float[] dWeight,
      float[] dCol,
      float[] dx) {
    int crs = g.crs();
    int pq = g.pq();
    int k = g.outChannels();
    if (dx != null) {
      java.util.Arrays.fill(dx, 0, n * g.inSize(), 0f);
    }
    float[] cs = col != null ? col : new float[crs * pq];
    for (int t = 0; t < n; t++) {
      int gOff = t * k * pq;
      int cOff = col != null ? t * crs * pq : 0;
      if (col == null) {
        im2col(
            x,
            t * g.inSize(),
            g.channels(),
            g.height(),
            g.width(),
            g.kernelH(),
            g.kernelW(),
            g.strideH(),
            g.strideW(),
            g.padH(),
            g.padW(),
            cs,
            0);
      }
      sgemm(false, true, k, crs, pq, dy, gOff, pq, cs, cOff, pq, 1f, dWeight, 0, crs);
      if (dx == null) {
        continue;
      }
      sgemm(true, false, crs, pq, k, weight, 0, crs, dy, gOff, pq, 0f, dCol, t * crs * pq, pq);
      col2im(
          dCol,
          t * crs * pq,
          g.channels(),
          g.height(),
          g.width(),
          g.kernelH(),
          g.kernelW(),
          g.strideH(),
          g.strideW(),
          g.padH(),
          g.padW(),
          dx,
          t * g.inSize());
    }
  }

  /**
   * 2×2 max pooling with stride 2 over {@code planes} planes of (h, w) → (h/2, w/2) (floor), as
   * PyTorch's {@code MaxPool2d(2)}: visiting a window's four elements in row-major order, a later
   * element replaces the best so far if it is greater, or if it is the first NaN (so the first
   * maximum wins ties and a NaN propagates). {@code argmax} gets the flat index into x of each
   * output's chosen element.
   */
  default void maxPool2x2(float[] x, int planes, int h, int w, float[] y, int[] argmax) {
    int p = h / 2;
    int q = w / 2;
    for (int pl = 0; pl < planes; pl++) {
      for (int i = 0; i < p; i++) {
        int row = pl * h * w + 2 * i * w;
        for (int j = 0; j < q; j++) {
          ScalarKernels.poolWindow(x, row + 2 * j, w, y, argmax, (pl * p + i) * q + j);
        }
      }
    }
  }

  /** ReLU forward: y[i] = x[i] &gt; 0 ? x[i] : 0 for i in [0, n) (NaN and −0 give 0). */
  default void relu(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = x[i] > 0f ? x[i] : 0f;
    }
  }

  /** ReLU backward from the output: dx[i] = y[i] &gt; 0 ? dy[i] : 0 for i in [0, n). */
  default void reluBackward(float[] y, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) {
      dx[i] = y[i] > 0f ? dy[i] : 0f;
    }
  }

  /** Output length of a convolution or pooling window sweep: (in + 2·pad − kernel) / stride + 1. */
  static int outSize(int in, int kernel, int stride, int pad) {
    return (in + 2 * pad - kernel) / stride + 1;
  }
}
