package bnlab.kernel;

/**
 * Naive scalar Ghost Batch Normalization kernels (Hoffer, Hubara &amp; Soudry 2017): the batch (N,
 * C, S) is viewed as V virtual batches of nb = N/V samples, (V, nb, C, S), and every virtual batch
 * is batch-normalized on its own. Element (b, i, j, k) sits at {@code ((b*nb + i)*c + j)*s + k};
 * statistics are indexed {@code b*c + j}. With V = 1 these are {@link BatchNormKernel}'s loops;
 * reductions run in double, two-pass, as there.
 */
public final class GhostBatchNormKernel {
  private GhostBatchNormKernel() {}

  /** x (V·nb,C,S) -&gt; mean (V·C), biased var (V·C) per virtual batch and channel. */
  public static void meanVar(float[] x, int v, int nb, int c, int s, double[] mean, double[] var) {
    double m = (double) nb * s;
    for (int b = 0; b < v; b++) {
      for (int j = 0; j < c; j++) {
        double sum = 0;
        for (int i = 0; i < nb; i++) {
          int base = ((b * nb + i) * c + j) * s;
          for (int k = 0; k < s; k++) {
            sum += x[base + k];
          }
        }
        double mu = sum / m;
        double sq = 0;
        for (int i = 0; i < nb; i++) {
          int base = ((b * nb + i) * c + j) * s;
          for (int k = 0; k < s; k++) {
            double d = x[base + k] - mu;
            sq += d * d;
          }
        }
        mean[b * c + j] = mu;
        var[b * c + j] = sq / m;
      }
    }
  }

  /**
   * x̂ = (x − mean[b,j])·invstd[b,j], y = γ[j]·x̂ + β[j].
   *
   * <p>x (V·nb,C,S), mean/invstd (V·C), gamma/beta (C)? -&gt; y, xhat (V·nb,C,S)
   */
  public static void normalize(
      float[] x,
      int v,
      int nb,
      int c,
      int s,
      double[] mean,
      double[] invstd,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat) {
    for (int r = 0; r < v * nb; r++) {
      int b = r / nb;
      for (int j = 0; j < c; j++) {
        int base = (r * c + j) * s;
        double mu = mean[b * c + j];
        double is = invstd[b * c + j];
        double g = gamma == null ? 1.0 : gamma[j];
        double bj = beta == null ? 0.0 : beta[j];
        for (int k = 0; k < s; k++) {
          double h = (x[base + k] - mu) * is;
          xhat[base + k] = (float) h;
          y[base + k] = (float) (g * h + bj);
        }
      }
    }
  }

  /**
   * Training backward per virtual batch (m = nb·s values per statistic), BatchNorm's formula: dx =
   * invstd/m·(m·dx̂ − Σdx̂ − x̂·Σdx̂·x̂) with dx̂ = dy·γ; dγ += Σ dy·x̂, dβ += Σ dy over the whole
   * batch.
   *
   * <p>dy, xhat (V·nb,C,S), invstd (V·C), gamma (C)? -&gt; dx, dGamma (C)? +=, dBeta (C)? +=
   */
  public static void backwardTrain(
      float[] dy,
      float[] xhat,
      int v,
      int nb,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    double m = (double) nb * s;
    for (int j = 0; j < c; j++) {
      double g = gamma == null ? 1.0 : gamma[j];
      double totalDy = 0;
      double totalDyXhat = 0;
      for (int b = 0; b < v; b++) {
        double sumDy = 0;
        double sumDyXhat = 0;
        for (int i = 0; i < nb; i++) {
          int base = ((b * nb + i) * c + j) * s;
          for (int k = 0; k < s; k++) {
            sumDy += dy[base + k];
            sumDyXhat += (double) dy[base + k] * xhat[base + k];
          }
        }
        double meanDxhat = g * sumDy / m;
        double meanDxhatXhat = g * sumDyXhat / m;
        double is = invstd[b * c + j];
        for (int i = 0; i < nb; i++) {
          int base = ((b * nb + i) * c + j) * s;
          for (int k = 0; k < s; k++) {
            double dxhat = dy[base + k] * g;
            dx[base + k] = (float) (is * (dxhat - meanDxhat - xhat[base + k] * meanDxhatXhat));
          }
        }
        totalDy += sumDy;
        totalDyXhat += sumDyXhat;
      }
      if (dGamma != null) {
        dGamma[j] += (float) totalDyXhat;
      }
      if (dBeta != null) {
        dBeta[j] += (float) totalDy;
      }
    }
  }
}
