package bnlab.kernel;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * The scalar BatchNorm kernels at awkward (n, c, s) sizes against formulas evaluated here in double
 * with a different loop order (element-major); a vectorized twin can be held to the same checks.
 */
class BatchNormKernelTest {
  private static final int[][] SHAPES = {
    {2, 1, 1}, {1, 3, 13}, {13, 7, 1}, {3, 207, 2}, {2, 5, 4098}, {4, 16, 33}
  };

  @Test
  void forwardAndBackwardMatchDoubleFormulasAtAwkwardSizes() {
    Rng rng = new Rng(99);
    for (int[] sh : SHAPES) {
      int n = sh[0];
      int c = sh[1];
      int s = sh[2];
      int size = n * c * s;
      float[] x = random(rng, size, 5f, 2f);
      float[] gamma = random(rng, c, 1f, 0.5f);
      float[] beta = random(rng, c, 0f, 0.5f);
      float[] dy = random(rng, size, 0f, 1f);
      double eps = 1e-5;
      double[] mean = new double[c];
      double[] var = new double[c];
      double[] invstd = new double[c];
      float[] y = new float[size];
      float[] xhat = new float[size];
      float[] dx = new float[size];
      float[] dGamma = new float[c];
      float[] dBeta = new float[c];
      BatchNormKernel.meanVar(x, n, c, s, mean, var);
      BatchNormKernel.invStd(var, eps, c, invstd);
      BatchNormKernel.normalize(x, n, c, s, mean, invstd, gamma, beta, y, xhat);
      BatchNormKernel.backwardTrain(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);

      double m = (double) n * s;
      double[] mu = new double[c];
      double[] sq = new double[c];
      for (int i = 0; i < size; i++) {
        mu[(i / s) % c] += x[i] / m;
      }
      for (int i = 0; i < size; i++) {
        double d = x[i] - mu[(i / s) % c];
        sq[(i / s) % c] += d * d / m;
      }
      double[] sumDy = new double[c];
      double[] sumDyH = new double[c];
      double[] h = new double[size];
      String at = "(n, c, s) = (" + n + ", " + c + ", " + s + ")";
      for (int i = 0; i < size; i++) {
        int j = (i / s) % c;
        h[i] = (x[i] - mu[j]) / Math.sqrt(sq[j] + eps);
        close(at + " y[" + i + "]", y[i], gamma[j] * h[i] + beta[j], 1e-6);
        sumDy[j] += dy[i];
        sumDyH[j] += dy[i] * h[i];
      }
      for (int i = 0; i < size; i++) {
        int j = (i / s) % c;
        double ref =
            gamma[j] / Math.sqrt(sq[j] + eps) * (dy[i] - sumDy[j] / m - h[i] * sumDyH[j] / m);
        close(at + " dx[" + i + "]", dx[i], ref, 1e-5);
      }
      for (int j = 0; j < c; j++) {
        close(at + " var[" + j + "]", var[j], sq[j], 1e-12);
        close(at + " dGamma[" + j + "]", dGamma[j], sumDyH[j], 1e-6 * Math.sqrt(m));
        close(at + " dBeta[" + j + "]", dBeta[j], sumDy[j], 1e-6 * Math.sqrt(m));
      }
    }
  }

  private static float[] random(Rng rng, int size, float offset, float scale) {
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
}
