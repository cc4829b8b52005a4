package bnlab.kernel;

/**
 * Naive, obviously correct loops: the reference every faster kernel is tested against. Loop orders
 * keep the innermost loop on contiguous memory so the JIT can still vectorise it.
 */
public final class ScalarKernels implements Kernels {
  /** The scalar implementation. */
  public ScalarKernels() {}

  @Override
  public String name() {
    return "scalar";
  }

  // op(A) (m,k), op(B) (k,n) -> C (m,n)
  @Override
  public void sgemm(
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
      int ldc) {
    checkGemm(transA, transB, m, n, k, lda, ldb, ldc);
    scale(m, n, beta, c, cOff, ldc);
    if (!transA && !transB) {
      gemmNN(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    } else if (!transA) {
      gemmNT(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    } else if (!transB) {
      gemmTN(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    } else {
      gemmTT(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }
  }

  /**
   * One 2×2 window of {@link Kernels#maxPool2x2} with its top-left element at x[top]: visiting the
   * four in row-major order, a later one replaces the best if greater, or if it is the first NaN (v
   * &gt; m is false for NaN, so that needs its own clause).
   */
  static void poolWindow(float[] x, int top, int w, float[] y, int[] argmax, int o) {
    int best = top;
    float m = x[top];
    for (int e = 1; e < 4; e++) {
      int idx = top + (e >> 1) * w + (e & 1);
      float v = x[idx];
      if (v > m || (v != v && m == m)) {
        m = v;
        best = idx;
      }
    }
    y[o] = m;
    argmax[o] = best;
  }

  static void checkGemm(
      boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("sgemm: negative size m=" + m + " n=" + n + " k=" + k);
    }
    if (lda < Math.max(1, transA ? m : k)
        || ldb < Math.max(1, transB ? k : n)
        || ldc < Math.max(1, n)) {
      throw new IllegalArgumentException(
          "sgemm: leading dimension too small: lda=" + lda + " ldb=" + ldb + " ldc=" + ldc);
    }
  }

  private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      int row = cOff + i * ldc;
      for (int j = 0; j < n; j++) {
        c[row + j] = beta == 0f ? 0f : beta * c[row + j];
      }
    }
  }

  // A (m,k), B (k,n): broadcast a[i,p] along row p of B.
  private static void gemmNN(
      int m,
      int n,
      int k,
      float[] a,
      int ao,
      int lda,
      float[] b,
      int bo,
      int ldb,
      float[] c,
      int co,
      int ldc) {
    for (int i = 0; i < m; i++) {
      int ci = co + i * ldc;
      for (int p = 0; p < k; p++) {
        float aip = a[ao + i * lda + p];
        int bp = bo + p * ldb;
        for (int j = 0; j < n; j++) {
          c[ci + j] += aip * b[bp + j];
        }
      }
    }
  }

  // A (m,k), B stored (n,k): each entry is a dot product of two contiguous rows.
  private static void gemmNT(
      int m,
      int n,
      int k,
      float[] a,
      int ao,
      int lda,
      float[] b,
      int bo,
      int ldb,
      float[] c,
      int co,
      int ldc) {
    for (int i = 0; i < m; i++) {
      int ai = ao + i * lda;
      for (int j = 0; j < n; j++) {
        int bj = bo + j * ldb;
        float s = 0f;
        for (int p = 0; p < k; p++) {
          s += a[ai + p] * b[bj + p];
        }
        c[co + i * ldc + j] += s;
      }
    }
  }

  // A stored (k,m), B (k,n): rank-1 updates, row p of A times row p of B.
  private static void gemmTN(
      int m,
      int n,
      int k,
      float[] a,
      int ao,
      int lda,
      float[] b,
      int bo,
      int ldb,
      float[] c,
      int co,
      int ldc) {
    for (int p = 0; p < k; p++) {
      int ap = ao + p * lda;
      int bp = bo + p * ldb;
      for (int i = 0; i < m; i++) {
        float api = a[ap + i];
        int ci = co + i * ldc;
        for (int j = 0; j < n; j++) {
          c[ci + j] += api * b[bp + j];
        }
      }
    }
  }

  // A stored (k,m), B stored (n,k).
  private static void gemmTT(
      int m,
      int n,
      int k,
      float[] a,
      int ao,
      int lda,
      float[] b,
      int bo,
      int ldb,
      float[] c,
      int co,
      int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
          s += a[ao + p * lda + i] * b[bo + j * ldb + p];
        }
        c[co + i * ldc + j] += s;
      }
    }
  }

  // x (C,H,W) -> col (C*R*S, P*Q)
  @Override
  public void im2col(
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
      int colOff) {
    int outH = Kernels.outSize(height, kernelH, strideH, padH);
    int outW = Kernels.outSize(width, kernelW, strideW, padW);
    int idx = colOff;
    for (int c = 0; c < channels; c++) {
      for (int r = 0; r < kernelH; r++) {
        for (int s = 0; s < kernelW; s++) {
          for (int p = 0; p < outH; p++) {
            int ih = p * strideH - padH + r;
            for (int q = 0; q < outW; q++) {
              int iw = q * strideW - padW + s;
              boolean inside = ih >= 0 && ih < height && iw >= 0 && iw < width;
              col[idx++] = inside ? x[xOff + (c * height + ih) * width + iw] : 0f;
            }
          }
        }
      }
    }
  }

  // col (C*R*S, P*Q) -> dX (C,H,W), accumulated
  @Override
  public void col2im(
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
      int xOff) {
    int outH = Kernels.outSize(height, kernelH, strideH, padH);
    int outW = Kernels.outSize(width, kernelW, strideW, padW);
    int idx = colOff;
    for (int c = 0; c < channels; c++) {
      for (int r = 0; r < kernelH; r++) {
        for (int s = 0; s < kernelW; s++) {
          for (int p = 0; p < outH; p++) {
            int ih = p * strideH - padH + r;
            for (int q = 0; q < outW; q++) {
              int iw = q * strideW - padW + s;
              if (ih >= 0 && ih < height && iw >= 0 && iw < width) {
                dx[xOff + (c * height + ih) * width + iw] += col[idx];
              }
              idx++;
            }
          }
        }
      }
    }
  }
}
