package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorBatchNorm} for inputs of shape (N, C), BatchNorm1d after a Linear layer: one value
 * per (sample, channel), so the vectors run across channels along a row instead of along a
 * channel's plane. Same statistics and formulas as the plane kernels: means and variances in two
 * passes with shifted, exact differences, float lanes folded into double every {@link #FOLD} rows;
 * the channels past the last whole vector are done in double by the same loops, one at a time.
 */
final class VectorBatchNormRows {
  private static final VectorSpecies<Float> F = VectorGemm.S;
  private static final int L = VectorGemm.L;

  /** Rows summed in float lanes before they are added into the double totals. */
  static final int FOLD = 32;

  /** Per-thread per-channel coefficients (5·C floats). */
  private static final ThreadLocal<float[][]> COEF = ThreadLocal.withInitial(() -> new float[1][0]);

  private static final ThreadLocal<double[][]> SUMS =
      ThreadLocal.withInitial(() -> new double[1][0]);

  private VectorBatchNormRows() {}

  private static float[] coef(int size) {
    float[][] h = COEF.get();
    if (h[0].length < size) {
      h[0] = new float[size];
    }
    return h[0];
  }

  // x (N,C) -> mean (C), var (C), biased, in double
  static void meanVar(float[] x, int n, int c, double[] mean, double[] var) {
    float[] k = coef(2 * c);
    // Shift by row 0, so offsets like 1000 ± 0.01 lose nothing (Sterbenz); then by μ as float.
    System.arraycopy(x, 0, k, 0, c);
    java.util.Arrays.fill(mean, 0, c, 0.0);
    columnSums(x, n, c, k, 0, false, mean);
    for (int j = 0; j < c; j++) {
      double mu = k[j] + mean[j] / n;
      mean[j] = mu;
      k[c + j] = (float) mu;
    }
    java.util.Arrays.fill(var, 0, c, 0.0);
    columnSums(x, n, c, k, c, true, var);
    for (int j = 0; j < c; j++) {
      double dm = mean[j] - k[c + j];
      var[j] = Math.max(0.0, var[j] / n - dm * dm);
    }
  }

  /** total[j] += Σ_i (x[i, j] − a[aOff + j]) or its square, for every channel j. */
  private static void columnSums(
      float[] x, int n, int c, float[] a, int aOff, boolean square, double[] total) {
    float[] lanes = VectorGemm.lanes();
    int bound = F.loopBound(c);
    for (int j = 0; j < bound; j += L) {
      FloatVector av = FloatVector.fromArray(F, a, aOff + j);
      for (int i0 = 0; i0 < n; i0 += FOLD) {
        int i1 = Math.min(n, i0 + FOLD);
        FloatVector acc = FloatVector.zero(F);
        for (int i = i0; i < i1; i++) {
          FloatVector d = FloatVector.fromArray(F, x, i * c + j).sub(av);
          acc = square ? d.fma(d, acc) : acc.add(d);
        }
        acc.intoArray(lanes, 0);
        for (int e = 0; e < L; e++) {
          total[j + e] += lanes[e];
        }
      }
    }
    for (int j = bound; j < c; j++) {
      double t = 0;
      for (int i = 0; i < n; i++) {
        double d = x[i * c + j] - a[aOff + j];
        t += square ? d * d : d;
      }
      total[j] += t;
    }
  }

  // x (N,C), mean, invstd (C), gamma, beta (C)? -> y (N,C), xhat (N,C)?
  static void normalize(
      float[] x,
      int n,
      int c,
      double[] mean,
      double[] invstd,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat) {
    float[] k = coef(5 * c);
    for (int j = 0; j < c; j++) {
      float muF = (float) mean[j];
      k[j] = muF;
      k[c + j] = (float) (mean[j] - muF);
      k[2 * c + j] = (float) invstd[j];
      k[3 * c + j] = gamma == null ? 1f : gamma[j];
      k[4 * c + j] = beta == null ? 0f : beta[j];
    }
    int bound = F.loopBound(c);
    for (int i = 0; i < n; i++) {
      int row = i * c;
      int j = 0;
      for (; j < bound; j += L) {
        FloatVector h =
            FloatVector.fromArray(F, x, row + j)
                .sub(FloatVector.fromArray(F, k, j))
                .sub(FloatVector.fromArray(F, k, c + j))
                .mul(FloatVector.fromArray(F, k, 2 * c + j));
        if (xhat != null) {
          h.intoArray(xhat, row + j);
        }
        h.fma(FloatVector.fromArray(F, k, 3 * c + j), FloatVector.fromArray(F, k, 4 * c + j))
            .intoArray(y, row + j);
      }
      for (; j < c; j++) {
        float h = (x[row + j] - k[j] - k[c + j]) * k[2 * c + j];
        if (xhat != null) {
          xhat[row + j] = h;
        }
        y[row + j] = Math.fma(h, k[3 * c + j], k[4 * c + j]);
      }
    }
  }

  // dy, xhat (N,C), invstd (C), gamma (C)? -> dx (N,C), dGamma, dBeta (C)? +=
  static void backward(
      boolean train,
      float[] dy,
      float[] xhat,
      int n,
      int c,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    double[][] h = SUMS.get();
    if (h[0].length < 2 * c) {
      h[0] = new double[2 * c];
    }
    double[] sums = h[0];
    java.util.Arrays.fill(sums, 0, 2 * c, 0.0);
    float[] lanes = VectorGemm.lanes();
    int bound = F.loopBound(c);
    for (int j = 0; j < bound; j += L) {
      for (int i0 = 0; i0 < n; i0 += FOLD) {
        int i1 = Math.min(n, i0 + FOLD);
        FloatVector as = FloatVector.zero(F);
        FloatVector ad = as;
        for (int i = i0; i < i1; i++) {
          FloatVector d = FloatVector.fromArray(F, dy, i * c + j);
          as = as.add(d);
          ad = d.fma(FloatVector.fromArray(F, xhat, i * c + j), ad);
        }
        as.intoArray(lanes, 0);
        ad.intoArray(lanes, L);
        for (int e = 0; e < L; e++) {
          sums[j + e] += lanes[e];
          sums[c + j + e] += lanes[L + e];
        }
      }
    }
    for (int j = bound; j < c; j++) {
      for (int i = 0; i < n; i++) {
        sums[j] += dy[i * c + j];
        sums[c + j] += (double) dy[i * c + j] * xhat[i * c + j];
      }
    }
    // dx = dy·g·is − a − x̂·b with a = g·is·Σdy/m, b = g·is·Σdy·x̂/m in training; dy·g·is when
    // the statistics are constants.
    float[] k = coef(3 * c);
    for (int j = 0; j < c; j++) {
      double g = gamma == null ? 1.0 : gamma[j];
      k[j] = (float) (g * invstd[j]);
      k[c + j] = (float) (g * sums[j] / n * invstd[j]);
      k[2 * c + j] = (float) (g * sums[c + j] / n * invstd[j]);
    }
    for (int i = 0; i < n; i++) {
      int row = i * c;
      int j = 0;
      for (; j < bound; j += L) {
        FloatVector d = FloatVector.fromArray(F, dy, row + j).mul(FloatVector.fromArray(F, k, j));
        if (train) {
          d =
              FloatVector.fromArray(F, xhat, row + j)
                  .neg()
                  .fma(
                      FloatVector.fromArray(F, k, 2 * c + j),
                      d.sub(FloatVector.fromArray(F, k, c + j)));
        }
        d.intoArray(dx, row + j);
      }
      for (; j < c; j++) {
        float d = dy[row + j] * k[j];
        dx[row + j] = train ? Math.fma(-xhat[row + j], k[2 * c + j], d - k[c + j]) : d;
      }
    }
    for (int j = 0; j < c; j++) {
      if (dGamma != null) {
        dGamma[j] += (float) sums[c + j];
      }
      if (dBeta != null) {
        dBeta[j] += (float) sums[j];
      }
    }
  }
}
