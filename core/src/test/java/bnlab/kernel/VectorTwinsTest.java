package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/** {@link VectorBatchNorm} against its scalar twin. */
class VectorTwinsTest {
  // n, c, s: s below, at and above the vector width, 1x1 planes, batch 1
  private static final int[][] BN = {
    {10, 6, 784},
    {10, 16, 100},
    {1, 3, 13},
    {2, 2, 207},
    {1, 1, 4098},
    {3, 5, 1},
    // BatchNorm1d on (N, C): channels across the vector, with and without a tail.
    {128, 120, 1},
    {10, 84, 1},
    {2, 16, 1},
    {7, 37, 1},
    {13, 2, 16},
    {4, 3, 17},
    {1, 1, 1}
  };

  @Test
  void batchNormForwardMatchesScalarTwin() {
    Rng rng = new Rng(5);
    for (int[] d : BN) {
      int n = d[0], c = d[1], s = d[2];
      for (float offset : new float[] {0f, 1000f}) {
        float spread = offset == 0f ? 1f : 0.01f;
        float[] x = new float[n * c * s];
        for (int i = 0; i < x.length; i++) {
          x[i] = offset + spread * rng.uniform(-1f, 1f);
        }
        double[] ms = new double[c], vs = new double[c], mv = new double[c], vv = new double[c];
        BatchNormKernel.meanVar(x, n, c, s, ms, vs);
        VectorBatchNorm.meanVar(x, n, c, s, mv, vv);
        for (int j = 0; j < c; j++) {
          // Relative to the spread, not the offset: that is what BN needs.
          check("mean " + shape(d) + " offset " + offset, ms[j], mv[j], 1e-6 * spread);
          check("var " + shape(d), vs[j], vv[j], 1e-5 * vs[j] + 1e-12);
        }
        double[] is = new double[c];
        BatchNormKernel.invStd(vs, 1e-5, c, is);
        float[] gamma = VectorGemmTest.random(rng, c), beta = VectorGemmTest.random(rng, c);
        float[] ys = new float[x.length], hs = new float[x.length];
        float[] yv = new float[x.length], hv = new float[x.length];
        BatchNormKernel.normalize(x, n, c, s, ms, is, gamma, beta, ys, hs);
        VectorBatchNorm.normalize(x, n, c, s, ms, is, gamma, beta, yv, hv);
        // x̂ is O(1) whatever the offset: a few float roundings of it.
        KernelTwinsTest.close("xhat " + shape(d), hs, hv, 4);
        KernelTwinsTest.close("y " + shape(d), ys, yv, 4);
      }
    }
  }

  @Test
  void batchNormBackwardMatchesScalarTwin() {
    Rng rng = new Rng(6);
    for (int[] d : BN) {
      int n = d[0], c = d[1], s = d[2];
      float[] dy = VectorGemmTest.random(rng, n * c * s);
      float[] xhat = VectorGemmTest.random(rng, n * c * s);
      double[] is = new double[c];
      for (int j = 0; j < c; j++) {
        is[j] = 0.5 + rng.nextDouble();
      }
      float[] gamma = VectorGemmTest.random(rng, c);
      for (boolean train : new boolean[] {true, false}) {
        float[] dxS = new float[dy.length], dxV = new float[dy.length];
        float[] dgS = VectorGemmTest.random(rng, c), dbS = VectorGemmTest.random(rng, c);
        float[] dgV = dgS.clone(), dbV = dbS.clone();
        if (train) {
          BatchNormKernel.backwardTrain(dy, xhat, n, c, s, is, gamma, dxS, dgS, dbS);
          VectorBatchNorm.backwardTrain(dy, xhat, n, c, s, is, gamma, dxV, dgV, dbV);
        } else {
          BatchNormKernel.backwardFrozen(dy, xhat, n, c, s, is, gamma, dxS, dgS, dbS);
          VectorBatchNorm.backwardFrozen(dy, xhat, n, c, s, is, gamma, dxV, dgV, dbV);
        }
        long m = (long) n * s;
        KernelTwinsTest.close("dx " + shape(d) + " train " + train, dxS, dxV, 8);
        KernelTwinsTest.close("dGamma " + shape(d), dgS, dgV, m);
        KernelTwinsTest.close("dBeta " + shape(d), dbS, dbV, m);
      }
    }
  }

