package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@link BatchNormKernel}: same signatures, same semantics, same statistical
 * care, over the flat (N, C, S) view (element (i, j, k) at {@code (i*c + j)*s + k}).
 *
 * <p>Float vectors do the per-element work; every sum is taken in float lanes over blocks of at
 * most {@link #BLOCK} elements of one (i, j) row, folded in a fixed order and added in double, so
 * no float accumulator ever holds more than a short run. The mean is summed as x − x₀ (x₀ the
 * channel's first element, so inputs like 1000 ± 0.01 lose nothing to their offset: the difference
 * is exact by Sterbenz's lemma), and the variance as Σ(x − μ_f)² − m·(μ − μ_f)² with μ_f = μ
 * rounded to float, again exact differences. Normalization subtracts μ as μ_f and then the small
 * remainder μ − μ_f, so x̂ keeps float accuracy relative to the spread, not to the offset.
 *
 * <p>Rows shorter than one vector (S &lt; lanes, e.g. BatchNorm1d on (N, C)) go to the scalar
 * kernel, which is as fast there.
 */
final class VectorBatchNorm {
  private static final VectorSpecies<Float> F = VectorGemm.S;
  private static final int L = VectorGemm.L;

  /** Longest run summed in float lanes before the partial sum moves to double. */
  static final int BLOCK = 64 * L;

  private VectorBatchNorm() {}

  // x (N,C,S) -> mean (C), var (C), biased, in double
  static void meanVar(float[] x, int n, int c, int s, double[] mean, double[] var) {
    if (s < L) {
      BatchNormKernel.meanVar(x, n, c, s, mean, var);
      return;
    }
    double m = (double) n * s;
    for (int j = 0; j < c; j++) {
      float shift = x[j * s];
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += sumMinus(x, (i * c + j) * s, s, shift, false);
      }
      double mu = shift + sum / m;
      float muF = (float) mu;
      double sq = 0;
      for (int i = 0; i < n; i++) {
        sq += sumMinus(x, (i * c + j) * s, s, muF, true);
      }
      double dm = mu - muF;
      mean[j] = mu;
      var[j] = Math.max(0.0, sq / m - dm * dm);
    }
  }

  /** Σ (x − a) or Σ (x − a)² over x[off, off+len), float lanes per block, double across blocks. */
  private static double sumMinus(float[] x, int off, int len, float a, boolean square) {
    float[] lanes = VectorGemm.lanes();
    FloatVector av = FloatVector.broadcast(F, a);
    double total = 0;
    int k = 0;
    for (int bound = F.loopBound(len); k < bound; ) {
      int end = Math.min(bound, k + BLOCK);
      FloatVector acc = FloatVector.zero(F);
      for (; k < end; k += L) {
        FloatVector d = FloatVector.fromArray(F, x, off + k).sub(av);
        acc = square ? d.fma(d, acc) : acc.add(d);
      }
      acc.intoArray(lanes, 0);
      total += VectorGemm.sumLanes(lanes, 0);
    }
    for (; k < len; k++) {
      double d = x[off + k] - a;
      total += square ? d * d : d;
    }
    return total;
  }

  /** invstd[j] = 1/sqrt(var[j] + eps): per channel, no vector work to do. */
  static void invStd(double[] var, double eps, int c, double[] invstd) {
    BatchNormKernel.invStd(var, eps, c, invstd);
  }

  // x (N,C,S), mean (C), invstd (C), gamma (C)?, beta (C)? -> y (N,C,S), xhat (N,C,S)?
  static void normalize(
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
    if (s < L) {
      BatchNormKernel.normalize(x, n, c, s, mean, invstd, gamma, beta, y, xhat);
      return;
    }
    for (int j = 0; j < c; j++) {
      float muF = (float) mean[j];
      float dm = (float) (mean[j] - muF);
      float is = (float) invstd[j];
      float g = gamma == null ? 1f : gamma[j];
      float b = beta == null ? 0f : beta[j];
      FloatVector muV = FloatVector.broadcast(F, muF);
      FloatVector dmV = FloatVector.broadcast(F, dm);
      FloatVector isV = FloatVector.broadcast(F, is);
      FloatVector gV = FloatVector.broadcast(F, g);
      FloatVector bV = FloatVector.broadcast(F, b);
      for (int i = 0; i < n; i++) {
        int base = (i * c + j) * s;
        int k = 0;
        for (int bound = F.loopBound(s); k < bound; k += L) {
          FloatVector h = FloatVector.fromArray(F, x, base + k).sub(muV).sub(dmV).mul(isV);
          if (xhat != null) {
            h.intoArray(xhat, base + k);
          }
          h.fma(gV, bV).intoArray(y, base + k);
        }
        for (; k < s; k++) {
          float h = (x[base + k] - muF - dm) * is;
          if (xhat != null) {
            xhat[base + k] = h;
          }
          y[base + k] = Math.fma(h, g, b);
        }
      }
    }
  }

  /** Running statistics: per channel, delegated. */
  static void updateRunning(
      float[] runningMean,
      float[] runningVar,
      double[] mean,
      double[] var,
      int c,
      long m,
      double factor,
      boolean unbiased) {
    BatchNormKernel.updateRunning(runningMean, runningVar, mean, var, c, m, factor, unbiased);
  }

  // dy, xhat (N,C,S), invstd (C), gamma (C)? -> dx (N,C,S), dGamma (C)? +=, dBeta (C)? +=
  static void backwardTrain(
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
    if (s < L) {
      BatchNormKernel.backwardTrain(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);
      return;
    }
    double m = (double) n * s;
    for (int j = 0; j < c; j++) {
      double sumDy = 0;
      double sumDyXhat = 0;
      for (int i = 0; i < n; i++) {
        int base = (i * c + j) * s;
        sumDy += sum(dy, base, s);
        sumDyXhat += dot(dy, xhat, base, s);
      }
      double g = gamma == null ? 1.0 : gamma[j];
      float is = (float) invstd[j];
      // dx = is·(g·dy − g·Σdy/m − x̂·g·Σdy·x̂/m)
      FloatVector gis = FloatVector.broadcast(F, (float) (g * invstd[j]));
      FloatVector a = FloatVector.broadcast(F, (float) (g * sumDy / m * invstd[j]));
      FloatVector bq = FloatVector.broadcast(F, (float) (g * sumDyXhat / m * invstd[j]));
      for (int i = 0; i < n; i++) {
        int base = (i * c + j) * s;
        int k = 0;
        for (int bound = F.loopBound(s); k < bound; k += L) {
          FloatVector d = FloatVector.fromArray(F, dy, base + k).mul(gis).sub(a);
          FloatVector h = FloatVector.fromArray(F, xhat, base + k);
          h.neg().fma(bq, d).intoArray(dx, base + k);
        }
        for (; k < s; k++) {
          dx[base + k] =
              (float)
                  (is * (dy[base + k] * g - g * sumDy / m - xhat[base + k] * (g * sumDyXhat / m)));
        }
      }
      accumulate(dGamma, dBeta, j, sumDyXhat, sumDy);
    }
  }

  // dy, xhat (N,C,S), invstd (C), gamma (C)? -> dx (N,C,S), dGamma (C)? +=, dBeta (C)? +=
  static void backwardFrozen(
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
    if (s < L) {
      BatchNormKernel.backwardFrozen(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);
      return;
    }
    for (int j = 0; j < c; j++) {
      double sumDy = 0;
      double sumDyXhat = 0;
      float scale = (float) ((gamma == null ? 1.0 : gamma[j]) * invstd[j]);
      for (int i = 0; i < n; i++) {
        int base = (i * c + j) * s;
        sumDy += sum(dy, base, s);
        sumDyXhat += dot(dy, xhat, base, s);
        int k = 0;
        for (int bound = F.loopBound(s); k < bound; k += L) {
          FloatVector.fromArray(F, dy, base + k).mul(scale).intoArray(dx, base + k);
        }
        for (; k < s; k++) {
          dx[base + k] = dy[base + k] * scale;
        }
      }
      accumulate(dGamma, dBeta, j, sumDyXhat, sumDy);
    }
  }

  private static double sum(float[] a, int off, int len) {
    float[] lanes = VectorGemm.lanes();
    double total = 0;
    int k = 0;
    for (int bound = F.loopBound(len); k < bound; ) {
      int end = Math.min(bound, k + BLOCK);
      FloatVector acc = FloatVector.zero(F);
      for (; k < end; k += L) {
        acc = acc.add(FloatVector.fromArray(F, a, off + k));
      }
      acc.intoArray(lanes, 0);
      total += VectorGemm.sumLanes(lanes, 0);
    }
    for (; k < len; k++) {
      total += a[off + k];
    }
    return total;
  }

  private static double dot(float[] a, float[] b, int off, int len) {
    float[] lanes = VectorGemm.lanes();
    double total = 0;
    int k = 0;
    for (int bound = F.loopBound(len); k < bound; ) {
      int end = Math.min(bound, k + BLOCK);
      FloatVector acc = FloatVector.zero(F);
      for (; k < end; k += L) {
        acc = FloatVector.fromArray(F, a, off + k).fma(FloatVector.fromArray(F, b, off + k), acc);
      }
      acc.intoArray(lanes, 0);
      total += VectorGemm.sumLanes(lanes, 0);
    }
    for (; k < len; k++) {
      total += (double) a[off + k] * b[off + k];
    }
    return total;
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
