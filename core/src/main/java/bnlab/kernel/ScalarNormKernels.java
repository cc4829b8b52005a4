package bnlab.kernel;

/**
 * The naive normalization kernels: the formulas of {@link NormKernels} as plain loops over a {@link
 * NormLayout}, the same few loops for BatchNorm, Ghost BatchNorm, BatchRenorm, SyncBatchNorm,
 * GroupNorm, LayerNorm and InstanceNorm (Ioffe &amp; Szegedy 2015; Wu &amp; He 2018). The Vector
 * API twin is tested against these.
 *
 * <p>Everything runs in double and the statistics are kept in double: with inputs near 1000 and a
 * spread of 0.01, a float mean alone is off by up to 3e-5, i.e. 0.3% of the spread, and a float
 * one-pass variance E[x²] − E[x]² is meaningless. Two passes (mean, then Σ(x − μ)²) in double keep
 * x̂ accurate to float rounding.
 */
final class ScalarNormKernels implements NormKernels {

  // x (n,c,s) -> mean, var (slots): per slot, the mean, then the squared deviations from it
  @Override
  public void moments(float[] x, NormLayout v, NormStats st) {
    double m = v.count();
    double[] mean = st.mean();
    double[] var = st.var();
    for (int b = 0; b < v.blocks(); b++) {
      for (int q = 0; q < v.groups(); q++) {
        double sum = 0;
        for (int i = b * v.blockSize(); i < (b + 1) * v.blockSize(); i++) {
          for (int j = q * v.groupSize(); j < (q + 1) * v.groupSize(); j++) {
            int base = (i * v.c() + j) * v.s();
            for (int k = 0; k < v.s(); k++) {
              sum += x[base + k];
            }
          }
        }
        double mu = sum / m;
        double sq = 0;
        for (int i = b * v.blockSize(); i < (b + 1) * v.blockSize(); i++) {
          for (int j = q * v.groupSize(); j < (q + 1) * v.groupSize(); j++) {
            int base = (i * v.c() + j) * v.s();
            for (int k = 0; k < v.s(); k++) {
              double d = x[base + k] - mu;
              sq += d * d;
            }
          }
        }
        int r = b * v.groups() + q;
        mean[r] = mu;
        var[r] = sq / m;
      }
    }
  }

  // x (n,c,s), mean/invstd (slots), gamma/beta (c)? -> y (n,c,s), xhat (n,c,s)?
  @Override
  public void normalize(
      float[] x,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat,
      boolean relu) {
    for (int i = 0; i < v.n(); i++) {
      for (int j = 0; j < v.c(); j++) {
        normalizeRow(
            x, (i * v.c() + j) * v.s(), v.s(), st, v.slot(i, j), j, gamma, beta, y, xhat, relu);
      }
    }
  }

  // The s values of channel j (statistics in slot r) at base.
  private static void normalizeRow(
      float[] x,
      int base,
      int s,
      NormStats st,
      int r,
      int j,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat,
      boolean relu) {
    double mu = st.mean()[r];
    double is = st.invstd()[r];
    double g = gamma == null ? 1.0 : gamma[j];
    double b = beta == null ? 0.0 : beta[j];
    for (int k = 0; k < s; k++) {
      double h = (x[base + k] - mu) * is;
      if (xhat != null) {
        xhat[base + k] = (float) h;
      }
      float z = (float) (g * h + b);
      // ReLU's rule (PoolActivationKernels.relu): ≤ 0, −0 included, gives +0; NaN stays.
      y[base + k] = relu && z <= 0f ? 0f : z;
    }
  }

