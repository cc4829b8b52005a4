package bnlab.kernel;

/**
 * Naive scalar kernels for normalizations whose statistics are taken per sample: GroupNorm (Wu
 * &amp; He 2018), and through it LayerNorm (G = 1 over a (N, M, 1) view) and InstanceNorm (G = C).
 *
 * <p>Layout (N, C, S) as {@link BatchNormKernel}: element (i, j, k) at {@code (i*c + j)*s + k}. The
 * C channels of a sample form G groups of C/G consecutive channels; a group is therefore one
 * contiguous run of m = (C/G)·S values at offset {@code (i*g + q)*m}, and its statistics are
 * indexed {@code i*g + q}. Reductions run in double, two-pass, as in {@link BatchNormKernel}. The
 * affine transform is per channel: γ[j], β[j] (null means 1 and 0).
 */
public final class GroupNormKernel {
  private GroupNormKernel() {}

  /**
   * Per (sample, group) mean and 1/√(biased variance + eps); optionally the biased variance.
   *
   * <p>x (N,C,S) -&gt; mean (N·G), invstd (N·G), var (N·G)?
   */
  public static void stats(
      float[] x,
      int n,
      int c,
      int s,
      int g,
      double eps,
      double[] mean,
      double[] invstd,
      double[] var) {
    int m = c / g * s;
    for (int r = 0; r < n * g; r++) {
      int base = r * m;
      double sum = 0;
      for (int k = 0; k < m; k++) {
        sum += x[base + k];
      }
      double mu = sum / m;
      double sq = 0;
      for (int k = 0; k < m; k++) {
        double d = x[base + k] - mu;
        sq += d * d;
      }
      mean[r] = mu;
      invstd[r] = 1.0 / Math.sqrt(sq / m + eps);
      if (var != null) {
        var[r] = sq / m;
      }
    }
  }

  /**
   * x̂ = (x − mean)·invstd per group, y = γ[j]·x̂ + β[j] per channel; x̂ stored for backward.
   *
   * <p>x (N,C,S), mean/invstd (N·G), gamma/beta (C)? -&gt; y (N,C,S), xhat (N,C,S)
   */
  public static void normalize(
      float[] x,
      int n,
      int c,
      int s,
      int g,
      double[] mean,
      double[] invstd,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat) {
    int cpg = c / g;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < c; j++) {
        int r = i * g + j / cpg;
        int base = (i * c + j) * s;
        double mu = mean[r];
        double is = invstd[r];
        double gj = gamma == null ? 1.0 : gamma[j];
        double bj = beta == null ? 0.0 : beta[j];
        for (int k = 0; k < s; k++) {
          double h = (x[base + k] - mu) * is;
          xhat[base + k] = (float) h;
          y[base + k] = (float) (gj * h + bj);
        }
      }
    }
  }

  /**
   * Backward through the per-group statistics, with dx̂ = dy·γ[j] and m values per group:
   *
   * <pre>
   * dx  = invstd/m · (m·dx̂ − Σ_group dx̂ − x̂·Σ_group dx̂·x̂)
   * dγ[j] += Σ_{i,k} dy·x̂ ;  dβ[j] += Σ_{i,k} dy
   * </pre>
   *
   * dy, xhat (N,C,S), invstd (N·G), gamma (C)? -&gt; dx (N,C,S), dGamma (C)? +=, dBeta (C)? +=
   */
  public static void backward(
      float[] dy,
      float[] xhat,
      int n,
      int c,
      int s,
      int g,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    int cpg = c / g;
    double m = (double) cpg * s;
    for (int i = 0; i < n; i++) {
      for (int q = 0; q < g; q++) {
        double sumDxhat = 0;
        double sumDxhatXhat = 0;
        for (int j = q * cpg; j < (q + 1) * cpg; j++) {
          int base = (i * c + j) * s;
          double gj = gamma == null ? 1.0 : gamma[j];
          double sDy = 0;
          double sDyXhat = 0;
          for (int k = 0; k < s; k++) {
            sDy += dy[base + k];
            sDyXhat += (double) dy[base + k] * xhat[base + k];
          }
          sumDxhat += gj * sDy;
          sumDxhatXhat += gj * sDyXhat;
          if (dGamma != null) {
            dGamma[j] += (float) sDyXhat;
          }
          if (dBeta != null) {
            dBeta[j] += (float) sDy;
          }
        }
        double is = invstd[i * g + q];
        double meanDxhat = sumDxhat / m;
        double meanDxhatXhat = sumDxhatXhat / m;
        for (int j = q * cpg; j < (q + 1) * cpg; j++) {
          int base = (i * c + j) * s;
          double gj = gamma == null ? 1.0 : gamma[j];
          for (int k = 0; k < s; k++) {
            double dxhat = dy[base + k] * gj;
            dx[base + k] = (float) (is * (dxhat - meanDxhat - xhat[base + k] * meanDxhatXhat));
          }
        }
      }
    }
  }
}
