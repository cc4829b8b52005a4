package bnlab.kernel;

/**
 * The naive matrix product every faster GEMM is tested against: C is scaled by beta, then each
 * product op(A_t)·op(B_t) is added with a plain loop whose innermost index runs over contiguous
 * memory (so the JIT can still vectorise it).
 */
final class ScalarGemm implements GemmKernels {
  @Override
  public void gemm(
      GemmShape s, float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
    product(s, a, aOff, b, bOff, beta, c, cOff);
  }

  // op(A) (m,k), op(B) (k,n) -> C (m,n)
  static void product(
      GemmShape s, float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
    scale(s.m(), s.n(), beta, c, cOff, s.ldc());
    for (int t = 0; t < s.batch(); t++) {
      int ao = aOff + t * s.aStride();
      int bo = bOff + t * s.bStride();
      if (!s.transA() && !s.transB()) {
        nn(s, a, ao, b, bo, c, cOff);
      } else if (!s.transA()) {
        nt(s, a, ao, b, bo, c, cOff);
      } else if (!s.transB()) {
        tn(s, a, ao, b, bo, c, cOff);
      } else {
        tt(s, a, ao, b, bo, c, cOff);
      }
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
  private static void nn(GemmShape s, float[] a, int ao, float[] b, int bo, float[] c, int co) {
    int m = s.m(), n = s.n(), k = s.k(), lda = s.lda(), ldb = s.ldb(), ldc = s.ldc();
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
  private static void nt(GemmShape s, float[] a, int ao, float[] b, int bo, float[] c, int co) {
    int m = s.m(), n = s.n(), k = s.k(), lda = s.lda(), ldb = s.ldb(), ldc = s.ldc();
    for (int i = 0; i < m; i++) {
      int ai = ao + i * lda;
      for (int j = 0; j < n; j++) {
        int bj = bo + j * ldb;
        float sum = 0f;
        for (int p = 0; p < k; p++) {
          sum += a[ai + p] * b[bj + p];
        }
        c[co + i * ldc + j] += sum;
      }
    }
  }

  // A stored (k,m), B (k,n): rank-1 updates, row p of A times row p of B.
  private static void tn(GemmShape s, float[] a, int ao, float[] b, int bo, float[] c, int co) {
    int m = s.m(), n = s.n(), k = s.k(), lda = s.lda(), ldb = s.ldb(), ldc = s.ldc();
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
  private static void tt(GemmShape s, float[] a, int ao, float[] b, int bo, float[] c, int co) {
    int m = s.m(), n = s.n(), k = s.k(), lda = s.lda(), ldb = s.ldb(), ldc = s.ldc();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = 0f;
        for (int p = 0; p < k; p++) {
          sum += a[ao + p * lda + i] * b[bo + j * ldb + p];
        }
        c[co + i * ldc + j] += sum;
      }
    }
  }
}
