package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/** The naive GEMM and im2col/col2im against hand cases and a double-precision reference. */
class ScalarKernelsTest {
  private final GemmKernels k = new ScalarGemm();

  private static float[] random(Rng rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = rng.uniform(-1f, 1f);
    }
    return a;
  }

  // double-precision reference of C = op(A)·op(B) + beta·C
  private static double[] reference(
      boolean ta,
      boolean tb,
      int m,
      int n,
      int kk,
      float[] a,
      int ao,
      int lda,
      float[] b,
      int bo,
      int ldb,
      float beta,
      float[] c,
      int co,
      int ldc) {
    double[] out = new double[c.length];
    for (int i = 0; i < c.length; i++) {
      out[i] = c[i];
    }
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < kk; p++) {
          double av = ta ? a[ao + p * lda + i] : a[ao + i * lda + p];
          double bv = tb ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
          s += av * bv;
        }
        out[co + i * ldc + j] = s + (beta == 0f ? 0 : beta * (double) c[co + i * ldc + j]);
      }
    }
    return out;
  }

  @Test
  void sgemmMatchesDoubleReferenceForAllTransposesOffsetsAndLeadingDims() {
    Rng rng = new Rng(42);
    int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {13, 1, 9}, {1, 17, 4}, {8, 13, 33}, {20, 3, 1}};
    for (int[] s : sizes) {
      int m = s[0];
      int n = s[1];
      int kk = s[2];
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0;
        boolean tb = (t & 2) != 0;
        for (float beta : new float[] {0f, 1f, 0.5f}) {
          int lda = (ta ? m : kk) + 2;
          int ldb = (tb ? kk : n) + 1;
          int ldc = n + 3;
          float[] a = random(rng, 5 + lda * (ta ? kk : m));
          float[] b = random(rng, 3 + ldb * (tb ? n : kk));
          float[] c = random(rng, 4 + ldc * m);
          double[] want = reference(ta, tb, m, n, kk, a, 5, lda, b, 3, ldb, beta, c, 4, ldc);
          k.sgemm(ta, tb, m, n, kk, a, 5, lda, b, 3, ldb, beta, c, 4, ldc);
          for (int i = 0; i < c.length; i++) {
            // float accumulation of kk products of |x| < 1: error below kk·2^-23 per entry
            double tol = 1e-6 + kk * 1.2e-7 * 4;
            if (Math.abs(want[i] - c[i]) > tol) {
              throw new AssertionError(
                  String.format(
                      "m=%d n=%d k=%d transA=%b transB=%b beta=%s: C flat %d expected %.8g got %.8g",
                      m, n, kk, ta, tb, beta, i, want[i], c[i]));
            }
          }
        }
      }
    }
  }

  @Test
  void betaZeroIgnoresNaNInC() {
    float[] a = {1, 2};
    float[] b = {3, 4};
    float[] c = {Float.NaN};
    k.sgemm(false, false, 1, 1, 2, a, 0, 2, b, 0, 1, 0f, c, 0, 1);
    assertEquals(11f, c[0]);
  }

  @Test
  void sgemmRejectsSmallLeadingDimension() {
    float[] a = new float[6];
    assertThrows(
        IllegalArgumentException.class,
        () -> k.sgemm(false, false, 2, 3, 3, a, 0, 2, a, 0, 3, 0f, a, 0, 3));
  }

  @Test
  void im2colHandCaseWithPaddingAndStride() {
    // x (1,3,3) = 1..9, kernel 2x2, stride 2, padding 1 -> P = Q = 2
    float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float[] col = new float[4 * 4];
    Im2col.im2col(new ConvGeometry(1, 3, 3, 1, 2, 2, 2, 2, 1, 1), x, 0, col, 0);
    float[] want = {
      0, 0, 0, 5, // (r,s) = (0,0): x[2p-1, 2q-1]
      0, 0, 4, 6, // (0,1)
      0, 2, 0, 8, // (1,0)
      1, 3, 7, 9 // (1,1)
    };
    assertArrayEquals(want, col);
  }

  @Test
  void col2imIsTheAdjointOfIm2col() {
    Rng rng = new Rng(7);
    int c = 2;
    int h = 5;
    int w = 4;
    int[][] cfg = {{3, 3, 1, 1, 1, 1}, {2, 3, 2, 1, 0, 1}, {1, 2, 1, 2, 0, 0}, {5, 4, 1, 1, 0, 0}};
    for (int[] g : cfg) {
      ConvGeometry geo = new ConvGeometry(c, h, w, 1, g[0], g[1], g[2], g[3], g[4], g[5]);
      int p = geo.outH();
      int q = geo.outW();
      float[] x = random(rng, c * h * w);
      float[] y = random(rng, c * g[0] * g[1] * p * q);
      float[] col = new float[y.length];
      Im2col.im2col(geo, x, 0, col, 0);
      float[] back = new float[x.length];
      Im2col.col2im(geo, y, 0, back, 0);
      double lhs = 0;
      double rhs = 0;
      for (int i = 0; i < y.length; i++) {
        lhs += (double) col[i] * y[i];
      }
      for (int i = 0; i < x.length; i++) {
        rhs += (double) x[i] * back[i];
      }
      assertEquals(lhs, rhs, 1e-5, "<im2col x, y> = <x, col2im y>");
    }
  }
}
