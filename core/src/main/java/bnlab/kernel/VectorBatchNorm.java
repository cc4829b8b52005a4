package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@link ScalarNormKernels} for statistics per channel: layouts with {@code
 * groupSize == 1} (BatchNorm and its variants, Ghost BatchNorm's virtual batches as blocks of
 * consecutive samples, InstanceNorm as blocks of one sample). A block of nb samples is the (nb, C,
 * S) sub-array at element offset b·nb·C·S, and its statistics are slots b·C .. b·C + C − 1.
 *
 * <p>Float vectors do the per-element work; every sum is taken in {@link Reduction}'s order, in
 * float partials over at most {@link #GROUP} elements of one channel, combined by a fixed tree and
 * added in double (the tail of each row in double), so no float accumulator ever holds more than a
 * short run and the bits do not depend on the vector width; a channel's statistics are merged from
 * such groups (see {@link #moments}). The mean is summed as x − x₀ (x₀ the channel's first element,
 * so inputs like 1000 ± 0.01 lose nothing to their offset: the difference is exact by Sterbenz's
 * lemma), and the variance as Σ(x − μ_f)² − m·(μ − μ_f)² with μ_f = μ rounded to float, again exact
 * differences. Normalization subtracts μ as μ_f and then the small remainder μ − μ_f, so x̂ keeps
 * float accuracy relative to the spread, not to the offset.
 *
 * <p>Backward's per-channel loops are in {@link VectorBatchNormBackward}. Rows of one value (S = 1,
 * BatchNorm1d on (N, C)) go to {@link VectorBatchNormRows}; every other row length stays here (rows
 * shorter than a vector are summed as tails and normalized element by element with the lanes' float
 * operations), so which code runs does not depend on the vector width.
 */
final class VectorBatchNorm {
  /** The preferred float species, as the other vector kernels use it. */
  static final VectorSpecies<Float> F = VectorWidth.S;

  /** Floats per vector. */
  static final int L = F.length();

  static {
    // The sums hold Reduction.P partials in one, two or four accumulators.
    if (L < 4 || Reduction.P % L != 0) {
      throw new IllegalStateException("vector kernels need 4, 8 or 16 floats per vector, got " + L);
    }
  }

  private static final ThreadLocal<float[]> LANES =
      ThreadLocal.withInitial(() -> new float[2 * Math.max(L, Reduction.P)]);

  /**
   * Longest run summed in float partials before the partial sums move to double: a multiple of
   * {@link Reduction#P} that does not depend on the vector width.
   */
  static final int BLOCK = 32 * Reduction.P;

  /** Elements of a channel whose statistics are taken from L1 in one group (see moments). */
  static final int GROUP = 1024;

  /** Below this many elements a layer's statistics are not worth a hand-off to the pool. */
  static final long PARALLEL_MIN = 1L << 15;

  private VectorBatchNorm() {}

  /**
   * One kernel call split by channels: chunk i takes channels [i·c/chunks, (i+1)·c/chunks) of every
   * block. A channel's result does not depend on the others, so the split cannot change any value.
   */
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
    float[] dGamma;
    float[] dBeta;

    /** Forward: rectify y (a ReLU fused after the normalization). */
    boolean relu;

    /** Backward: the fused ReLU's output, or null. */
    float[] reluOut;

    static Job get(int op, float[] x, NormLayout v, NormStats st) {
      Job job = JOBS.get();
      job.op = op;
      job.x = x;
      job.v = v;
      job.st = st;
      boolean parallel = (long) v.n() * v.c() * v.s() >= PARALLEL_MIN && Parallel.threads() > 1;
      job.chunks = parallel ? Math.min(v.c(), 8) : 1;
      job.relu = false;
      job.reluOut = null;
      return job;
    }

    void go() {
      try {
        Parallel.forEach(chunks, this);
      } finally {
        x = src = y = xhat = gamma = beta = dGamma = dBeta = reluOut = null;
        v = null;
        st = null;
      }
    }

    @Override
    public void run(int chunk) {
      int c = v.c();
      int j0 = (int) ((long) chunk * c / chunks);
      int j1 = (int) ((long) (chunk + 1) * c / chunks);
      for (int b = 0; b < v.blocks(); b++) {
        int off = b * v.blockSize() * c * v.s();
        for (int j = j0; j < j1; j++) {
          channel(off, b * c + j, j);
        }
      }
    }

    // One channel j of the block at element offset off, whose statistics are slot r.
    private void channel(int off, int r, int j) {
      int nb = v.blockSize();
      switch (op) {
        case MOMENTS -> moments(x, off, nb, v.c(), v.s(), j, st, r);
        case NORMALIZE -> normalize(x, off, nb, v.c(), v.s(), j, st, r, gamma, beta, y, xhat, relu);
        case FUSED -> {
          // The normalization reads what the statistics just read, while it is in cache.
          moments(x, off, nb, v.c(), v.s(), j, st, r);
          st.invstd()[r] = 1.0 / Math.sqrt(st.var()[r] + eps);
          normalize(x, off, nb, v.c(), v.s(), j, st, r, gamma, beta, y, xhat, relu);
        }
        case SUMS ->
            VectorBatchNormBackward.sums(
                x, null, src, fromInput, off, nb, v.c(), v.s(), j, st, r, gamma, dGamma, dBeta);
        case APPLY ->
            VectorBatchNormBackward.apply(
                x, null, src, fromInput, off, nb, v.c(), v.s(), j, st, r, gamma, y);
        case TRAIN -> {
          VectorBatchNormBackward.sums(
              x, reluOut, src, fromInput, off, nb, v.c(), v.s(), j, st, r, gamma, dGamma, dBeta);
          VectorBatchNormBackward.apply(
              x, reluOut, src, fromInput, off, nb, v.c(), v.s(), j, st, r, gamma, y);
        }
        default ->
            VectorBatchNormBackward.frozen(
                x, reluOut, src, fromInput, off, nb, v.c(), v.s(), j, st, r, gamma, y, dGamma,
                dBeta);
      }
    }
  }

  // x (n,c,s) -> mean, var (blocks·c), biased, in double
  static void moments(float[] x, NormLayout v, NormStats st) {
    if (v.s() == 1) {
      for (int b = 0; b < v.blocks(); b++) {
        VectorBatchNormRows.moments(x, rowsOffset(v, b), v.blockSize(), v.c(), st, b * v.c());
      }
    } else {
      Job.get(Job.MOMENTS, x, v, st).go();
    }
  }

  /**
   * Channel j of a block, in one sweep over memory: the channel's rows are taken in groups of about
   * {@link #GROUP} elements, each group's mean and squared deviations are computed in two passes
   * while it is in L1 (the shifted, exact-difference sums above), and the groups are merged with
   * Chan et al.'s pairwise update, which is as stable as a global two-pass.
   */
  static void moments(float[] x, int off, int n, int c, int s, int j, NormStats st, int r) {
    int rows = Math.max(1, GROUP / s);
    float shift = x[off + j * s];
    double count = 0;
    double mu = 0;
    double m2 = 0;
    for (int i0 = 0; i0 < n; i0 += rows) {
      int i1 = Math.min(n, i0 + rows);
      double nb = (double) (i1 - i0) * s;
      double mb = shift + rowsSum(x, off, c, s, j, i0, i1, shift, false) / nb;
      float mbF = (float) mb;
      double dm = mb - mbF;
      double m2b = Math.max(0.0, rowsSum(x, off, c, s, j, i0, i1, mbF, true) - nb * dm * dm);
      double total = count + nb;
      double delta = mb - mu;
      mu += delta * (nb / total);
      m2 += m2b + delta * delta * (count * nb / total);
      count = total;
    }
    st.mean()[r] = mu;
    st.var()[r] = Math.max(0.0, m2 / count);
  }

  /**
   * Σ (x − a) or Σ (x − a)² over rows [i0, i1) of channel j in {@link Reduction}'s order: each
   * row's body in the {@link Reduction#P} float partials (moved to double after {@link #GROUP}
   * values of a long row), its tail in double.
   */
  private static double rowsSum(
      float[] x, int base, int c, int s, int j, int i0, int i1, float a, boolean square) {
    float[] lanes = LANES.get();
    FloatVector av = FloatVector.broadcast(F, a);
    // Partial p of the P lives in lane p mod L of accumulator p / L. No vector is passed to a
    // method here: where C2 does not inline the callee (this method's size at 128 bits, or a
    // caller's), the vector is boxed or its operations fall back to Java code, which allocates.
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = a0, a2 = a0, a3 = a0;
    double tails = 0;
    double folded = 0;
    int body = Reduction.body(s);
    for (int i = i0; i < i1; i++) {
      int off = base + (i * c + j) * s;
      for (int k0 = 0; k0 < body; k0 += GROUP) {
        int end = Math.min(body, k0 + GROUP);
        for (int k = k0; k < end; k += Reduction.P) {
          FloatVector d0 = FloatVector.fromArray(F, x, off + k).sub(av);
          a0 = square ? d0.fma(d0, a0) : a0.add(d0);
          if (L <= 8) {
            FloatVector d1 = FloatVector.fromArray(F, x, off + k + L).sub(av);
            a1 = square ? d1.fma(d1, a1) : a1.add(d1);
          }
          if (L == 4) {
            FloatVector d2 = FloatVector.fromArray(F, x, off + k + 8).sub(av);
            FloatVector d3 = FloatVector.fromArray(F, x, off + k + 12).sub(av);
            a2 = square ? d2.fma(d2, a2) : a2.add(d2);
            a3 = square ? d3.fma(d3, a3) : a3.add(d3);
          }
        }
        if (end < body) {
          // A long row: no float lane sums more than GROUP / P terms.
          a0.intoArray(lanes, 0);
          if (L <= 8) {
            a1.intoArray(lanes, L);
          }
          if (L == 4) {
            a2.intoArray(lanes, 8);
            a3.intoArray(lanes, 12);
          }
          folded += Reduction.tree(lanes, 0);
          a0 = FloatVector.zero(F);
          a1 = a2 = a3 = a0;
        }
      }
      for (int k = body; k < s; k++) {
        double d = (double) x[off + k] - a;
        tails += square ? d * d : d;
      }
    }
    a0.intoArray(lanes, 0);
    if (L <= 8) {
      a1.intoArray(lanes, L);
    }
    if (L == 4) {
      a2.intoArray(lanes, 8);
      a3.intoArray(lanes, 12);
    }
    return folded + Reduction.tree(lanes, 0) + tails;
  }

  /**
   * {@link #moments}, invstd and {@link #normalize} in one sweep, channel by channel: the same
   * values as the separate calls (the same operations per channel), with each channel's data read
   * from memory once instead of twice.
   */
  static void momentsNormalize(
      float[] x,
      NormLayout v,
      double eps,
      NormStats st,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat,
      boolean relu) {
    if (v.s() == 1) {
      for (int b = 0; b < v.blocks(); b++) {
        VectorBatchNormRows.momentsNormalize(
            x,
            rowsOffset(v, b),
            v.blockSize(),
            v.c(),
            eps,
            st,
            b * v.c(),
            gamma,
            beta,
            y,
            xhat,
            relu);
      }
      return;
    }
    Job job = Job.get(Job.FUSED, x, v, st);
    job.eps = eps;
    job.gamma = gamma;
    job.beta = beta;
    job.y = y;
    job.xhat = xhat;
    job.relu = relu;
    job.go();
  }

  // x (n,c,s), mean, invstd (blocks·c), gamma, beta (c)? -> y (n,c,s), xhat (n,c,s)?
  static void normalize(
      float[] x,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat,
      boolean relu) {
    if (v.s() == 1) {
      for (int b = 0; b < v.blocks(); b++) {
        VectorBatchNormRows.normalize(
            x, rowsOffset(v, b), v.blockSize(), v.c(), st, b * v.c(), gamma, beta, y, xhat, relu);
      }
      return;
    }
    Job job = Job.get(Job.NORMALIZE, x, v, st);
    job.gamma = gamma;
    job.beta = beta;
    job.y = y;
    job.xhat = xhat;
    job.relu = relu;
    job.go();
  }

  static void normalize(
      float[] x,
      int off,
      int n,
      int c,
      int s,
      int j,
      NormStats st,
      int r,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat,
      boolean relu) {
    double mean = st.mean()[r];
    float muF = (float) mean;
    float dm = (float) (mean - muF);
    float is = (float) st.invstd()[r];
    float g = gamma == null ? 1f : gamma[j];
    float b = beta == null ? 0f : beta[j];
    FloatVector muV = FloatVector.broadcast(F, muF);
    FloatVector dmV = FloatVector.broadcast(F, dm);
    FloatVector isV = FloatVector.broadcast(F, is);
    FloatVector gV = FloatVector.broadcast(F, g);
    FloatVector bV = FloatVector.broadcast(F, b);
    for (int i = 0; i < n; i++) {
      int base = off + (i * c + j) * s;
      int k = 0;
      for (int bound = F.loopBound(s); k < bound; k += L) {
        FloatVector h = FloatVector.fromArray(F, x, base + k).sub(muV).sub(dmV).mul(isV);
        if (xhat != null) {
          h.intoArray(xhat, base + k);
        }
        rectify(h.fma(gV, bV), relu).intoArray(y, base + k);
      }
      if (k < s && s >= L && x != y) {
        // The row's last vector, overlapping the previous one: its lanes get the values they
        // already have (the same operations), so no scalar tail is needed; not in place, where
        // the overlap would normalize normalized values.
        k = s - L;
        FloatVector h = FloatVector.fromArray(F, x, base + k).sub(muV).sub(dmV).mul(isV);
        if (xhat != null) {
          h.intoArray(xhat, base + k);
        }
        rectify(h.fma(gV, bV), relu).intoArray(y, base + k);
      } else {
        // Rows shorter than a vector: the same float operations one by one.
        for (; k < s; k++) {
          float h = (x[base + k] - muF - dm) * is;
          if (xhat != null) {
            xhat[base + k] = h;
          }
          float z = Math.fma(h, g, b);
          y[base + k] = relu ? ReluMask.relu(z) : z;
        }
      }
    }
  }

  // ReLU's rule as VectorPoolActivation.relu applies it: x ≤ 0 (true for −0, false for NaN) → +0.
  private static FloatVector rectify(FloatVector z, boolean relu) {
    return relu ? z.blend(FloatVector.zero(F), z.compare(VectorOperators.LE, 0f)) : z;
  }

  /** Backward sums (see {@link NormKernels#sums}). */
  static void sums(
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dGamma,
      float[] dBeta) {
    if (shortRows(v, fromInput)) {
      for (int b = 0; b < v.blocks(); b++) {
        VectorBatchNormRows.sums(
            dy,
            null,
            src,
            rowsOffset(v, b),
            v.blockSize(),
            v.c(),
            st,
            b * v.c(),
            gamma,
            dGamma,
            dBeta);
      }
      return;
    }
    Job job = backwardJob(Job.SUMS, dy, src, fromInput, v, st, gamma);
    job.dGamma = dGamma;
    job.dBeta = dBeta;
    job.go();
  }

  /** Backward apply (see {@link NormKernels#apply}). */
  static void apply(
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dx) {
    if (shortRows(v, fromInput)) {
      for (int b = 0; b < v.blocks(); b++) {
        VectorBatchNormRows.apply(
            true, dy, null, src, rowsOffset(v, b), v.blockSize(), v.c(), st, b * v.c(), gamma, dx);
      }
      return;
    }
    Job job = backwardJob(Job.APPLY, dy, src, fromInput, v, st, gamma);
    job.y = dx;
    job.go();
  }

  /** Fused backward, through the batch statistics or constant ones (see NormKernels#backward). */
  static void backward(
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
    if (shortRows(v, fromInput)) {
      for (int b = 0; b < v.blocks(); b++) {
        int off = rowsOffset(v, b);
        if (train) {
          VectorBatchNormRows.backward(
              dy, relu, src, off, v.blockSize(), v.c(), st, b * v.c(), gamma, dx, dGamma, dBeta);
          continue;
        }
        VectorBatchNormRows.sums(
            dy, relu, src, off, v.blockSize(), v.c(), st, b * v.c(), gamma, dGamma, dBeta);
        VectorBatchNormRows.apply(
            false, dy, relu, src, off, v.blockSize(), v.c(), st, b * v.c(), gamma, dx);
      }
      return;
    }
    Job job = backwardJob(train ? Job.TRAIN : Job.FROZEN, dy, src, fromInput, v, st, gamma);
    job.reluOut = relu;
    job.y = dx;
    job.dGamma = dGamma;
    job.dBeta = dBeta;
    job.go();
  }

  /** Rows of one value (S = 1): x̂ must have been stored (they do not recompute it). */
  private static boolean shortRows(NormLayout v, boolean fromInput) {
    if (v.s() > 1) {
      return false;
    }
    if (fromInput) {
      throw new IllegalArgumentException(
          "BatchNorm backward from the input needs rows of at least 2 values, got " + v);
    }
    return true;
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
    return job;
  }

  /** Element offset of block b in an (n, c, 1) view. */
  private static int rowsOffset(NormLayout v, int b) {
    return b * v.blockSize() * v.c();
  }

  /**
   * A thread's scratch of 2·max(L, P) floats: lanes, or two sets of {@link Reduction#P} partials.
   */
  static float[] lanes() {
    return LANES.get();
  }
}
