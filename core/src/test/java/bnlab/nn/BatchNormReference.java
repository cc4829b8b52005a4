package bnlab.nn;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;

/**
 * Batch Normalization written out in double precision straight from the formulas of Ioffe &amp;
 * Szegedy 2015 and PyTorch's documentation, independent of the library's kernel: the reference the
 * BN tests compare against. Arrays are (N, C, S) flattened row-major.
 */
final class BatchNormReference {
  private BatchNormReference() {}

  /** Per-channel mean over (N, S). */
  static double[] mean(float[] x, int n, int c, int s) {
    double[] mu = new double[c];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < c; j++) {
        for (int k = 0; k < s; k++) {
          mu[j] += x[(i * c + j) * s + k];
        }
      }
    }
    for (int j = 0; j < c; j++) {
      mu[j] /= (double) n * s;
    }
    return mu;
  }

  /** Per-channel variance with divisor m (biased) or m − 1 (unbiased). */
  static double[] var(float[] x, int n, int c, int s, boolean unbiased) {
    double[] mu = mean(x, n, c, s);
    double[] v = new double[c];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < c; j++) {
        for (int k = 0; k < s; k++) {
          double d = x[(i * c + j) * s + k] - mu[j];
          v[j] += d * d;
        }
      }
    }
    double m = (double) n * s;
    for (int j = 0; j < c; j++) {
      v[j] /= unbiased ? m - 1 : m;
    }
    return v;
  }

  /** y = γ·(x − μ)/√(σ² + eps) + β with the given per-channel μ, σ² (γ, β may be null). */
  static double[] normalize(
      float[] x, int n, int c, int s, double[] mu, double[] v, double eps, float[] g, float[] b) {
    double[] y = new double[n * c * s];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < c; j++) {
        for (int k = 0; k < s; k++) {
          int idx = (i * c + j) * s + k;
          double h = (x[idx] - mu[j]) / Math.sqrt(v[j] + eps);
          y[idx] = (g == null ? 1 : g[j]) * h + (b == null ? 0 : b[j]);
        }
      }
    }
    return y;
  }

  /** Training-mode output with batch statistics. */
  static double[] train(float[] x, int n, int c, int s, double eps, float[] g, float[] b) {
    return normalize(x, n, c, s, mean(x, n, c, s), var(x, n, c, s, false), eps, g, b);
  }

  /** A tensor of offset + scale·N(0, 1) values. */
  static Tensor gaussian(Rng rng, double offset, double scale, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < t.size(); i++) {
      d[i] = (float) (offset + scale * rng.nextGaussian());
    }
    return t;
  }

  /** A tensor of uniform values in [lo, hi). */
  static Tensor uniform(Rng rng, float lo, float hi, int... shape) {
    Tensor t = Tensor.zeros(shape);
    rng.fillUniform(t, lo, hi);
    return t;
  }

  /** Largest |a − b|; fails naming the first entry beyond {@code tol}. */
  static double assertClose(String what, float[] actual, double[] expected, double tol) {
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(actual[i] - expected[i]);
      if (!(err <= tol)) {
        throw new AssertionError(
            String.format(
                "%s: entry %d is %.9g, expected %.9g (|diff| %.3g > tol %.3g)",
                what, i, actual[i], expected[i], err, tol));
      }
      max = Math.max(max, err);
    }
    return max;
  }

  /** As {@link #assertClose(String, float[], double[], double)} for float expectations. */
  static double assertClose(String what, float[] actual, float[] expected, double tol) {
    double[] e = new double[expected.length];
    for (int i = 0; i < e.length; i++) {
      e[i] = expected[i];
    }
    return assertClose(what, actual, e, tol);
  }
}
