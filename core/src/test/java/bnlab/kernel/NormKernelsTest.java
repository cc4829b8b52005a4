package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * The naive kernels ({@link ScalarNormKernels}) at awkward sizes and for every layout against the
 * formulas evaluated here in double with another loop order (element-major, the slot of every
 * element computed from the layout's definition); the vector twin is held to the scalar one in
 * {@link NormTwinsTest}.
 */
class NormKernelsTest {
  private static final NormLayout[] LAYOUTS = {
    // BatchNorm (N, C, S): one statistic per channel
    NormLayout.perChannel(2, 1, 1),
    NormLayout.perChannel(1, 3, 13),
    NormLayout.perChannel(13, 7, 1),
    NormLayout.perChannel(3, 207, 2),
    NormLayout.perChannel(2, 5, 4098),
    NormLayout.perChannel(4, 16, 33),
    // Ghost BatchNorm, InstanceNorm, GroupNorm, LayerNorm, and a mixed layout
    NormLayout.virtualBatches(6, 3, 5, 2),
    NormLayout.perSample(3, 4, 13, 4),
    NormLayout.perSample(2, 6, 17, 3),
    NormLayout.perSample(3, 207, 1, 1),
    new NormLayout(4, 6, 3, 2, 3)
  };

  @Test
  void forwardAndBackwardMatchDoubleFormulasForEveryLayout() {
    Rng rng = new Rng(99);
    NormKernels k = new ScalarNormKernels();
    for (NormLayout v : LAYOUTS) {
      int size = v.n() * v.c() * v.s();
      float[] x = random(rng, size, 5f, 2f);
      float[] gamma = random(rng, v.c(), 1f, 0.5f);
      float[] beta = random(rng, v.c(), 0f, 0.5f);
      float[] dy = random(rng, size, 0f, 1f);
      double eps = 1e-5;
      NormStats st = new NormStats();
      st.ensure(v.slots());
      st.count(v.count());
      float[] y = new float[size];
      float[] xhat = new float[size];
      float[] dx = new float[size];
      float[] dGamma = new float[v.c()];
      float[] dBeta = new float[v.c()];
      k.momentsNormalize(x, v, eps, st, gamma, beta, y, xhat);
      k.backward(true, dy, xhat, false, v, st, gamma, dx, dGamma, dBeta);

      Reference ref = new Reference(v, x, dy, gamma, eps);
      String at = v.toString();
      for (int r = 0; r < v.slots(); r++) {
        close(at + " var[" + r + "]", st.var()[r], ref.var[r], 1e-12);
      }
      for (int e = 0; e < size; e++) {
        int j = e / v.s() % v.c();
        close(at + " y[" + e + "]", y[e], gamma[j] * ref.xhat[e] + beta[j], 1e-6);
        close(at + " dx[" + e + "]", dx[e], ref.dx[e], 1e-5);
      }
      double m = (double) v.n() * v.s();
      for (int j = 0; j < v.c(); j++) {
        close(at + " dGamma[" + j + "]", dGamma[j], ref.dGamma[j], 1e-6 * Math.sqrt(m));
        close(at + " dBeta[" + j + "]", dBeta[j], ref.dBeta[j], 1e-6 * Math.sqrt(m));
      }

      // Constant statistics: dx = γ·invstd·dy, and the same dγ, dβ.
      float[] dxFrozen = new float[size];
      float[] dgFrozen = new float[v.c()];
      float[] dbFrozen = new float[v.c()];
      k.backward(false, dy, xhat, false, v, st, gamma, dxFrozen, dgFrozen, dbFrozen);
      for (int e = 0; e < size; e++) {
        int j = e / v.s() % v.c();
        double want = gamma[j] * dy[e] / Math.sqrt(ref.var[ref.slot(e)] + eps);
        close(at + " frozen dx[" + e + "]", dxFrozen[e], want, 1e-6);
      }
      for (int j = 0; j < v.c(); j++) {
        close(at + " frozen dGamma[" + j + "]", dgFrozen[j], ref.dGamma[j], 1e-6 * Math.sqrt(m));
      }
    }
  }

  /** The naive formulas written element-major in double. */
  private static final class Reference {
    final NormLayout v;
    final double[] mean;
    final double[] var;
    final double[] xhat;
    final double[] dx;
    final double[] dGamma;
    final double[] dBeta;

    Reference(NormLayout v, float[] x, float[] dy, float[] gamma, double eps) {
      this.v = v;
      int size = x.length;
      double m = v.count();
      mean = new double[v.slots()];
      var = new double[v.slots()];
      for (int e = 0; e < size; e++) {
        mean[slot(e)] += x[e] / m;
      }
      for (int e = 0; e < size; e++) {
        double d = x[e] - mean[slot(e)];
        var[slot(e)] += d * d / m;
      }
      xhat = new double[size];
      double[] sumDxhat = new double[v.slots()];
      double[] sumDxhatXhat = new double[v.slots()];
      dGamma = new double[v.c()];
      dBeta = new double[v.c()];
      for (int e = 0; e < size; e++) {
        int j = e / v.s() % v.c();
        xhat[e] = (x[e] - mean[slot(e)]) / Math.sqrt(var[slot(e)] + eps);
        sumDxhat[slot(e)] += gamma[j] * dy[e];
        sumDxhatXhat[slot(e)] += gamma[j] * dy[e] * xhat[e];
        dGamma[j] += dy[e] * xhat[e];
        dBeta[j] += dy[e];
      }
      dx = new double[size];
      for (int e = 0; e < size; e++) {
        int j = e / v.s() % v.c();
        int r = slot(e);
        dx[e] =
            (gamma[j] * dy[e] - sumDxhat[r] / m - xhat[e] * sumDxhatXhat[r] / m)
                / Math.sqrt(var[r] + eps);
      }
    }

    int slot(int e) {
      int i = e / (v.c() * v.s());
      int j = e / v.s() % v.c();
      return (i / v.blockSize()) * (v.c() / v.groupSize()) + j / v.groupSize();
    }
  }

  @Test
  void layoutsNameTheirStatistics() {
    NormLayout bn = NormLayout.perChannel(10, 6, 784);
    assertEquals(6, bn.slots());
    assertEquals(7840, bn.count());
    NormLayout ghost = NormLayout.virtualBatches(16, 6, 4, 8);
    assertEquals(12, ghost.slots());
    assertEquals(6 + 5, ghost.slot(9, 5));
    NormLayout gn = NormLayout.perSample(2, 6, 4, 3);
    assertEquals(6, gn.slots());
    assertEquals(8, gn.count());
    assertEquals(3 + 2, gn.slot(1, 5));
    assertThrows(IllegalArgumentException.class, () -> NormLayout.virtualBatches(10, 6, 4, 8));
    assertThrows(IllegalArgumentException.class, () -> NormLayout.perSample(2, 6, 4, 4));
  }

  static float[] random(Rng rng, int size, float offset, float scale) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) (offset + scale * rng.nextGaussian());
    }
    return a;
  }

  private static void close(String what, double actual, double expected, double tol) {
    if (!(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)))) {
      throw new AssertionError(what + " is " + actual + ", expected " + expected);
    }
  }

  /**
   * normalizeInPlace on a range of samples and channels gives those elements the bits normalize
   * gives them and leaves every other element alone, in both twins (vector rows longer and shorter
   * than a vector, with and without the ReLU); other layouts are refused.
   */
  @Test
  void normalizeInPlaceTouchesItsRangeOnlyWithTheBitsOfNormalize() {
    Rng rng = new Rng(98);
    NormLayout[] layouts = {
      NormLayout.perChannel(3, 5, 1),
      NormLayout.perChannel(4, 6, 13),
      NormLayout.perChannel(2, 3, 37),
      NormLayout.perChannel(3, 4, 64)
    };
    for (NormKernels k : new NormKernels[] {new ScalarNormKernels(), new VectorNormKernels()}) {
      for (NormLayout v : layouts) {
        int size = v.n() * v.c() * v.s();
        float[] x = random(rng, size, 0f, 2f);
        NormStats st = new NormStats();
        st.ensure(v.slots());
        st.count(v.count());
        k.moments(x, v, st);
        for (int r = 0; r < v.slots(); r++) {
          st.invstd()[r] = 1.0 / Math.sqrt(st.var()[r] + 1e-5);
        }
        float[] gamma = random(rng, v.c(), 1f, 0.5f);
        float[] beta = random(rng, v.c(), 0f, 0.5f);
        for (boolean relu : new boolean[] {false, true}) {
          float[] all = new float[size];
          k.normalize(x, v, st, gamma, beta, all, null, relu);
          int t0 = 1, t1 = v.n(), j0 = 1, j1 = v.c() - 1;
          float[] y = x.clone();
          k.normalizeInPlace(y, v, st, gamma, beta, t0, t1, j0, j1, relu);
          for (int e = 0; e < size; e++) {
            int i = e / (v.c() * v.s());
            int j = e / v.s() % v.c();
            boolean in = i >= t0 && i < t1 && j >= j0 && j < j1;
            float want = in ? all[e] : x[e];
            String what = k.getClass().getSimpleName() + " " + v + " relu " + relu + " at " + e;
            assertEquals(want, y[e], what); // JUnit compares floats by their bits: −0 ≠ +0
          }
        }
      }
      NormLayout groups = NormLayout.perSample(2, 4, 5, 2);
      assertThrows(
          IllegalArgumentException.class,
          () ->
              k.normalizeInPlace(
                  new float[40], groups, new NormStats(), null, null, 0, 1, 0, 1, false));
    }
  }
}
