package bnlab.kernel;

/**
 * {@link VectorBatchNorm} for one block of (n, C) values, BatchNorm1d after a Linear layer: one
 * value per (sample, channel), so the loops run across channels along a row instead of along a
 * channel's plane. The block starts at element {@code off} and its statistics are slots {@code r0
 * .. r0 + C − 1}. Same statistics and formulas as the plane kernels: means and variances in two
 * passes with shifted, exact differences, float sums folded into double every {@link #FOLD} rows.
 *
 * <p>Plain loops over the channels, which C2 vectorizes (each channel's operations are independent
 * of its neighbours', so the bits are those of one float lane, whatever the vector width), not the
 * Vector API: these kernels run once per layer and step, so they stay in the interpreter and C1 for
 * tens of steps of a large network, where every Vector API operation allocates its vector (9 MB per
 * step of vgg-bn at batch 128, measured with JFR).
 */
final class VectorBatchNormRows {
  /** Rows summed in float before they are added into the double totals. */
  static final int FOLD = 32;

  /** Per-thread per-channel coefficients and float sums (5·C floats). */
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
    float[] k = coef(3 * c);
    // Shift by row 0, so offsets like 1000 ± 0.01 lose nothing (Sterbenz); then by μ as float.
    System.arraycopy(x, off, k, 0, c);
    java.util.Arrays.fill(mean, r0, r0 + c, 0.0);
    columnSums(x, off, n, c, k, 0, false, mean, r0, k, 2 * c);
    for (int j = 0; j < c; j++) {
      double mu = k[j] + mean[r0 + j] / n;
      mean[r0 + j] = mu;
      k[c + j] = (float) mu;
    }
    java.util.Arrays.fill(var, r0, r0 + c, 0.0);
    columnSums(x, off, n, c, k, c, true, var, r0, k, 2 * c);
    for (int j = 0; j < c; j++) {
      double dm = mean[r0 + j] - k[c + j];
      var[r0 + j] = Math.max(0.0, var[r0 + j] / n - dm * dm);
    }
  }

  /**
   * total[t0 + j] += Σ_i (x[i, j] − a[aOff + j]) or its square, for every channel j, each FOLD rows
   * summed in float in acc[accOff, accOff + C) first.
   */
  private static void columnSums(
      float[] x,
      int off,
      int n,
      int c,
      float[] a,
      int aOff,
      boolean square,
      double[] total,
      int t0,
      float[] acc,
      int accOff) {
    for (int i0 = 0; i0 < n; i0 += FOLD) {
      int i1 = Math.min(n, i0 + FOLD);
      java.util.Arrays.fill(acc, accOff, accOff + c, 0f);
      for (int i = i0; i < i1; i++) {
        int row = off + i * c;
        if (square) {
          for (int j = 0; j < c; j++) {
            float d = x[row + j] - a[aOff + j];
            acc[accOff + j] = Math.fma(d, d, acc[accOff + j]);
          }
        } else {
          for (int j = 0; j < c; j++) {
            acc[accOff + j] += x[row + j] - a[aOff + j];
          }
        }
      }
      for (int j = 0; j < c; j++) {
        total[t0 + j] += acc[accOff + j];
      }
    }
  }

  // x (n,C) at off, mean, invstd (C) at r0, gamma, beta (C)? -> y (n,C), xhat (n,C)?; with relu,
  // y = relu(γ·x̂ + β) (the bits of the ReLU pass: x ≤ 0, −0 included, becomes +0; NaN stays)
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
      float[] xhat,
      boolean relu) {
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
    for (int i = 0; i < n; i++) {
      int row = off + i * c;
      for (int j = 0; j < c; j++) {
        float h = (x[row + j] - k[j] - k[c + j]) * k[2 * c + j];
        if (xhat != null) {
          xhat[row + j] = h;
        }
        float z = Math.fma(h, k[3 * c + j], k[4 * c + j]);
        y[row + j] = relu && z <= 0f ? 0f : z;
      }
    }
  }

  /**
   * dy, xhat (n,C) at off -&gt; A = γ·Σdy, B = γ·Σdy·x̂ (C) at r0; dGamma += Σdy·x̂, dBeta += Σdy.
   * With {@code relu} (the fused ReLU's output, or null) dy counts only where relu &gt; 0: the
   * values the ReLU's backward would have passed on.
   */
  static void sums(
      float[] dy,
      float[] relu,
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
    float[] acc = coef(2 * c);
    for (int i0 = 0; i0 < n; i0 += FOLD) {
      int i1 = Math.min(n, i0 + FOLD);
      java.util.Arrays.fill(acc, 0, 2 * c, 0f);
      for (int i = i0; i < i1; i++) {
        int row = off + i * c;
        for (int j = 0; j < c; j++) {
          float d = relu == null || relu[row + j] > 0f ? dy[row + j] : 0f;
          acc[j] += d;
          acc[c + j] = Math.fma(d, xhat[row + j], acc[c + j]);
        }
      }
      for (int j = 0; j < 2 * c; j++) {
        sums[j] += acc[j];
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
   * are constants. dy, xhat (n,C) at off -&gt; dx (n,C); dy masked by {@code relu} as in {@link
   * #sums}.
   */
  static void apply(
      boolean train,
      float[] dy,
      float[] relu,
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
    for (int i = 0; i < n; i++) {
      int row = off + i * c;
      for (int j = 0; j < c; j++) {
        float g = relu == null || relu[row + j] > 0f ? dy[row + j] : 0f;
        float d = g * k[j];
        dx[row + j] = train ? Math.fma(-xhat[row + j], k[2 * c + j], d - k[c + j]) : d;
      }
    }
  }
}
