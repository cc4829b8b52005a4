package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The input gradient by taps ({@link TapsGradient}) through {@link DirectConvPlan}: bit for bit the
 * sums its Javadoc defines (per tap a float sum over k from zero, the taps added in order), written
 * here as scalar loops; within float rounding of a float64 sum; the same on one and two threads;
 * every element of dX written; and the rule taking it only for unpadded layers.
 */
class TapsGradientTest {
  // channels, height, width, outChannels, kernelH, kernelW, batch
  private static final int[][] SHAPES = {
    {6, 14, 14, 16, 5, 5, 3}, // the article's conv2
    {3, 32, 32, 6, 5, 5, 2}, // the article's conv1 (its dX is not needed in the Net)
    {7, 9, 9, 5, 3, 3, 3}, // channels not a multiple of a tile's 2 or 3
    {1, 13, 1, 1, 5, 1, 2}, // one column, one channel
    {2, 9, 11, 3, 7, 3, 2}, // R ≠ S
    {4, 6, 40, 9, 3, 5, 1}, // long rows: a run of several tiles and a tail
    {16, 12, 12, 32, 5, 5, 2} // more channels than any tile
  };

  private final int threadsBefore = Parallel.threads();

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(threadsBefore);
  }

  @Test
  void givesTheBitsOfItsSumsAndIsCloseToFloat64() {
    Rng rng = new Rng(11);
    for (int[] d : SHAPES) {
      ConvGeometry g = new ConvGeometry(d[0], d[1], d[2], d[3], d[4], d[5], 1, 1, 0, 0);
      int n = d[6];
      float[] x = VectorGemmTest.random(rng, n * g.inSize());
      float[] w = VectorGemmTest.random(rng, g.weightSize());
      float[] dy = VectorGemmTest.random(rng, n * g.outSize());
      float[] want = new float[n * g.inSize()];
      double[] exact = new double[n * g.inSize()];
      byTaps(g, n, w, dy, want, exact);
      for (int threads : new int[] {1, 2}) {
        Parallel.setThreads(threads);
        DirectConvPlan plan = new DirectConvPlan("vector-test", g, n, true, true, null, null, true);
        assertTrue(plan.toString().contains("input gradient by taps"), plan.toString());
        plan.forward(x, w, null, new float[n * g.outSize()]);
        float[] dx = new float[x.length];
        Arrays.fill(dx, Float.NaN);
        plan.backward(dy, x, w, new float[w.length], dx);
        for (int i = 0; i < dx.length; i++) {
          if (Float.floatToRawIntBits(dx[i]) != Float.floatToRawIntBits(want[i])) {
            fail(
                String.format(
                    "%s, %d threads: dX[%d] = %s, the taps' sums give %s",
                    Arrays.toString(d), threads, i, dx[i], want[i]));
          }
          // Up to K·R·S terms of |w·dy| ≲ 1 each, rounded in float: a few ulps of their count.
          double tol = 1e-6 * g.outChannels() * g.kernelH() * g.kernelW();
          if (Math.abs(dx[i] - exact[i]) > tol) {
            fail(
                String.format(
                    "%s: dX[%d] = %s, float64 gives %s", Arrays.toString(d), i, dx[i], exact[i]));
          }
        }
      }
    }
  }

  @Test
  void takesTheGatherFormsBitsWhereForcedAndTheRuleOnlyForUnpaddedLayers() {
    ConvGeometry conv2 = new ConvGeometry(6, 14, 14, 16, 5, 5, 1, 1, 0, 0);
    assertTrue(TapsGradient.applies(conv2));
    assertFalse(TapsGradient.applies(new ConvGeometry(16, 32, 32, 16, 3, 3, 1, 1, 1, 1)));
    assertFalse(TapsGradient.applies(new ConvGeometry(6, 14, 14, 16, 5, 5, 1, 1, 0, 1)));
    assertFalse(TapsGradient.applies(new ConvGeometry(6, 14, 14, 16, 2, 2, 1, 1, 0, 0)));
    assertTrue(new DirectConvPlan("v", conv2, 4, true, true, null).toString().contains("by taps"));
    assertFalse(
        new DirectConvPlan("v", conv2, 4, true, true, null, null, false)
            .toString()
            .contains("by taps"));
    // Forcing taps on a padded layer keeps the padded form, which the taps do not cover.
    ConvGeometry padded = new ConvGeometry(6, 14, 14, 16, 5, 5, 1, 1, 1, 1);
    assertFalse(
        new DirectConvPlan("v", padded, 4, true, true, null, null, true)
            .toString()
            .contains("by taps"));
  }

  @Test
  void spanIsTheSameAtEveryWidth() {
    ConvGeometry conv2 = new ConvGeometry(6, 14, 14, 16, 5, 5, 1, 1, 0, 0);
    // (10−1)·14 + 10 = 136 positions, rounded up to 144 = 9 vectors of 16, 18 of 8, 36 of 4.
    assertEquals(144, TapsGradient.span(conv2));
    assertEquals(0, TapsGradient.span(conv2) % VectorGemm.L);
  }

  // dX image by image as TapsGradient's Javadoc sums it: for each tap in order, a float sum over k
  // from zero of w·dY, added into dX; and the same products in float64.
  private static void byTaps(
      ConvGeometry g, int n, float[] w, float[] dy, float[] dx, double[] exact) {
    int kk = g.outChannels();
    int cc = g.channels();
    int rr = g.kernelH();
    int ss = g.kernelW();
    int p = g.outH();
    int q = g.outW();
    for (int t = 0; t < n; t++) {
      for (int c = 0; c < cc; c++) {
        for (int h = 0; h < g.height(); h++) {
          for (int x = 0; x < g.width(); x++) {
            float sum = 0f;
            double e = 0;
            for (int r = 0; r < rr; r++) {
              for (int s = 0; s < ss; s++) {
                int py = h - r;
                int qx = x - s;
                if (py < 0 || py >= p || qx < 0 || qx >= q) {
                  continue;
                }
                float tap = 0f;
                for (int k = 0; k < kk; k++) {
                  float wv = w[((k * cc + c) * rr + r) * ss + s];
                  float dv = dy[t * g.outSize() + (k * p + py) * q + qx];
                  tap = Math.fma(wv, dv, tap);
                  e += (double) wv * dv;
                }
                sum += tap;
              }
            }
            int i = t * g.inSize() + (c * g.height() + h) * g.width() + x;
            dx[i] = sum;
            exact[i] = e;
          }
        }
      }
    }
  }
}