  @Test
  void fusedStatisticsAndNormalizationEqualTheSeparateCalls() {
    Rng rng = new Rng(8);
    for (int[] d : BN) {
      int n = d[0], c = d[1], s = d[2];
      float[] x = VectorGemmTest.random(rng, n * c * s);
      float[] gamma = VectorGemmTest.random(rng, c), beta = VectorGemmTest.random(rng, c);
      double[] m1 = new double[c], v1 = new double[c], i1 = new double[c];
      double[] m2 = new double[c], v2 = new double[c], i2 = new double[c];
      float[] y1 = new float[x.length], h1 = new float[x.length];
      float[] y2 = new float[x.length], h2 = new float[x.length];
      VectorBatchNorm.meanVar(x, n, c, s, m1, v1);
      VectorBatchNorm.invStd(v1, 1e-5, c, i1);
      VectorBatchNorm.normalize(x, n, c, s, m1, i1, gamma, beta, y1, h1);
      VectorBatchNorm.meanVarNormalize(x, n, c, s, 1e-5, m2, v2, i2, gamma, beta, y2, h2);
      assertArrayEquals(m1, m2, 0.0, () -> "mean " + shape(d));
      assertArrayEquals(v1, v2, 0.0, () -> "var " + shape(d));
      assertArrayEquals(y1, y2, 0f, () -> "y " + shape(d));
      assertArrayEquals(h1, h2, 0f, () -> "xhat " + shape(d));
    }
  }

  @Test
  void backwardFromTheInputEqualsBackwardFromStoredXhat() {
    Rng rng = new Rng(7);
    for (int[] d : BN) {
      int n = d[0], c = d[1], s = d[2];
      if (s < VectorGemm.L) {
        continue;
      }
      float[] x = new float[n * c * s];
      for (int i = 0; i < x.length; i++) {
        x[i] = 1000f + 0.01f * rng.uniform(-1f, 1f);
      }
      double[] mean = new double[c], var = new double[c], is = new double[c];
      VectorBatchNorm.meanVar(x, n, c, s, mean, var);
      VectorBatchNorm.invStd(var, 1e-5, c, is);
      float[] gamma = VectorGemmTest.random(rng, c), beta = VectorGemmTest.random(rng, c);
      float[] y = new float[x.length], xhat = new float[x.length];
      VectorBatchNorm.normalize(x, n, c, s, mean, is, gamma, beta, y, xhat);
      float[] dy = VectorGemmTest.random(rng, x.length);
      for (boolean train : new boolean[] {true, false}) {
        float[] dxA = new float[x.length], dxB = new float[x.length];
        float[] dgA = new float[c], dbA = new float[c], dgB = new float[c], dbB = new float[c];
        if (train) {
          VectorBatchNorm.backwardTrain(dy, xhat, n, c, s, is, gamma, dxA, dgA, dbA);
          VectorBatchNorm.backwardTrain(dy, x, mean, n, c, s, is, gamma, dxB, dgB, dbB);
        } else {
          VectorBatchNorm.backwardFrozen(dy, xhat, n, c, s, is, gamma, dxA, dgA, dbA);
          VectorBatchNorm.backwardFrozen(dy, x, mean, n, c, s, is, gamma, dxB, dgB, dbB);
        }
        // The same float operations give x̂ either way, so every bit agrees.
        assertArrayEquals(dxA, dxB, 0f, () -> "dx " + shape(d));
        assertArrayEquals(dgA, dgB, 0f, () -> "dGamma " + shape(d));
        assertArrayEquals(dbA, dbB, 0f, () -> "dBeta " + shape(d));
      }
    }
  }

  private static String shape(int[] d) {
    return "(" + d[0] + ", " + d[1] + ", " + d[2] + ")";
  }

  private static void check(String what, double expected, double actual, double tol) {
    if (!(Math.abs(expected - actual) <= tol)) {
      fail(what + ": scalar " + expected + " vector " + actual + " (tolerance " + tol + ")");
    }
  }
}
