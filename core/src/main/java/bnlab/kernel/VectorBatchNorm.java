package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@link BatchNormKernel}: same signatures, same semantics, same statistical
 * care, over the flat (N, C, S) view (element (i, j, k) at {@code (i*c + j)*s + k}).
 *
 * <p>Float vectors do the per-element work; every sum is taken in float lanes over at most {@link
 * #GROUP} elements of one channel, folded in a fixed order and added in double, so no float
 * accumulator ever holds more than a short run; a channel's statistics are merged from such groups
 * (see {@link #meanVar}). The mean is summed as x − x₀ (x₀ the channel's first element, so inputs
 * like 1000 ± 0.01 lose nothing to their offset: the difference is exact by Sterbenz's lemma), and
 * the variance as Σ(x − μ_f)² − m·(μ − μ_f)² with μ_f = μ rounded to float, again exact
 * differences. Normalization subtracts μ as μ_f and then the small remainder μ − μ_f, so x̂ keeps
 * float accuracy relative to the spread, not to the offset.
 *
 * <p>Rows shorter than one vector (S &lt; lanes, e.g. BatchNorm1d on (N, C)) go to the scalar
 * kernel, which is as fast there.
 */
final class VectorBatchNorm {
  private static final VectorSpecies<Float> F = VectorGemm.S;
  private static final int L = VectorGemm.L;

  /** Longest run summed in float lanes before the partial sum moves to double. */
  static final int BLOCK = 32 * L;

  /** Elements of a channel whose statistics are taken from L1 in one group (see meanVar). */
  static final int GROUP = 1024;

  private static final ThreadLocal<double[]> SUMS = ThreadLocal.withInitial(() -> new double[2]);

  /** Below this many elements a layer's statistics are not worth a hand-off to the pool. */
  static final long PARALLEL_MIN = 1L << 15;

  private VectorBatchNorm() {}

  /**
   * One kernel call split by channels: chunk i takes channels [i·c/chunks, (i+1)·c/chunks). A
   * channel's result does not depend on the others, so the split cannot change any value.
   */
  private static final class Job implements Parallel.Body {
    static final int MEAN_VAR = 0;
    static final int NORMALIZE = 1;
    static final int TRAIN = 2;
    static final int FROZEN = 3;
    static final int FUSED = 4;
    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    int op;
    float[] x;
    int n;
    int c;
    int s;
    int chunks;
    double[] mean;
    double[] var;
    double[] invstd;
    double eps;
    float[] gamma;
    float[] beta;
    float[] y;
    float[] xhat;
    float[] dGamma;
    float[] dBeta;

    static Job get(int op, float[] x, int n, int c, int s) {
      Job j = JOBS.get();
      j.op = op;
      j.x = x;
      j.n = n;
      j.c = c;
      j.s = s;
      boolean parallel = (long) n * c * s >= PARALLEL_MIN && Parallel.threads() > 1;
      j.chunks = parallel ? Math.min(c, 8) : 1;
      return j;
    }

    void go() {
      try {
        Parallel.forEach(chunks, this);
      } finally {
        x = y = xhat = gamma = beta = dGamma = dBeta = null;
        mean = var = invstd = null;
      }
    }

    @Override
    public void run(int chunk) {
      int j0 = (int) ((long) chunk * c / chunks);
      int j1 = (int) ((long) (chunk + 1) * c / chunks);
      switch (op) {
        case MEAN_VAR -> meanVar(x, n, c, s, mean, var, j0, j1);
        case NORMALIZE -> normalize(x, n, c, s, mean, invstd, gamma, beta, y, xhat, j0, j1);
        case FUSED -> {
          // Channel by channel, so that the normalization reads what the statistics just read
          // while it is still in cache.
          for (int j = j0; j < j1; j++) {
            meanVar(x, n, c, s, mean, var, j, j + 1);
            invstd[j] = 1.0 / Math.sqrt(var[j] + eps);
            normalize(x, n, c, s, mean, invstd, gamma, beta, y, xhat, j, j + 1);
          }
        }
        case TRAIN ->
            backwardTrain(x, xhat, mean, n, c, s, invstd, gamma, y, dGamma, dBeta, j0, j1);
        default -> backwardFrozen(x, xhat, mean, n, c, s, invstd, gamma, y, dGamma, dBeta, j0, j1);
      }
    }
  }

  // x (N,C,S) -> mean (C), var (C), biased, in double
  static void meanVar(float[] x, int n, int c, int s, double[] mean, double[] var) {
    if (s == 1) {
      VectorBatchNormRows.meanVar(x, n, c, mean, var);
      return;
    }
    if (s < L) {
      BatchNormKernel.meanVar(x, n, c, s, mean, var);
      return;
    }
    Job job = Job.get(Job.MEAN_VAR, x, n, c, s);
    job.mean = mean;
    job.var = var;
    job.go();
  }

  /**
   * Channels [j0, j1), each in one sweep over memory: the channel's rows are taken in groups of
   * about {@link #GROUP} elements, each group's mean and squared deviations are computed in two
   * passes while it is in L1 (the same shifted, exact-difference sums as before), and the groups
   * are merged with Chan et al.'s pairwise update, which is as stable as a global two-pass.
   */
  private static void meanVar(
      float[] x, int n, int c, int s, double[] mean, double[] var, int j0, int j1) {
    int rows = Math.max(1, GROUP / s);
    for (int j = j0; j < j1; j++) {
      float shift = x[j * s];
      double count = 0;
      double mu = 0;
      double m2 = 0;
      for (int i0 = 0; i0 < n; i0 += rows) {
        int i1 = Math.min(n, i0 + rows);
        double nb = (double) (i1 - i0) * s;
        double mb = shift + rowsSum(x, c, s, j, i0, i1, shift, false) / nb;
        float mbF = (float) mb;
        double dm = mb - mbF;
        double m2b = Math.max(0.0, rowsSum(x, c, s, j, i0, i1, mbF, true) - nb * dm * dm);
        double total = count + nb;
        double delta = mb - mu;
        mu += delta * (nb / total);
        m2 += m2b + delta * delta * (count * nb / total);
        count = total;
      }
      mean[j] = mu;
      var[j] = Math.max(0.0, m2 / count);
    }
  }

  /** Σ (x − a) or Σ (x − a)² over rows [i0, i1) of channel j, in float lanes, then double. */
  private static double rowsSum(
      float[] x, int c, int s, int j, int i0, int i1, float a, boolean square) {
    float[] lanes = VectorGemm.lanes();
    FloatVector av = FloatVector.broadcast(F, a);
    // Four accumulators: one would make the loop wait on its own additions.
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = a0, a2 = a0, a3 = a0;
    double tails = 0;
    double folded = 0;
    int bound = F.loopBound(s);
    for (int i = i0; i < i1; i++) {
      int off = (i * c + j) * s;
      for (int k0 = 0; k0 < bound; k0 += GROUP) {
        int end = Math.min(bound, k0 + GROUP);
        int k = k0;
        for (; k + 4 * L <= end; k += 4 * L) {
          FloatVector d0 = FloatVector.fromArray(F, x, off + k).sub(av);
          FloatVector d1 = FloatVector.fromArray(F, x, off + k + L).sub(av);
          FloatVector d2 = FloatVector.fromArray(F, x, off + k + 2 * L).sub(av);
          FloatVector d3 = FloatVector.fromArray(F, x, off + k + 3 * L).sub(av);
          if (square) {
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
            a2 = d2.fma(d2, a2);
            a3 = d3.fma(d3, a3);
          } else {
            a0 = a0.add(d0);
            a1 = a1.add(d1);
            a2 = a2.add(d2);
            a3 = a3.add(d3);
          }
        }
        for (; k < end; k += L) {
          FloatVector d = FloatVector.fromArray(F, x, off + k).sub(av);
          a0 = square ? d.fma(d, a0) : a0.add(d);
        }
        if (end < bound) {
          // A long row: no float lane sums more than GROUP / L terms.
          a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
          folded += VectorGemm.sumLanes(lanes, 0);
          a0 = FloatVector.zero(F);
          a1 = a2 = a3 = a0;
        }
      }
      for (int k = bound; k < s; k++) {
        double d = x[off + k] - a;
        tails += square ? d * d : d;
      }
    }
    a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
    return folded + VectorGemm.sumLanes(lanes, 0) + tails;
  }

  /**
   * {@link #meanVar}, {@link #invStd} and {@link #normalize} in one sweep, channel by channel: the
   * same values as the three calls (the same operations per channel), with each channel's data read
   * from memory once instead of twice.
   */
  static void meanVarNormalize(
      float[] x,
      int n,
      int c,
      int s,
      double eps,
      double[] mean,
      double[] var,
      double[] invstd,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat) {
    if (s < L) {
      meanVar(x, n, c, s, mean, var);
      invStd(var, eps, c, invstd);
      normalize(x, n, c, s, mean, invstd, gamma, beta, y, xhat);
      return;
    }
    Job job = Job.get(Job.FUSED, x, n, c, s);
    job.mean = mean;
    job.var = var;
    job.invstd = invstd;
    job.eps = eps;
    job.gamma = gamma;
    job.beta = beta;
    job.y = y;
    job.xhat = xhat;
    job.go();
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
    if (s == 1) {
      VectorBatchNormRows.normalize(x, n, c, mean, invstd, gamma, beta, y, xhat);
      return;
    }
    if (s < L) {
      BatchNormKernel.normalize(x, n, c, s, mean, invstd, gamma, beta, y, xhat);
      return;
    }
    Job job = Job.get(Job.NORMALIZE, x, n, c, s);
    job.mean = mean;
    job.invstd = invstd;
    job.gamma = gamma;
    job.beta = beta;
    job.y = y;
    job.xhat = xhat;
    job.go();
  }

  private static void normalize(
      float[] x,
      int n,
      int c,
      int s,
      double[] mean,
      double[] invstd,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat,
      int j0,
      int j1) {
    for (int j = j0; j < j1; j++) {
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
        if (k < s) {
          // The row's last vector, overlapping the previous one: its lanes get the values they
          // already have (the same operations), so no scalar tail is needed.
          k = s - L;
          FloatVector h = FloatVector.fromArray(F, x, base + k).sub(muV).sub(dmV).mul(isV);
          if (xhat != null) {
            h.intoArray(xhat, base + k);
          }
          h.fma(gV, bV).intoArray(y, base + k);
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
    if (s == 1) {
      VectorBatchNormRows.backward(true, dy, xhat, n, c, invstd, gamma, dx, dGamma, dBeta);
      return;
    }
    if (s < L) {
      BatchNormKernel.backwardTrain(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);
      return;
    }
    backward(Job.TRAIN, dy, xhat, null, n, c, s, invstd, gamma, dx, dGamma, dBeta);
  }

  /**
   * As {@link #backwardTrain(float[], float[], int, int, int, double[], float[], float[], float[],
   * float[])} with x̂ recomputed from the input x and the mean as {@link #normalize} computes it
   * (the same float operations, so the same values): the forward pass need not store x̂.
   */
  static void backwardTrain(
      float[] dy,
      float[] x,
      double[] mean,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    backward(Job.TRAIN, dy, x, mean, n, c, s, invstd, gamma, dx, dGamma, dBeta);
  }

  /**
   * As {@link #backwardTrain(float[], float[], double[], int, int, int, double[], float[], float[],
   * float[], float[])}, for constant statistics.
   */
  static void backwardFrozen(
      float[] dy,
      float[] x,
      double[] mean,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    backward(Job.FROZEN, dy, x, mean, n, c, s, invstd, gamma, dx, dGamma, dBeta);
  }

  // src is x̂ (mean null) or x; rows shorter than a vector go to the scalar kernel.
  private static void backward(
      int op,
      float[] dy,
      float[] src,
      double[] mean,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    if (s < L && mean != null) {
      throw new IllegalArgumentException(
          "BatchNorm backward from the input needs rows of at least " + L + " values, got " + s);
    }
    Job job = Job.get(op, dy, n, c, s);
    job.xhat = src;
    job.mean = mean;
    job.invstd = invstd;
    job.gamma = gamma;
    job.y = dx;
    job.dGamma = dGamma;
    job.dBeta = dBeta;
    job.go();
  }

  private static void backwardTrain(
      float[] dy,
      float[] src,
      double[] mean,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta,
      int j0,
      int j1) {
    double m = (double) n * s;
    float[] lanes = VectorGemm.lanes();
    double[] sums = SUMS.get();
    for (int j = j0; j < j1; j++) {
      // x̂ = (src − a − b)·sc: the stored x̂ itself (0, 0, 1: exact), or normalize's formula on x.
      float a0 = mean == null ? 0f : (float) mean[j];
      float b0 = mean == null ? 0f : (float) (mean[j] - a0);
      float sc = mean == null ? 1f : (float) invstd[j];
      FloatVector aV = FloatVector.broadcast(F, a0);
      FloatVector bV = FloatVector.broadcast(F, b0);
      FloatVector sV = FloatVector.broadcast(F, sc);
      channelSums(dy, src, a0, b0, sc, n, c, s, j, lanes, sums);
      double sumDy = sums[0];
      double sumDyXhat = sums[1];
      double g = gamma == null ? 1.0 : gamma[j];
      // dx = is·(g·dy − g·Σdy/m − x̂·g·Σdy·x̂/m)
      FloatVector gis = FloatVector.broadcast(F, (float) (g * invstd[j]));
      FloatVector a = FloatVector.broadcast(F, (float) (g * sumDy / m * invstd[j]));
      FloatVector bq = FloatVector.broadcast(F, (float) (g * sumDyXhat / m * invstd[j]));
      for (int i = 0; i < n; i++) {
        int base = (i * c + j) * s;
        int k = 0;
        for (int bound = F.loopBound(s); k < bound; k += L) {
          FloatVector d = FloatVector.fromArray(F, dy, base + k).mul(gis).sub(a);
          FloatVector h = FloatVector.fromArray(F, src, base + k).sub(aV).sub(bV).mul(sV);
          h.neg().fma(bq, d).intoArray(dx, base + k);
        }
        if (k < s) {
          // Overlapping last vector (see normalize).
          k = s - L;
          FloatVector d = FloatVector.fromArray(F, dy, base + k).mul(gis).sub(a);
          FloatVector h = FloatVector.fromArray(F, src, base + k).sub(aV).sub(bV).mul(sV);
          h.neg().fma(bq, d).intoArray(dx, base + k);
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
    if (s == 1) {
      VectorBatchNormRows.backward(false, dy, xhat, n, c, invstd, gamma, dx, dGamma, dBeta);
      return;
    }
    if (s < L) {
      BatchNormKernel.backwardFrozen(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);
      return;
    }
    backward(Job.FROZEN, dy, xhat, null, n, c, s, invstd, gamma, dx, dGamma, dBeta);
  }

  private static void backwardFrozen(
      float[] dy,
      float[] src,
      double[] mean,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta,
      int j0,
      int j1) {
    float[] lanes = VectorGemm.lanes();
    double[] sums = SUMS.get();
    for (int j = j0; j < j1; j++) {
      float scale = (float) ((gamma == null ? 1.0 : gamma[j]) * invstd[j]);
      float a0 = mean == null ? 0f : (float) mean[j];
      float b0 = mean == null ? 0f : (float) (mean[j] - a0);
      float sc = mean == null ? 1f : (float) invstd[j];
      channelSums(dy, src, a0, b0, sc, n, c, s, j, lanes, sums);
      double sumDy = sums[0];
      double sumDyXhat = sums[1];
      for (int i = 0; i < n; i++) {
        int base = (i * c + j) * s;
        int k = 0;
        for (int bound = F.loopBound(s); k < bound; k += L) {
          FloatVector.fromArray(F, dy, base + k).mul(scale).intoArray(dx, base + k);
        }
        if (k < s) {
          k = s - L;
          FloatVector.fromArray(F, dy, base + k).mul(scale).intoArray(dx, base + k);
        }
      }
      accumulate(dGamma, dBeta, j, sumDyXhat, sumDy);
    }
  }

  /**
   * Σ dy and Σ dy·x̂ over channel j's n rows in one pass, into out[0] and out[1], with x̂ = (src −
   * a0 − b0)·sc (see backwardTrain), in float lanes folded into doubles after at most {@link
   * #BLOCK} elements (not per row: for short rows, as 10×10 planes, a fold per row would cost more
   * than the sums).
   */
  private static void channelSums(
      float[] dy,
      float[] src,
      float a0,
      float b0,
      float sc,
      int n,
      int c,
      int s,
      int j,
      float[] lanes,
      double[] out) {
    FloatVector aV = FloatVector.broadcast(F, a0);
    FloatVector bV = FloatVector.broadcast(F, b0);
    FloatVector sV = FloatVector.broadcast(F, sc);
    // Two accumulators per sum, so the loop does not wait on its own additions.
    FloatVector s0 = FloatVector.zero(F);
    FloatVector s1 = s0, d0 = s0, d1 = s0;
    int room = BLOCK;
    double sum = 0;
    double dot = 0;
    int bound = F.loopBound(s);
    for (int i = 0; i < n; i++) {
      int off = (i * c + j) * s;
      for (int k = 0; k < bound; ) {
        int end = Math.min(bound, k + room);
        room -= end - k;
        for (; k + 2 * L <= end; k += 2 * L) {
          FloatVector g0 = FloatVector.fromArray(F, dy, off + k);
          FloatVector g1 = FloatVector.fromArray(F, dy, off + k + L);
          FloatVector h0 = FloatVector.fromArray(F, src, off + k).sub(aV).sub(bV).mul(sV);
          FloatVector h1 = FloatVector.fromArray(F, src, off + k + L).sub(aV).sub(bV).mul(sV);
          s0 = s0.add(g0);
          s1 = s1.add(g1);
          d0 = g0.fma(h0, d0);
          d1 = g1.fma(h1, d1);
        }
        for (; k < end; k += L) {
          FloatVector g0 = FloatVector.fromArray(F, dy, off + k);
          s0 = s0.add(g0);
          d0 = g0.fma(FloatVector.fromArray(F, src, off + k).sub(aV).sub(bV).mul(sV), d0);
        }
        if (room == 0) {
          s0.add(s1).intoArray(lanes, 0);
          d0.add(d1).intoArray(lanes, L);
          sum += VectorGemm.sumLanes(lanes, 0);
          dot += VectorGemm.sumLanes(lanes, L);
          s0 = FloatVector.zero(F);
          s1 = d0 = d1 = s0;
          room = BLOCK;
        }
      }
      for (int k = bound; k < s; k++) {
        sum += dy[off + k];
        dot += (double) dy[off + k] * ((src[off + k] - a0 - b0) * sc);
      }
    }
    s0.add(s1).intoArray(lanes, 0);
    d0.add(d1).intoArray(lanes, L);
    out[0] = sum + VectorGemm.sumLanes(lanes, 0);
    out[1] = dot + VectorGemm.sumLanes(lanes, L);
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
