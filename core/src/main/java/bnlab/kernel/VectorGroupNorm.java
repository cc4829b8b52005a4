package bnlab.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@link ScalarNormKernels} for statistics per sample and group of channels
 * (layouts with {@code blockSize == 1}: GroupNorm, and LayerNorm as one group of M "channels" with
 * S = 1). The statistic of sample i, group q is slot r = i·G + q and covers one contiguous run of m
 * = (C/G)·S values at element offset r·m, made of C/G channel segments of S values.
 *
 * <p>The run's moments are {@link VectorBatchNorm}'s for a single row of m values (shifted sums,
 * two passes in double). Segments of S &gt; 1 values use VectorBatchNorm's per-channel normalize,
 * sums and apply (γ_j broadcast), whatever the vector width; with S = 1 the vectors run along the
 * run with γ and β loaded per element (LayerNorm's element-wise affine), the last values element by
 * element with the same float operations as the vector lanes, so x̂ recomputed from the input in
 * backward always equals the x̂ of the forward pass. Sums follow {@link Reduction}'s order.
 *
 * <p>Calls are split by groups (all samples of groups [q0, q1) in one chunk), so every channel's γ
 * and β gradients are summed over the samples in one fixed order whatever the thread count.
 */
final class VectorGroupNorm {
  private static final VectorSpecies<Float> F = VectorBatchNorm.F;
  private static final int L = VectorBatchNorm.L;

  /** Rows of element-wise dγ, dβ summed in float lanes before they are added in double. */
  private static final int FOLD = 32;

  private VectorGroupNorm() {}

  private static final class Job implements Parallel.Body {
    static final int MOMENTS = 0;
    static final int NORMALIZE = 1;
    static final int FUSED = 2;
    static final int SUMS = 3;
    static final int APPLY = 4;
    static final int TRAIN = 5;
    static final int FROZEN = 6;
    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    int op;
    NormLayout v;
    NormStats st;
    int chunks;
    float[] x;
    float[] src;
    boolean fromInput;
    double eps;
    float[] gamma;
    float[] beta;
    float[] y;
    float[] xhat;

    /** Per channel: Σ dy·x̂ at [j], Σ dy at [c + j], in double; and float columns (S = 1). */
    double[] totals = new double[0];

    float[] columns = new float[0];

    static Job get(int op, float[] x, NormLayout v, NormStats st) {
      Job job = JOBS.get();
      job.op = op;
      job.x = x;
      job.v = v;
      job.st = st;
      boolean parallel =
          (long) v.n() * v.c() * v.s() >= VectorBatchNorm.PARALLEL_MIN && Parallel.threads() > 1;
      job.chunks = parallel ? Math.min(v.groups(), 8) : 1;
      return job;
    }

    void go() {
      try {
        Parallel.forEach(chunks, this);
      } finally {
        x = src = y = xhat = gamma = beta = null;
        v = null;
        st = null;
      }
    }

    @Override
    public void run(int chunk) {
      int g = v.groups();
      int q0 = (int) ((long) chunk * g / chunks);
      int q1 = (int) ((long) (chunk + 1) * g / chunks);
      boolean columnSums = v.s() == 1 && (op == SUMS || op == TRAIN || op == FROZEN);
      if (columnSums) {
        java.util.Arrays.fill(columns, q0 * v.groupSize(), q1 * v.groupSize(), 0f);
        java.util.Arrays.fill(columns, v.c() + q0 * v.groupSize(), v.c() + q1 * v.groupSize(), 0f);
      }
      for (int i = 0; i < v.n(); i++) {
        for (int q = q0; q < q1; q++) {
          slot(i, q);
        }
        if (columnSums && ((i + 1) % FOLD == 0 || i + 1 == v.n())) {
          foldColumns(q0 * v.groupSize(), q1 * v.groupSize());
        }
      }
    }

    private void slot(int i, int q) {
      int r = i * v.groups() + q;
      switch (op) {
        case MOMENTS -> moments(r);
        case NORMALIZE -> normalize(x, v, st, i, q, gamma, beta, y, xhat);
        case FUSED -> {
          moments(r);
          st.invstd()[r] = 1.0 / Math.sqrt(st.var()[r] + eps);
          normalize(x, v, st, i, q, gamma, beta, y, xhat);
        }
        case SUMS -> sums(x, src, fromInput, v, st, i, q, gamma, totals, columns);
        case APPLY -> apply(x, src, fromInput, v, st, i, q, gamma, y);
        case TRAIN -> {
          sums(x, src, fromInput, v, st, i, q, gamma, totals, columns);
          apply(x, src, fromInput, v, st, i, q, gamma, y);
        }
        default -> {
          // Constant statistics: the sums feed dγ and dβ only, and dx = γ·invstd·dy.
          sums(x, src, fromInput, v, st, i, q, gamma, totals, columns);
          st.sumDxhat()[r] = 0;
          st.sumDxhatXhat()[r] = 0;
          apply(x, src, fromInput, v, st, i, q, gamma, y);
        }
      }
    }

    private void moments(int r) {
      int m = v.groupSize() * v.s();
      VectorBatchNorm.moments(x, r * m, 1, 1, m, 0, st, r);
    }

    private void foldColumns(int j0, int j1) {
      int c = v.c();
      for (int j = j0; j < j1; j++) {
        totals[j] += columns[j];
        totals[c + j] += columns[c + j];
        columns[j] = 0f;
        columns[c + j] = 0f;
      }
    }
  }

  static void moments(float[] x, NormLayout v, NormStats st) {
    Job.get(Job.MOMENTS, x, v, st).go();
  }

  static void normalize(
      float[] x, NormLayout v, NormStats st, float[] gamma, float[] beta, float[] y, float[] xhat) {
    Job job = Job.get(Job.NORMALIZE, x, v, st);
    job.gamma = gamma;
    job.beta = beta;
    job.y = y;
    job.xhat = xhat;
    job.go();
  }

  static void momentsNormalize(
      float[] x,
      NormLayout v,
      double eps,
      NormStats st,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat) {
    Job job = Job.get(Job.FUSED, x, v, st);
    job.eps = eps;
    job.gamma = gamma;
    job.beta = beta;
    job.y = y;
    job.xhat = xhat;
    job.go();
  }

  static void sums(
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dGamma,
      float[] dBeta) {
    Job job = backwardJob(Job.SUMS, dy, src, fromInput, v, st, gamma);
    job.go();
    addTotals(job, v.c(), dGamma, dBeta);
  }

  static void apply(
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dx) {
    Job job = backwardJob(Job.APPLY, dy, src, fromInput, v, st, gamma);
    job.y = dx;
    job.go();
  }

  static void backward(
      boolean train,
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    Job job = backwardJob(train ? Job.TRAIN : Job.FROZEN, dy, src, fromInput, v, st, gamma);
    job.y = dx;
    job.go();
    addTotals(job, v.c(), dGamma, dBeta);
  }

  private static Job backwardJob(
      int op,
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma) {
    Job job = Job.get(op, dy, v, st);
    job.src = src;
    job.fromInput = fromInput;
    job.gamma = gamma;
    int c = v.c();
    if (job.totals.length < 2 * c) {
      job.totals = new double[2 * c];
      job.columns = new float[2 * c];
    }
    java.util.Arrays.fill(job.totals, 0, 2 * c, 0.0);
    return job;
  }

  private static void addTotals(Job job, int c, float[] dGamma, float[] dBeta) {
    for (int j = 0; j < c; j++) {
      if (dGamma != null) {
        dGamma[j] += (float) job.totals[j];
      }
      if (dBeta != null) {
        dBeta[j] += (float) job.totals[c + j];
      }
    }
  }

  // Sample i, group q: x̂ = (x − μ)·invstd, y = γ_j·x̂ + β_j over the run's channels j.
  private static void normalize(
      float[] x,
      NormLayout v,
      NormStats st,
      int i,
      int q,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat) {
    int c = v.c();
    int s = v.s();
    int r = i * v.groups() + q;
    int j0 = q * v.groupSize();
    if (s > 1) {
      for (int j = j0; j < j0 + v.groupSize(); j++) {
        VectorBatchNorm.normalize(x, i * c * s, 1, c, s, j, st, r, gamma, beta, y, xhat, false);
      }
      return;
    }
    double mean = st.mean()[r];
    float muF = (float) mean;
    float dm = (float) (mean - muF);
    float is = (float) st.invstd()[r];
    int from = (i * c + j0) * s;
    int len = v.groupSize() * s;
    int t = 0;
    if (s == 1) {
      FloatVector muV = FloatVector.broadcast(F, muF);
      FloatVector dmV = FloatVector.broadcast(F, dm);
      FloatVector isV = FloatVector.broadcast(F, is);
      FloatVector one = FloatVector.broadcast(F, 1f);
      FloatVector zero = FloatVector.zero(F);
      for (int bound = F.loopBound(len); t < bound; t += L) {
        FloatVector h = FloatVector.fromArray(F, x, from + t).sub(muV).sub(dmV).mul(isV);
        if (xhat != null) {
          h.intoArray(xhat, from + t);
        }
        FloatVector g = gamma == null ? one : FloatVector.fromArray(F, gamma, j0 + t);
        FloatVector b = beta == null ? zero : FloatVector.fromArray(F, beta, j0 + t);
        h.fma(g, b).intoArray(y, from + t);
      }
    }
    for (; t < len; t++) {
      int j = j0 + t / s;
      float h = (x[from + t] - muF - dm) * is;
      if (xhat != null) {
        xhat[from + t] = h;
      }
      y[from + t] = Math.fma(h, gamma == null ? 1f : gamma[j], beta == null ? 0f : beta[j]);
    }
  }

  /**
   * Sample i, group q: A = Σ γ_j·dy and B = Σ γ_j·dy·x̂ over the run into slot r; per channel Σ
   * dy·x̂ and Σ dy into totals [j] and [c + j] in double, with S = 1 through float columns (the
   * same layout) folded every FOLD rows.
   */
  private static void sums(
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      int i,
      int q,
      float[] gamma,
      double[] totals,
      float[] columns) {
    int c = v.c();
    int s = v.s();
    int r = i * v.groups() + q;
    int j0 = q * v.groupSize();
    double sumDxhat = 0;
    double sumDxhatXhat = 0;
    if (s > 1) {
      double[] cell = CELL.get();
      for (int j = j0; j < j0 + v.groupSize(); j++) {
        VectorBatchNormBackward.channelSums(
            dy, null, src, fromInput, i * c * s, 1, c, s, j, st, r, cell);
        double g = gamma == null ? 1.0 : gamma[j];
        sumDxhat += g * cell[0];
        sumDxhatXhat += g * cell[1];
        totals[j] += cell[1];
        totals[c + j] += cell[0];
      }
    } else {
      float a0 = fromInput ? (float) st.mean()[r] : 0f;
      float b0 = fromInput ? (float) (st.mean()[r] - a0) : 0f;
      float sc = fromInput ? (float) st.invstd()[r] : 1f;
      float[] lanes = VectorBatchNorm.lanes();
      int from = i * c + j0;
      int len = v.groupSize();
      int bound = Reduction.body(len);
      for (int t0 = 0; t0 < bound; t0 += VectorBatchNorm.BLOCK) {
        // Reduction's order: float partials over at most BLOCK elements, then double (as
        // VectorBatchNorm's sums). The partials live in lanes, Σ γ·dy at [0, P) and Σ γ·dy·x̂ at
        // [P, 2P), not in registers handed to helpers: a helper C2 leaves out of line boxes the
        // vectors it is given (LayerNorm allocated up to 0.2 MB per training step that way).
        Arrays.fill(lanes, 0, 2 * Reduction.P, 0f);
        int end = Math.min(bound, t0 + VectorBatchNorm.BLOCK);
        for (int t = t0; t < end; t += Reduction.P) {
          for (int u = 0; u < Reduction.P; u += L) {
            step(dy, src, from + t + u, j0 + t + u, c, a0, b0, sc, gamma, columns, lanes, u);
          }
        }
        sumDxhat += Reduction.tree(lanes, 0);
        sumDxhatXhat += Reduction.tree(lanes, Reduction.P);
      }
      for (int t = bound; t < len; t++) {
        int j = j0 + t;
        float d = dy[from + t];
        float h = fromInput ? (src[from + t] - a0 - b0) * sc : src[from + t];
        double g = gamma == null ? 1.0 : gamma[j];
        sumDxhat += g * d;
        sumDxhatXhat += g * d * h;
        columns[j] += d * h;
        columns[c + j] += d;
      }
    }
    st.sumDxhat()[r] = sumDxhat;
    st.sumDxhatXhat()[r] = sumDxhatXhat;
  }

  /**
   * One vector of the S = 1 sums at element `at` (channel j): γ·dy added to the partials at
   * lanes[u], γ·dy·x̂ to those at lanes[P + u], and dy·x̂ and dy to the channels' float columns.
   */
  private static void step(
      float[] dy,
      float[] src,
      int at,
      int j,
      int c,
      float a0,
      float b0,
      float sc,
      float[] gamma,
      float[] columns,
      float[] lanes,
      int u) {
    FloatVector d = FloatVector.fromArray(F, dy, at);
    FloatVector g =
        gamma == null ? FloatVector.broadcast(F, 1f) : FloatVector.fromArray(F, gamma, j);
    FloatVector h = FloatVector.fromArray(F, src, at).sub(a0).sub(b0).mul(sc);
    FloatVector dh = d.mul(h);
    d.fma(g, FloatVector.fromArray(F, lanes, u)).intoArray(lanes, u);
    dh.fma(g, FloatVector.fromArray(F, lanes, Reduction.P + u)).intoArray(lanes, Reduction.P + u);
    dh.add(FloatVector.fromArray(F, columns, j)).intoArray(columns, j);
    d.add(FloatVector.fromArray(F, columns, c + j)).intoArray(columns, c + j);
  }

  private static final ThreadLocal<double[]> CELL = ThreadLocal.withInitial(() -> new double[2]);

  // Sample i, group q: dx = invstd·(γ_j·dy − A/m − x̂·B/m) over the run.
  private static void apply(
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      int i,
      int q,
      float[] gamma,
      float[] dx) {
    int c = v.c();
    int s = v.s();
    int r = i * v.groups() + q;
    int j0 = q * v.groupSize();
    if (s > 1) {
      for (int j = j0; j < j0 + v.groupSize(); j++) {
        VectorBatchNormBackward.apply(
            dy, null, src, fromInput, i * c * s, 1, c, s, j, st, r, gamma, dx);
      }
      return;
    }
    double m = st.count();
    double mean = st.mean()[r];
    double invstd = st.invstd()[r];
    float a0 = fromInput ? (float) mean : 0f;
    float b0 = fromInput ? (float) (mean - a0) : 0f;
    float sc = fromInput ? (float) invstd : 1f;
    float is = (float) invstd;
    float a = (float) (st.sumDxhat()[r] / m * invstd);
    float bq = (float) (st.sumDxhatXhat()[r] / m * invstd);
    int from = (i * c + j0) * s;
    int len = v.groupSize() * s;
    int t = 0;
    if (s == 1) {
      FloatVector aV = FloatVector.broadcast(F, a0);
      FloatVector bV = FloatVector.broadcast(F, b0);
      FloatVector sV = FloatVector.broadcast(F, sc);
      FloatVector av = FloatVector.broadcast(F, a);
      FloatVector bqV = FloatVector.broadcast(F, bq);
      FloatVector isV = FloatVector.broadcast(F, is);
      for (int bound = F.loopBound(len); t < bound; t += L) {
        FloatVector gis = (gamma == null ? isV : FloatVector.fromArray(F, gamma, j0 + t).mul(is));
        FloatVector d = FloatVector.fromArray(F, dy, from + t).mul(gis).sub(av);
        FloatVector h = FloatVector.fromArray(F, src, from + t).sub(aV).sub(bV).mul(sV);
        h.neg().fma(bqV, d).intoArray(dx, from + t);
      }
    }
    for (; t < len; t++) {
      int j = j0 + t / s;
      float gis = (gamma == null ? 1f : gamma[j]) * is;
      float h = fromInput ? (src[from + t] - a0 - b0) * sc : src[from + t];
      dx[from + t] = Math.fma(-h, bq, dy[from + t] * gis - a);
    }
  }
}
