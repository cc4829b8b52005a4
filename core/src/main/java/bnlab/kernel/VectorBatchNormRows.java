package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorBatchNorm} for one block of (n, C) values, BatchNorm1d after a Linear layer: one
 * value per (sample, channel), so the vectors run across channels along a row instead of along a
 * channel's plane. The block starts at element {@code off} and its statistics are slots {@code r0
 * .. r0 + C − 1}. Same statistics and formulas as the plane kernels: means and variances in two
 * passes with shifted, exact differences, float lanes folded into double every {@link #FOLD} rows;
 * the channels past the last whole vector one at a time with a lane's float operations, so each
 * channel's sums are the same bits whatever the vector width (a lane on one CPU is a tail on
 * another).
 */
final class VectorBatchNormRows {
  private static final VectorSpecies<Float> F = VectorBatchNorm.F;
  private static final int L = VectorBatchNorm.L;

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

  // x (n,C) at off -> mean, var (C) at r0, biased, in double
  static void moments(float[] x, int off, int n, int c, NormStats st, int r0) {
    double[] mean = st.mean();
    double[] var = st.var();
    float[] k = coef(2 * c);
    // Shift by row 0, so offsets like 1000 ± 0.01 lose nothing (Sterbenz); then by μ as float.
    System.arraycopy(x, off, k, 0, c);
    java.util.Arrays.fill(mean, r0, r0 + c, 0.0);
    columnSums(x, off, n, c, k, 0, false, mean, r0);
    for (int j = 0; j < c; j++) {
      double mu = k[j] + mean[r0 + j] / n;
      mean[r0 + j] = mu;
      k[c + j] = (float) mu;
    }
    java.util.Arrays.fill(var, r0, r0 + c, 0.0);
    columnSums(x, off, n, c, k, c, true, var, r0);
    for (int j = 0; j < c; j++) {
      double dm = mean[r0 + j] - k[c + j];
      var[r0 + j] = Math.max(0.0, var[r0 + j] / n - dm * dm);
    }
  }

  /** total[t0 + j] += Σ_i (x[i, j] − a[aOff + j]) or its square, for every channel j. */
  private static void columnSums(
      float[] x,
      int off,
      int n,
      int c,
      float[] a,
      int aOff,
      boolean square,
      double[] total,
      int t0) {
    float[] lanes = VectorBatchNorm.lanes();
    int bound = F.loopBound(c);
    for (int j = 0; j < bound; j += L) {
      FloatVector av = FloatVector.fromArray(F, a, aOff + j);
      for (int i0 = 0; i0 < n; i0 += FOLD) {
        int i1 = Math.min(n, i0 + FOLD);
        FloatVector acc = FloatVector.zero(F);
        for (int i = i0; i < i1; i++) {
          FloatVector d = FloatVector.fromArray(F, x, off + i * c + j).sub(av);
          acc = square ? d.fma(d, acc) : acc.add(d);
        }
        acc.intoArray(lanes, 0);
        for (int e = 0; e < L; e++) {
          total[t0 + j + e] += lanes[e];
        }
      }
    }
    // The last c mod L channels: each the float operations of a vector lane, so a channel's sum
    // does not depend on whether the vector width made it a lane or a tail.
    for (int j = bound; j < c; j++) {
      for (int i0 = 0; i0 < n; i0 += FOLD) {
        int i1 = Math.min(n, i0 + FOLD);
        float acc = 0f;
        for (int i = i0; i < i1; i++) {
          float d = x[off + i * c + j] - a[aOff + j];
          acc = square ? Math.fma(d, d, acc) : acc + d;
        }
        total[t0 + j] += acc;
      }
    }
  }

  // x (n,C) at off, mean, invstd (C) at r0, gamma, beta (C)? -> y (n,C), xhat (n,C)?
  static void normalize(
      float[] x,
      int off,
      int n,
      int c,
      NormStats st,
      int r0,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat) {
    float[] k = coef(5 * c);
    for (int j = 0; j < c; j++) {
      double mean = st.mean()[r0 + j];
      float muF = (float) mean;
      k[j] = muF;
      k[c + j] = (float) (mean - muF);
      k[2 * c + j] = (float) st.invstd()[r0 + j];
      k[3 * c + j] = gamma == null ? 1f : gamma[j];
      k[4 * c + j] = beta == null ? 0f : beta[j];
    }
    int bound = F.loopBound(c);
    for (int i = 0; i < n; i++) {
      int row = off + i * c;
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

  /**
   * dy, xhat (n,C) at off -&gt; A = γ·Σdy, B = γ·Σdy·x̂ (C) at r0; dGamma += Σdy·x̂, dBeta += Σdy.
   */
  static void sums(
      float[] dy,
      float[] xhat,
      int off,
      int n,
      int c,
      NormStats st,
      int r0,
      float[] gamma,
      float[] dGamma,
      float[] dBeta) {
    double[][] h = SUMS.get();
    if (h[0].length < 2 * c) {
      h[0] = new double[2 * c];
    }
    double[] sums = h[0];
    java.util.Arrays.fill(sums, 0, 2 * c, 0.0);
    float[] lanes = VectorBatchNorm.lanes();
    int bound = F.loopBound(c);
    for (int j = 0; j < bound; j += L) {
      for (int i0 = 0; i0 < n; i0 += FOLD) {
        int i1 = Math.min(n, i0 + FOLD);
        FloatVector as = FloatVector.zero(F);
        FloatVector ad = as;
        for (int i = i0; i < i1; i++) {
          FloatVector d = FloatVector.fromArray(F, dy, off + i * c + j);
          as = as.add(d);
          ad = d.fma(FloatVector.fromArray(F, xhat, off + i * c + j), ad);
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
      // As a lane would (see columnSums).
      for (int i0 = 0; i0 < n; i0 += FOLD) {
        int i1 = Math.min(n, i0 + FOLD);
        float as = 0f;
        float ad = 0f;
        for (int i = i0; i < i1; i++) {
          float d = dy[off + i * c + j];
          as += d;
          ad = Math.fma(d, xhat[off + i * c + j], ad);
        }
        sums[j] += as;
        sums[c + j] += ad;
      }
    }
    for (int j = 0; j < c; j++) {
      double g = gamma == null ? 1.0 : gamma[j];
      st.sumDxhat()[r0 + j] = g * sums[j];
      st.sumDxhatXhat()[r0 + j] = g * sums[c + j];
      if (dGamma != null) {
        dGamma[j] += (float) sums[c + j];
      }
      if (dBeta != null) {
        dBeta[j] += (float) sums[j];
      }
    }
  }

  /**
   * dx = dy·g·is − a − x̂·b with a = is·A/m, b = is·B/m in training; dy·g·is when the statistics
   * are constants. dy, xhat (n,C) at off -&gt; dx (n,C).
   */
  static void apply(
      boolean train,
      float[] dy,
      float[] xhat,
      int off,
      int n,
      int c,
      NormStats st,
      int r0,
      float[] gamma,
      float[] dx) {
    double m = st.count();
    float[] k = coef(3 * c);
    for (int j = 0; j < c; j++) {
      double g = gamma == null ? 1.0 : gamma[j];
      double invstd = st.invstd()[r0 + j];
      k[j] = (float) (g * invstd);
      k[c + j] = (float) (st.sumDxhat()[r0 + j] / m * invstd);
      k[2 * c + j] = (float) (st.sumDxhatXhat()[r0 + j] / m * invstd);
    }
    int bound = F.loopBound(c);
    for (int i = 0; i < n; i++) {
      int row = off + i * c;
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
  }
}
