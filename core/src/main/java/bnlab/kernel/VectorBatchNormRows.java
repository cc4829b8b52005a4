package bnlab.kernel;

import java.util.Arrays;

/**
 * {@link VectorBatchNorm} for one block of (n, C) values, BatchNorm1d after a Linear layer: one
 * value per (sample, channel), so the loops run across channels along a row instead of along a
 * channel's plane. The block starts at element {@code off} and its statistics are slots {@code r0
 * .. r0 + C − 1}. Same statistics and formulas as the plane kernels: means and variances in two
 * passes with shifted, exact differences, float sums folded into double every {@link #FOLD} rows.
 *
 * <p>Plain loops over the channels, not the Vector API: these kernels run once per layer and step,
 * so they stay in the interpreter and C1 for tens of steps of a large network, where every Vector
 * API operation allocates its vector (9 MB per step of vgg-bn at batch 128, measured with JFR). C2
 * vectorizes such a loop only when no store can feed a later load, which it cannot rule out for two
 * arrays read at different indices (x at row + j, a coefficient at j: they may be one array). So
 * each row is first copied into a per-thread buffer and every inner loop reads and writes all its
 * arrays at the same index: 2–3× faster than the strided loops, which ran as scalar code
 * (docs/performance.md, "BatchNorm1d's rows, vectorized by C2"). Each channel's operations and
 * their order are those of one float lane, so the bits depend neither on the vector width nor on
 * the copies. The fused ReLU's mask on dy, a select C2 does not vectorize, runs as its own short
 * loop.
 */
final class VectorBatchNormRows {
  /** Rows summed in float before they are added into the double totals. */
  static final int FOLD = 32;

  /** One thread's row buffers, coefficients and sums, grown to the widest call so far. */
  private static final class Buffers {
    float[] in = new float[0];
    float[] aux = new float[0];
    float[] out = new float[0];
    float[] k0 = new float[0];
    float[] k1 = new float[0];
    float[] k2 = new float[0];
    float[] k3 = new float[0];
    float[] k4 = new float[0];
    float[] acc0 = new float[0];
    float[] acc1 = new float[0];
    double[] sum0 = new double[0];
    double[] sum1 = new double[0];

    Buffers ensure(int c) {
      if (in.length < c) {
        in = new float[c];
        aux = new float[c];
        out = new float[c];
        k0 = new float[c];
        k1 = new float[c];
        k2 = new float[c];
        k3 = new float[c];
        k4 = new float[c];
        acc0 = new float[c];
        acc1 = new float[c];
        sum0 = new double[c];
        sum1 = new double[c];
      }
      return this;
    }
  }

  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private VectorBatchNormRows() {}

  private static Buffers buffers(int c) {
    return BUFFERS.get().ensure(c);
  }

  // moments, invstd = 1/sqrt(var + eps), then normalize, channel by channel
  static void momentsNormalize(
      float[] x,
      int off,
      int n,
      int c,
      double eps,
      NormStats st,
      int r0,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat,
      boolean relu) {
    moments(x, off, n, c, st, r0);
    for (int r = r0; r < r0 + c; r++) {
      st.invstd()[r] = 1.0 / Math.sqrt(st.var()[r] + eps);
    }
    normalize(x, off, n, c, st, r0, gamma, beta, y, xhat, relu);
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
    sums(dy, relu, xhat, off, n, c, st, r0, gamma, dGamma, dBeta, null);
  }

  /** {@link #sums}, then {@link #apply} through the batch statistics, channel by channel. */
  static void backward(
      float[] dy,
      float[] relu,
      float[] xhat,
      int off,
      int n,
      int c,
      NormStats st,
      int r0,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    if (relu == null) {
      sums(dy, null, xhat, off, n, c, st, r0, gamma, dGamma, dBeta, null);
      apply(true, dy, null, xhat, off, n, c, st, r0, gamma, dx);
      return;
    }
    // The masked dy waits in dx (each row is read before its dx is written), so the mask runs once.
    sums(dy, relu, xhat, off, n, c, st, r0, gamma, dGamma, dBeta, dx);
    apply(true, dx, null, xhat, off, n, c, st, r0, gamma, dx);
  }

