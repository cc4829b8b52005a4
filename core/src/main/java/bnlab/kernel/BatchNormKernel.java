package bnlab.kernel;

/**
 * Naive scalar Batch Normalization kernels (Ioffe &amp; Szegedy 2015) over a flat (N, C, S) view:
 * element (i, j, k) of channel j sits at {@code (i*c + j)*s + k}. S is the product of the spatial
 * dimensions (1 for (N, C) input), so BatchNorm1d/2d/3d and a channels-last layer, viewed as (N·S,
 * C, 1), share these loops.
 *
 * <p>All reductions run in double and the statistics are kept in double: with inputs near 1000 and
 * a spread of 0.01, a float mean alone is off by up to 3e-5, i.e. 0.3% of the spread, and a float
 * one-pass variance E[x²]−E[x]² is meaningless. Two passes (mean, then Σ(x−μ)²) in double keep x̂
 * accurate to float rounding. A vectorized twin must keep these signatures and semantics.
 *
 * <p>{@code gamma}/{@code beta} may be null (no scale / no shift: γ = 1, β = 0); gradient outputs
 * that are null are skipped, the others are accumulated into ({@code +=}).
 */
public final class BatchNormKernel {
  private BatchNormKernel() {}

  /**
   * Per-channel batch mean and biased variance (÷m, m = n·s), two-pass in double.
   *
   * <p>x (N,C,S) -&gt; mean (C), var (C)
   */
  public static void meanVar(float[] x, int n, int c, int s, double[] mean, double[] var) {
    double m = (double) n * s;
    for (int j = 0; j < c; j++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        int base = (i * c + j) * s;
        for (int k = 0; k < s; k++) {
          sum += x[base + k];
        }
      }
      double mu = sum / m;
      double sq = 0;
      for (int i = 0; i < n; i++) {
        int base = (i * c + j) * s;
        for (int k = 0; k < s; k++) {
          double d = x[base + k] - mu;
          sq += d * d;
        }
      }
      mean[j] = mu;
      var[j] = sq / m;
    }
  }

  /** invstd[j] = 1/sqrt(var[j] + eps). */
  public static void invStd(double[] var, double eps, int c, double[] invstd) {
    for (int j = 0; j < c; j++) {
      invstd[j] = 1.0 / Math.sqrt(var[j] + eps);
    }
  }

  /**
   * x̂ = (x − mean)·invstd, y = γ·x̂ + β, in double per element; stores x̂ if {@code xhat} is not
   * null (training caches it for backward).
   *
   * <p>x (N,C,S), mean (C), invstd (C), gamma (C)?, beta (C)? -&gt; y (N,C,S), xhat (N,C,S)?
   */
  public static void normalize(
      float[] x,
      int n,
      int c,
      int s,
      double[] mean,
      double[] invstd,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat) {
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < c; j++) {
        int base = (i * c + j) * s;
        double mu = mean[j];
        double is = invstd[j];
        double g = gamma == null ? 1.0 : gamma[j];
        double b = beta == null ? 0.0 : beta[j];
        for (int k = 0; k < s; k++) {
          double h = (x[base + k] - mu) * is;
          if (xhat != null) {
            xhat[base + k] = (float) h;
          }
          y[base + k] = (float) (g * h + b);
        }
      }
    }
  }

  /**
   * PyTorch's running-statistics update with factor f: running_mean ← (1−f)·running_mean + f·μ,
   * running_var ← (1−f)·running_var + f·v with v = σ²·m/(m−1) (unbiased, PyTorch) or v = σ²
   * (biased, Keras 3) where σ² is the biased batch variance and m the values per channel.
   */
  public static void updateRunning(
      float[] runningMean,
      float[] runningVar,
      double[] mean,
      double[] var,
      int c,
      long m,
      double factor,
      boolean unbiased) {
    double bessel = unbiased ? (double) m / (m - 1) : 1.0;
    for (int j = 0; j < c; j++) {
      runningMean[j] = (float) ((1 - factor) * runningMean[j] + factor * mean[j]);
      runningVar[j] = (float) ((1 - factor) * runningVar[j] + factor * var[j] * bessel);
    }
  }

  /**
   * Training-mode backward through the batch statistics, per channel with m = n·s:
   *
   * <pre>
   * dx̂ = dy·γ
   * dx  = invstd/m · (m·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂))
   * dγ += Σ dy·x̂ ;  dβ += Σ dy
   * </pre>
   *
   * dy, xhat (N,C,S), invstd (C), gamma (C)? -&gt; dx (N,C,S), dGamma (C)? +=, dBeta (C)? +=
   */
  public static void backwardTrain(
      float[] dy,
      float[] xhat,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    double m = (double) n * s;
    for (int j = 0; j < c; j++) {
      double sumDy = 0;
      double sumDyXhat = 0;
      for (int i = 0; i < n; i++) {
        int base = (i * c + j) * s;
        for (int k = 0; k < s; k++) {
          sumDy += dy[base + k];
          sumDyXhat += (double) dy[base + k] * xhat[base + k];
        }
      }
      double g = gamma == null ? 1.0 : gamma[j];
      // Σdx̂ = γ·Σdy and Σdx̂·x̂ = γ·Σdy·x̂, so both sums come from one pass over dy.
      double meanDxhat = g * sumDy / m;
      double meanDxhatXhat = g * sumDyXhat / m;
      double scale = invstd[j];
      for (int i = 0; i < n; i++) {
        int base = (i * c + j) * s;
        for (int k = 0; k < s; k++) {
          double dxhat = dy[base + k] * g;
          dx[base + k] = (float) (scale * (dxhat - meanDxhat - xhat[base + k] * meanDxhatXhat));
        }
      }
      accumulate(dGamma, dBeta, j, sumDyXhat, sumDy);
    }
  }

  /**
   * Backward when the statistics are constants (eval mode with running statistics): dx =
   * dy·γ·invstd, dγ += Σ dy·x̂, dβ += Σ dy.
   *
   * <p>dy, xhat (N,C,S), invstd (C), gamma (C)? -&gt; dx (N,C,S), dGamma (C)? +=, dBeta (C)? +=
   */
  public static void backwardFrozen(
      float[] dy,
      float[] xhat,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    for (int j = 0; j < c; j++) {
      double sumDy = 0;
      double sumDyXhat = 0;
      double scale = (gamma == null ? 1.0 : gamma[j]) * invstd[j];
      for (int i = 0; i < n; i++) {
        int base = (i * c + j) * s;
        for (int k = 0; k < s; k++) {
          double d = dy[base + k];
          sumDy += d;
          sumDyXhat += d * xhat[base + k];
          dx[base + k] = (float) (d * scale);
        }
      }
      accumulate(dGamma, dBeta, j, sumDyXhat, sumDy);
    }
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