  @Override
  public void normalizeInPlace(
      float[] y,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] beta,
      int t0,
      int t1,
      int j0,
      int j1,
      boolean relu) {
    NormKernels.checkInPlace(v);
    for (int i = t0; i < t1; i++) {
      for (int j = j0; j < j1; j++) {
        normalizeRow(y, (i * v.c() + j) * v.s(), v.s(), st, j, j, gamma, beta, y, null, relu);
      }
    }
  }

  @Override
  public void momentsNormalize(
      float[] x,
      NormLayout v,
      double eps,
      NormStats st,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat,
      boolean relu) {
    moments(x, v, st);
    for (int r = 0; r < v.slots(); r++) {
      st.invstd()[r] = 1.0 / Math.sqrt(st.var()[r] + eps);
    }
    normalize(x, v, st, gamma, beta, y, xhat, relu);
  }

  /** Every layout: the loops take a ReLU after the normalization as they are. */
  @Override
  public boolean fusesRelu(NormLayout v) {
    return true;
  }

  @Override
  public boolean recomputesXhat(NormLayout v) {
    return false;
  }

  /**
   * dy, x̂ (n,c,s), gamma (c)? -&gt; A, B (slots); dGamma, dBeta (c)? +=. Cell by cell (a channel
   * within a block of samples), so that γ_j multiplies a cell's sum once.
   */
  @Override
  public void sums(
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dGamma,
      float[] dBeta) {
    java.util.Arrays.fill(st.sumDxhat(), 0, v.slots(), 0.0);
    java.util.Arrays.fill(st.sumDxhatXhat(), 0, v.slots(), 0.0);
    for (int j = 0; j < v.c(); j++) {
      double g = gamma == null ? 1.0 : gamma[j];
      double totalDy = 0;
      double totalDyXhat = 0;
      for (int b = 0; b < v.blocks(); b++) {
        int r = b * v.groups() + j / v.groupSize();
        double sumDy = 0;
        double sumDyXhat = 0;
        for (int i = b * v.blockSize(); i < (b + 1) * v.blockSize(); i++) {
          int base = (i * v.c() + j) * v.s();
          for (int k = 0; k < v.s(); k++) {
            sumDy += dy[base + k];
            sumDyXhat += (double) dy[base + k] * xhat(src, fromInput, base + k, st, r);
          }
        }
        // Σ dx̂ = γ_j·Σ dy over the cell: one pass over dy gives both sums.
        st.sumDxhat()[r] += g * sumDy;
        st.sumDxhatXhat()[r] += g * sumDyXhat;
        totalDy += sumDy;
        totalDyXhat += sumDyXhat;
      }
      accumulate(dGamma, dBeta, j, totalDyXhat, totalDy);
    }
  }

  // dy, x̂ (n,c,s), invstd, A, B (slots), gamma (c)? -> dx (n,c,s)
  @Override
  public void apply(
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dx) {
    double m = st.count();
    for (int i = 0; i < v.n(); i++) {
      for (int j = 0; j < v.c(); j++) {
        int r = v.slot(i, j);
        int base = (i * v.c() + j) * v.s();
        double g = gamma == null ? 1.0 : gamma[j];
        double meanDxhat = st.sumDxhat()[r] / m;
        double meanDxhatXhat = st.sumDxhatXhat()[r] / m;
        double is = st.invstd()[r];
        for (int k = 0; k < v.s(); k++) {
          double dxhat = dy[base + k] * g;
          double h = xhat(src, fromInput, base + k, st, r);
          dx[base + k] = (float) (is * (dxhat - meanDxhat - h * meanDxhatXhat));
        }
      }
    }
  }

  @Override
  public void backward(
      boolean train,
      float[] dy,
      float[] relu,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    if (relu != null) {
      // ReLU's backward (dy where its output is > 0, else +0) into dx, which then stands for dy:
      // every loop below reads dy[i] before it writes dx[i].
      for (int i = 0; i < v.n() * v.c() * v.s(); i++) {
        dx[i] = relu[i] > 0f ? dy[i] : 0f;
      }
      dy = dx;
    }
    if (train) {
      sums(dy, src, fromInput, v, st, gamma, dGamma, dBeta);
      apply(dy, src, fromInput, v, st, gamma, dx);
      return;
    }
    // Constant statistics: x̂ is an affine function of x alone, dx = γ·invstd·dy.
    for (int j = 0; j < v.c(); j++) {
      double g = gamma == null ? 1.0 : gamma[j];
      double sumDy = 0;
      double sumDyXhat = 0;
      for (int i = 0; i < v.n(); i++) {
        int r = v.slot(i, j);
        int base = (i * v.c() + j) * v.s();
        double scale = g * st.invstd()[r];
        for (int k = 0; k < v.s(); k++) {
          double d = dy[base + k];
          sumDy += d;
          sumDyXhat += d * xhat(src, fromInput, base + k, st, r);
          dx[base + k] = (float) (d * scale);
        }
      }
      accumulate(dGamma, dBeta, j, sumDyXhat, sumDy);
    }
  }

  /** x̂ at {@code idx}: stored, or recomputed from x as {@link #normalize} rounds it. */
  private static float xhat(float[] src, boolean fromInput, int idx, NormStats st, int r) {
    return fromInput ? (float) ((src[idx] - st.mean()[r]) * st.invstd()[r]) : src[idx];
  }

  private static void accumulate(
      float[] dGamma, float[] dBeta, int j, double sumDyXhat, double sumDy) {
    if (dGamma != null) {
      dGamma[j] += (float) sumDyXhat;
    }
    if (dBeta != null) {
      dBeta[j] += (float) sumDy;
    }
  }
}
