package bnlab.nn;

import static bnlab.nn.BatchNormReference.gaussian;

import bnlab.nn.keras.BatchNormalization;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The numerics BatchNormNumericsTest demands of BatchNorm, for every other normalization layer: x ≈
 * 1000 + 0.01·N(0, 1), a mean 10⁵ times the spread, where float32 statistics lose the output
 * entirely. Each layer's training output must match its definition evaluated in double on the same
 * float inputs to 2e-6 (x̂ is O(1)), as BatchNorm's does.
 */
class NormNumericsTest {
  private static final double TOL = 2e-6;

  /** Per-statistic mean and biased variance in double, statistic of element e given by slot. */
  private static double[] reference(
      float[] x, int slots, java.util.function.IntUnaryOperator slot) {
    double[] sum = new double[slots];
    double[] count = new double[slots];
    for (int e = 0; e < x.length; e++) {
      sum[slot.applyAsInt(e)] += x[e];
      count[slot.applyAsInt(e)]++;
    }
    double[] sq = new double[slots];
    for (int e = 0; e < x.length; e++) {
      int r = slot.applyAsInt(e);
      double d = x[e] - sum[r] / count[r];
      sq[r] += d * d;
    }
    double[] y = new double[x.length];
    for (int e = 0; e < x.length; e++) {
      int r = slot.applyAsInt(e);
      y[e] = (x[e] - sum[r] / count[r]) / Math.sqrt(sq[r] / count[r] + 1e-5);
    }
    return y;
  }

  private static void check(
      String what, Module m, Tensor x, int slots, java.util.function.IntUnaryOperator slot) {
    double[] ref = reference(x.data(), slots, slot);
    double max = BatchNormReference.assertClose(what, m.train().forward(x).toArray(), ref, TOL);
    System.out.printf(
        Locale.ROOT, "%s, x = 1000 + 0.01·N(0,1): max |y − y_ref| = %.3g%n", what, max);
  }

  @Test
  void everyNormalizationKeepsFloatAccuracyAtALargeOffset() {
    Rng rng = new Rng(44);
    int n = 16;
    int c = 8;
    int s = 50;
    Tensor x = gaussian(rng, 1000.0, 0.01, n, c, s);
    check("GroupNorm(4, 8)", new GroupNorm(4, 8), x, n * 4, e -> e / (2 * s));
    check("InstanceNorm1d(8)", new InstanceNorm1d(8), x, n * c, e -> e / s);
    check(
        "GhostBatchNorm(8, 4)",
        new GhostBatchNorm(8, 4),
        x,
        4 * c,
        e -> e / (4 * c * s) * c + e / s % c);
    check("BatchRenorm(8)", new BatchRenorm(8), x, c, e -> e / s % c);
    check("LayerNorm(8, 50)", new LayerNorm(8, 50), x, n, e -> e / (c * s));
    Tensor rows = gaussian(rng, 1000.0, 0.01, 64, 96);
    check("LayerNorm(96)", new LayerNorm(96), rows, 64, e -> e / 96);
    check("GroupNorm(3, 96)", new GroupNorm(3, 96), rows, 64 * 3, e -> e / 32);
    Tensor last = gaussian(rng, 1000.0, 0.01, 8, 50, 8);
    check(
        "keras BatchNormalization(8)",
        new BatchNormalization(8, -1, 0.99, 1e-5, true, true),
        last,
        8,
        e -> e % 8);
  }
}
