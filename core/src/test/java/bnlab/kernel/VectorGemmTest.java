package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/** The vector GEMM against a double-precision reference on awkward and real shapes. */
class VectorGemmTest {
  private static final int[][] SHAPES = {
    {1, 1, 1},
    {1, 1, 13},
    {13, 1, 1},
    {1, 13, 1},
    {3, 17, 5},
    {6, 784, 75},
    {16, 100, 150},
    {6, 75, 784},
    {16, 150, 100},
    {75, 784, 6},
    {150, 100, 16},
    {10, 120, 400},
    {10, 400, 120},
    {120, 400, 10},
    {1, 207, 13},
    {7, 33, 207},
    {5, 4098, 3},
    {2, 5, 4098},
    {9, 49, 1},
    {4, 48, 300},
    // A last whole vector of columns with 8 rows and more (Winograd's 72 tiles of a 16×16 image).
    {24, 72, 32},
    {17, 76, 9}
  };

  @Test
  void matchesDoubleReferenceForAllTranspositionsAndBetas() {
    Rng rng = new Rng(7);
    for (int[] s : SHAPES) {
      for (int t = 0; t < 4; t++) {
        for (float beta : new float[] {0f, 1f, 0.5f}) {
          check(rng, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], beta);
        }
      }
    }
  }

  @Test
  void rowAndColumnSplitsAreBitIdenticalToWhole() {
    Rng rng = new Rng(11);
    int m = 13, n = 207, k = 301;
    for (int t = 0; t < 4; t++) {
      boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
      float[] a = random(rng, m * k), b = random(rng, k * n);
      int lda = ta ? m : k, ldb = tb ? k : n;
      float[] whole = new float[m * n];
      GemmShape shape = GemmShape.of(ta, tb, m, n, k);
      VectorGemm.product(shape, a, 0, b, 0, 0f, whole, 0);
      float[] split = new float[m * n];
      int[] rows = {0, 3, 4, 11, m};
      int[] cols = {0, 17, 64, 100, n};
      for (int r = 0; r + 1 < rows.length; r++) {
        for (int c = 0; c + 1 < cols.length; c++) {
          VectorGemm.block(
              shape, a, 0, b, 0, 0f, split, 0, rows[r], rows[r + 1], cols[c], cols[c + 1]);
        }
      }
      for (int i = 0; i < whole.length; i++) {
        if (Float.floatToRawIntBits(whole[i]) != Float.floatToRawIntBits(split[i])) {
          fail("trans " + ta + "," + tb + ": element " + i + " " + whole[i] + " vs " + split[i]);
        }
      }
    }
  }

  @Test
  void batchedSumMatchesSumOfProducts() {
    Rng rng = new Rng(3);
    int[][] shapes = {{16, 150, 100, 10}, {6, 75, 784, 3}, {3, 5, 13, 1}, {5, 9, 17, 4}};
    for (int[] s : shapes) {
      int m = s[0], n = s[1], k = s[2], batch = s[3];
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
        int lda = ta ? m : k, ldb = tb ? k : n;
        float[] a = random(rng, batch * m * k), b = random(rng, batch * k * n);
        float[] c = random(rng, m * n);
        float[] expected = c.clone();
        GemmShape shape =
            GemmShape.of(ta, tb, m, n, k).withLeadingDims(lda, ldb, n).batched(batch, m * k, k * n);
        VectorGemm.product(shape, a, 0, b, 0, 0.5f, c, 0);
        double tol = 1e-6 * (4 + Math.sqrt((double) k * batch)) * 4;
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double ref = 0.5 * expected[i * n + j];
            for (int u = 0; u < batch; u++) {
              for (int p = 0; p < k; p++) {
                double x = a[u * m * k + (ta ? p * lda + i : i * lda + p)];
                double y = b[u * k * n + (tb ? j * ldb + p : p * ldb + j)];
                ref += x * y;
              }
            }
            if (Math.abs(c[i * n + j] - ref) > tol * (1 + Math.sqrt(k * batch))) {
              fail(
                  String.format(
                      "sum(%b,%b,%s) C(%d,%d)=%s, expected %s",
                      ta, tb, java.util.Arrays.toString(s), i, j, c[i * n + j], ref));
            }
          }
        }
      }
    }
  }

  @Test
  void betaZeroIgnoresNanInC() {
    float[] c = {Float.NaN, Float.NaN};
    VectorGemm.product(
        GemmShape.of(false, false, 1, 2, 1),
        new float[] {2f},
        0,
        new float[] {3f, 4f},
        0,
        0f,
        c,
        0);
    if (c[0] != 6f || c[1] != 8f) {
      fail("expected [6, 8], got [" + c[0] + ", " + c[1] + "]");
    }
  }

  static float[] random(Rng rng, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = rng.uniform(-1f, 1f);
    }
    return x;
  }

  private static void check(Rng rng, boolean ta, boolean tb, int m, int n, int k, float beta) {
    // Offsets and padded leading dimensions exercise the indexing.
    int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 1;
    int aOff = 5, bOff = 2, cOff = 3;
    float[] a = random(rng, aOff + (ta ? k : m) * lda);
    float[] b = random(rng, bOff + (tb ? n : k) * ldb);
    float[] c = random(rng, cOff + m * ldc);
    float[] c0 = c.clone();
    GemmShape shape = GemmShape.of(ta, tb, m, n, k).withLeadingDims(lda, ldb, ldc);
    VectorGemm.product(shape, a, aOff, b, bOff, beta, c, cOff);
    double tol = 1e-6 * (4 + Math.sqrt(k)) * 4;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        double mag = 0;
        for (int p = 0; p < k; p++) {
          double x = a[aOff + (ta ? p * lda + i : i * lda + p)];
          double y = b[bOff + (tb ? j * ldb + p : p * ldb + j)];
          s += x * y;
          mag += Math.abs(x * y);
        }
        int ci = cOff + i * ldc + j;
        s += beta * (double) c0[ci];
        if (Math.abs(c[ci] - s) > tol * (1 + mag)) {
          fail(
              String.format(
                  "sgemm(%b,%b,m=%d,n=%d,k=%d,beta=%s) C(%d,%d)=%s, expected %s",
                  ta, tb, m, n, k, beta, i, j, c[ci], s));
        }
      }
    }
    // Padding columns of C are untouched.
    for (int i = 0; i < m; i++) {
      int pad = cOff + i * ldc + n;
      if (pad < c.length && c[pad] != c0[pad]) {
        fail("sgemm wrote into C's padding at row " + i);
      }
    }
  }
}
