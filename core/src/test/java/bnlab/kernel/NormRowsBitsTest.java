package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorBatchNormRows} (BatchNorm1d on (N, C)) against the per-channel formulas it promises,
 * written out here element by element in the order the kernel's contract names: the same bits, not
 * only close values. The kernel copies each row into buffers so that C2 can vectorize its loops;
 * this reference reads the arrays in place, one channel at a time. Covers rows across the 32-row
 * fold, offsets like 1000 ± 0.01, a channel with a NaN, and ReLU outputs of −0 and NaN (the fused
 * ReLU's rule: ≤ 0 gives +0, NaN stays; its backward passes dy only where the output is > 0). A NaN
 * matches any NaN: which payload and sign an operation passes on depends on the instruction form
 * the JIT picks (scalar or vector, operand order), not on the formula.
 */
class NormRowsBitsTest {
  private static final int[][] SHAPES = {{37, 45}, {128, 120}, {10, 84}, {3, 1}, {65, 7}, {1, 9}};

  @Test
  void forwardAndBackwardGiveTheBitsOfThePerChannelFormulas() {
    // Interpreted, C1 and C2 code must all give these bits; the warm-up has C2 compile the kernels
    // (it takes a method after a few hundred calls), so the checks below run the vectorized loops.
    warmUp();
    for (int[] shape : SHAPES) {
      for (boolean relu : new boolean[] {false, true}) {
        for (int variant = 0; variant < 3; variant++) {
          check(shape[0], shape[1], relu, variant);
        }
      }
    }
  }

  @Test
  void reluMaskPassesDyExactlyWhereTheOutputIsAboveZero() {
    int[] bits = {
      0x00000000, 0x80000000, 0x00000001, 0x007FFFFF, 0x00800000, 0x3F800000, 0x7F7FFFFF,
      0x7F800000, 0x7F800001, 0x7FC00000, 0x7FFFFFFF, 0xFF800000, 0xFFC00000, 0xBF800000,
      0x80000001, 0xFF7FFFFF
    };
    float[] relu = new float[bits.length];
    float[] dy = new float[bits.length];
    for (int i = 0; i < bits.length; i++) {
      relu[i] = Float.intBitsToFloat(bits[i]);
      // dy with a sign, a −0, an infinity and a NaN payload of its own, all to be kept bit for bit
      dy[i] = i % 4 == 0 ? -0f : i % 4 == 1 ? Float.NEGATIVE_INFINITY : i % 4 == 2 ? -1.5f : 2f;
    }
    dy[9] = Float.intBitsToFloat(0xFFC00123);
    float[] in = new float[bits.length];
    VectorBatchNormRows.maskedRow(dy, relu, 0, in, bits.length);
    for (int i = 0; i < bits.length; i++) {
      float expected = relu[i] > 0f ? dy[i] : 0f;
      if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(in[i])) {
        fail(
            "ReLU output bits 0x"
                + Integer.toHexString(bits[i])
                + ": expected dy bits 0x"
                + Integer.toHexString(Float.floatToRawIntBits(expected))
                + ", got 0x"
                + Integer.toHexString(Float.floatToRawIntBits(in[i])));
      }
    }
  }

  private static void warmUp() {
    int n = 40;
    int c = 24;
    Rng rng = new Rng(1);
    float[] x = new float[n * c];
    float[] dy = new float[n * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.uniform(-1f, 1f);
      dy[i] = rng.uniform(-1f, 1f);
    }
    float[] gamma = new float[c];
    java.util.Arrays.fill(gamma, 1f);
    float[] y = new float[n * c];
    float[] xhat = new float[n * c];
    float[] dx = new float[n * c];
    float[] dg = new float[c];
    float[] db = new float[c];
    NormStats st = new NormStats();
    st.ensure(c);
    st.count(n);
    for (int k = 0; k < 2_000; k++) {
      boolean relu = k % 2 == 0;
      VectorBatchNormRows.momentsNormalize(x, 0, n, c, 1e-5, st, 0, gamma, null, y, xhat, relu);
      VectorBatchNormRows.backward(dy, relu ? y : null, xhat, 0, n, c, st, 0, gamma, dx, dg, db);
    }
  }

  // variant 0: uniform values; 1: 1000 ± 0.01 with γ = 0, β = −0 in a channel (z = ±0); 2: a NaN
  private static void check(int n, int c, boolean relu, int variant) {
    String what = "(" + n + ", " + c + ") relu " + relu + " variant " + variant;
    Rng rng = new Rng(5 + n + c + variant);
    float[] x = new float[n * c];
    float[] dy = new float[n * c];
    float[] gamma = new float[c];
    float[] beta = new float[c];
    for (int i = 0; i < x.length; i++) {
      x[i] = variant == 1 ? 1000f + rng.uniform(-0.01f, 0.01f) : rng.uniform(-2f, 3f);
      dy[i] = rng.uniform(-1f, 1f);
    }
    for (int j = 0; j < c; j++) {
      gamma[j] = rng.uniform(-1.5f, 1.5f);
      beta[j] = rng.uniform(-0.5f, 0.5f);
    }
    if (variant == 1) {
      gamma[0] = 0f;
      beta[0] = -0f;
    }
    if (variant == 2) {
      x[(n / 2) * c + c / 2] = Float.NaN;
    }
    double eps = 1e-5;

    NormStats st = new NormStats();
    st.ensure(c);
    st.count(n);
    float[] y = new float[n * c];
    float[] xhat = new float[n * c];
    VectorBatchNormRows.momentsNormalize(x, 0, n, c, eps, st, 0, gamma, beta, y, xhat, relu);
    float[] dx = new float[n * c];
    float[] dg = new float[c];
    float[] db = new float[c];
    VectorBatchNormRows.backward(dy, relu ? y : null, xhat, 0, n, c, st, 0, gamma, dx, dg, db);

    double[] mean = new double[c];
    double[] var = new double[c];
    double[] invstd = new double[c];
    float[] ry = new float[n * c];
    float[] rxhat = new float[n * c];
    float[] rdx = new float[n * c];
    float[] rdg = new float[c];
    float[] rdb = new float[c];
    for (int j = 0; j < c; j++) {
      reference(x, dy, n, c, j, eps, gamma[j], beta[j], relu, mean, var, invstd);
      referenceRows(
          x, dy, n, c, j, gamma[j], beta[j], relu, mean, invstd, ry, rxhat, rdx, rdg, rdb);
    }
    same(what + " mean", mean, st.mean(), c);
    same(what + " var", var, st.var(), c);
    same(what + " y", ry, y);
    same(what + " xhat", rxhat, xhat);
    same(what + " dx", rdx, dx);
    same(what + " dgamma", rdg, dg);
    same(what + " dbeta", rdb, db);
  }

  // Channel j's mean and biased variance: shifted by row 0, then by μ as float; FOLD-row float sums
  private static void reference(
      float[] x,
      float[] dy,
      int n,
      int c,
      int j,
      double eps,
      float g,
      float b,
      boolean relu,
      double[] mean,
      double[] var,
      double[] invstd) {
    float shift = x[j];
    double sum = 0;
    for (int i0 = 0; i0 < n; i0 += VectorBatchNormRows.FOLD) {
      float acc = 0f;
      for (int i = i0; i < Math.min(n, i0 + VectorBatchNormRows.FOLD); i++) {
        acc += x[i * c + j] - shift;
      }
      sum += acc;
    }
    double mu = shift + sum / n;
    float muF = (float) mu;
    double sq = 0;
    for (int i0 = 0; i0 < n; i0 += VectorBatchNormRows.FOLD) {
      float acc = 0f;
      for (int i = i0; i < Math.min(n, i0 + VectorBatchNormRows.FOLD); i++) {
        float d = x[i * c + j] - muF;
        acc = Math.fma(d, d, acc);
      }
      sq += acc;
    }
    double dm = mu - muF;
    mean[j] = mu;
    var[j] = Math.max(0.0, sq / n - dm * dm);
    invstd[j] = 1.0 / Math.sqrt(var[j] + eps);
  }

  // Channel j's x̂, y and its backward through the batch statistics, dy masked by the ReLU's output
  private static void referenceRows(
      float[] x,
      float[] dy,
      int n,
      int c,
      int j,
      float g,
      float b,
      boolean relu,
      double[] mean,
      double[] invstd,
      float[] y,
      float[] xhat,
      float[] dx,
      float[] dg,
      float[] db) {
    float muF = (float) mean[j];
    float rest = (float) (mean[j] - muF);
    float is = (float) invstd[j];
    for (int i = 0; i < n; i++) {
      int e = i * c + j;
      float h = (x[e] - muF - rest) * is;
      xhat[e] = h;
      float z = Math.fma(h, g, b);
      y[e] = relu && z <= 0f ? 0f : z;
    }
    double s0 = 0;
    double s1 = 0;
    for (int i0 = 0; i0 < n; i0 += VectorBatchNormRows.FOLD) {
      float a0 = 0f;
      float a1 = 0f;
      for (int i = i0; i < Math.min(n, i0 + VectorBatchNormRows.FOLD); i++) {
        int e = i * c + j;
        float d = !relu || y[e] > 0f ? dy[e] : 0f;
        a0 += d;
        a1 = Math.fma(d, xhat[e], a1);
      }
      s0 += a0;
      s1 += a1;
    }
    dg[j] = (float) s1;
    db[j] = (float) s0;
    double sumDxhat = g * s0;
    double sumDxhatXhat = g * s1;
    float k0 = (float) (g * invstd[j]);
    float k1 = (float) (sumDxhat / n * invstd[j]);
    float k2 = (float) (sumDxhatXhat / n * invstd[j]);
    for (int i = 0; i < n; i++) {
      int e = i * c + j;
      float d = (!relu || y[e] > 0f ? dy[e] : 0f) * k0;
      dx[e] = Math.fma(-xhat[e], k2, d - k1);
    }
  }

  private static void same(String what, float[] expected, float[] actual) {
    for (int i = 0; i < expected.length; i++) {
      boolean nan = Float.isNaN(expected[i]) && Float.isNaN(actual[i]);
      if (!nan && Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        fail(
            what
                + ": first difference at "
                + i
                + ": expected "
                + expected[i]
                + ", got "
                + actual[i]);
      }
    }
  }

  private static void same(String what, double[] expected, double[] actual, int n) {
    for (int i = 0; i < n; i++) {
      boolean nan = Double.isNaN(expected[i]) && Double.isNaN(actual[i]);
      if (!nan
          && Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
        fail(
            what
                + ": first difference at "
                + i
                + ": expected "
                + expected[i]
                + ", got "
                + actual[i]);
      }
    }
  }
}