  // x (n,C) at off -> mean, var (C) at r0, biased, in double
  static void moments(float[] x, int off, int n, int c, NormStats st, int r0) {
    Buffers b = buffers(c);
    double[] mean = st.mean();
    double[] var = st.var();
    // Shift by row 0, so offsets like 1000 ± 0.01 lose nothing (Sterbenz); then by μ as float.
    System.arraycopy(x, off, b.k0, 0, c);
    Arrays.fill(mean, r0, r0 + c, 0.0);
    columnSums(b, x, off, n, c, b.k0, false, mean, r0);
    for (int j = 0; j < c; j++) {
      double mu = b.k0[j] + mean[r0 + j] / n;
      mean[r0 + j] = mu;
      b.k1[j] = (float) mu;
    }
    Arrays.fill(var, r0, r0 + c, 0.0);
    columnSums(b, x, off, n, c, b.k1, true, var, r0);
    for (int j = 0; j < c; j++) {
      double dm = mean[r0 + j] - b.k1[j];
      var[r0 + j] = Math.max(0.0, var[r0 + j] / n - dm * dm);
    }
  }

  /**
   * total[t0 + j] += Σ_i (x[i, j] − a[j]) or its square for every channel j of the rows at x[off +
   * i·c], each FOLD rows summed in float first.
   */
  private static void columnSums(
      Buffers b,
      float[] x,
      int off,
      int n,
      int c,
      float[] a,
      boolean square,
      double[] total,
      int t0) {
    float[] in = b.in;
    float[] acc = b.acc0;
    for (int i0 = 0; i0 < n; i0 += FOLD) {
      int i1 = Math.min(n, i0 + FOLD);
      Arrays.fill(acc, 0, c, 0f);
      for (int i = i0; i < i1; i++) {
        System.arraycopy(x, off + i * c, in, 0, c);
        if (square) {
          for (int j = 0; j < c; j++) {
            float d = in[j] - a[j];
            acc[j] = Math.fma(d, d, acc[j]);
          }
        } else {
          for (int j = 0; j < c; j++) {
            acc[j] += in[j] - a[j];
          }
        }
      }
      for (int j = 0; j < c; j++) {
        total[t0 + j] += acc[j];
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
    Buffers b = buffers(c);
    float[] k0 = b.k0;
    float[] k1 = b.k1;
    float[] k2 = b.k2;
    float[] k3 = b.k3;
    float[] k4 = b.k4;
    for (int j = 0; j < c; j++) {
      double mean = st.mean()[r0 + j];
      float muF = (float) mean;
      k0[j] = muF;
      k1[j] = (float) (mean - muF);
      k2[j] = (float) st.invstd()[r0 + j];
      k3[j] = gamma == null ? 1f : gamma[j];
      k4[j] = beta == null ? 0f : beta[j];
    }
    float[] in = b.in;
    float[] h = b.aux;
    float[] out = b.out;
    for (int i = 0; i < n; i++) {
      int row = off + i * c;
      System.arraycopy(x, row, in, 0, c);
      for (int j = 0; j < c; j++) {
        h[j] = (in[j] - k0[j] - k1[j]) * k2[j];
      }
      if (xhat != null) {
        System.arraycopy(h, 0, xhat, row, c);
      }
      // Math.max(z, +0) is the ReLU's rule bit for bit (−0 and negatives give +0, NaN stays).
      if (relu) {
        for (int j = 0; j < c; j++) {
          out[j] = Math.max(Math.fma(h[j], k3[j], k4[j]), 0f);
        }
      } else {
        for (int j = 0; j < c; j++) {
          out[j] = Math.fma(h[j], k3[j], k4[j]);
        }
      }
      System.arraycopy(out, 0, y, row, c);
    }
  }

  /**
   * dy's row at dy[row] into in, +0 where the fused ReLU's output is not &gt; 0 (relu may be null).
   * Without a branch: ReLU outputs are positive or zero in no pattern a branch predictor can learn,
   * and the branch (or C2's conditional move) cost 1.5–3.8 ns per value against 0.74 for this
   * (random signs, (128, 120)). As ints, r &gt; 0 is exactly 1 ≤ bits(r) ≤ bits(+∞): +0, −0, every
   * negative and every NaN fall outside, so `drop` is all ones there and the kept dy keeps its
   * bits.
   */
  static void maskedRow(float[] dy, float[] relu, int row, float[] in, int c) {
    System.arraycopy(dy, row, in, 0, c);
    if (relu != null) {
      for (int j = 0; j < c; j++) {
        in[j] = ReluMask.pass(relu[row + j], in[j]);
      }
    }
  }

  // With `masked` (or null), the masked dy rows are also written there.
  private static void sums(
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
      float[] dBeta,
      float[] masked) {
    Buffers b = buffers(c);
    double[] s0 = b.sum0;
    double[] s1 = b.sum1;
    float[] a0 = b.acc0;
    float[] a1 = b.acc1;
    float[] d = b.in;
    float[] h = b.aux;
    Arrays.fill(s0, 0, c, 0.0);
    Arrays.fill(s1, 0, c, 0.0);
    for (int i0 = 0; i0 < n; i0 += FOLD) {
      int i1 = Math.min(n, i0 + FOLD);
      Arrays.fill(a0, 0, c, 0f);
      Arrays.fill(a1, 0, c, 0f);
      for (int i = i0; i < i1; i++) {
        int row = off + i * c;
        maskedRow(dy, relu, row, d, c);
        if (masked != null) {
          System.arraycopy(d, 0, masked, row, c);
        }
        System.arraycopy(xhat, row, h, 0, c);
        for (int j = 0; j < c; j++) {
          a0[j] += d[j];
          a1[j] = Math.fma(d[j], h[j], a1[j]);
        }
      }
      for (int j = 0; j < c; j++) {
        s0[j] += a0[j];
        s1[j] += a1[j];
      }
    }
    for (int j = 0; j < c; j++) {
      double g = gamma == null ? 1.0 : gamma[j];
      st.sumDxhat()[r0 + j] = g * s0[j];
      st.sumDxhatXhat()[r0 + j] = g * s1[j];
      if (dGamma != null) {
        dGamma[j] += (float) s1[j];
      }
      if (dBeta != null) {
        dBeta[j] += (float) s0[j];
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
    Buffers b = buffers(c);
    double m = st.count();
    float[] k0 = b.k0;
    float[] k1 = b.k1;
    float[] k2 = b.k2;
    for (int j = 0; j < c; j++) {
      double g = gamma == null ? 1.0 : gamma[j];
      double invstd = st.invstd()[r0 + j];
      k0[j] = (float) (g * invstd);
      k1[j] = (float) (st.sumDxhat()[r0 + j] / m * invstd);
      k2[j] = (float) (st.sumDxhatXhat()[r0 + j] / m * invstd);
    }
    float[] d = b.in;
    float[] h = b.aux;
    float[] out = b.out;
    for (int i = 0; i < n; i++) {
      int row = off + i * c;
      maskedRow(dy, relu, row, d, c);
      if (train) {
        System.arraycopy(xhat, row, h, 0, c);
        for (int j = 0; j < c; j++) {
          float g = d[j] * k0[j];
          out[j] = Math.fma(-h[j], k2[j], g - k1[j]);
        }
      } else {
        for (int j = 0; j < c; j++) {
          out[j] = d[j] * k0[j];
        }
      }
      System.arraycopy(out, 0, dx, row, c);
    }
  }
}
