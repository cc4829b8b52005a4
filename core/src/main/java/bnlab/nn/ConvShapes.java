package bnlab.nn;

import bnlab.kernel.ConvPlan;
import bnlab.kernel.Parallel;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/** Validation, output sizes and bias loops shared by the convolution and pooling layers. */
final class ConvShapes {
  private ConvShapes() {}

  static void validate(String layer, int in, int out, int kernel, int stride, int padding) {
    if (in <= 0 || out <= 0) {
      throw new IllegalArgumentException(
          layer + ": channels must be positive, got in=" + in + ", out=" + out);
    }
    validateWindow(layer, kernel, stride, padding);
  }

  static void validateWindow(String layer, int kernel, int stride, int padding) {
    if (kernel <= 0 || stride <= 0 || padding < 0) {
      throw new IllegalArgumentException(
          layer
              + ": need kernel_size > 0, stride > 0, padding >= 0, got kernel_size="
              + kernel
              + ", stride="
              + stride
              + ", padding="
              + padding);
    }
  }

  /** Output length along one axis; rejects inputs smaller than the (padded) window. */
  static int out(String who, String axis, int in, int kernel, int stride, int padding) {
    if (in + 2 * padding < kernel) {
      throw new IllegalArgumentException(
          who
              + ": input "
              + axis
              + " "
              + in
              + " (padded "
              + (in + 2 * padding)
              + ") is smaller than the kernel "
              + kernel);
    }
    return (in + 2 * padding - kernel) / stride + 1;
  }

  static void checkGrad(String who, Tensor out, Tensor dY) {
    if (out == null) {
      throw new IllegalStateException(who + ".backward: call forward first");
    }
    if (!dY.sameShape(out)) {
      throw new IllegalArgumentException(
          who
              + ".backward: expected dY "
              + Shape.str(out.shape())
              + " like the last output, got "
              + Shape.str(dY.shape()));
    }
  }

  /**
   * Whether backward computes dX: the layer's {@link Module#requiresInputGrad()}, which must not
   * have been switched on since the forward that made the plan (the plan then has no room for it).
   */
  static boolean needInputGrad(String who, Module layer, ConvPlan plan) {
    boolean need = layer.requiresInputGrad();
    if (need && !plan.inputGrad()) {
      throw new IllegalStateException(
          who + ".backward: requiresInputGrad was switched on after forward; call forward again");
    }
    return need;
  }

  // y (N,K,L) += bias (K) broadcast over L
  static void addBias(Parameter bias, float[] y, int n, int k, int l) {
    if (bias == null) {
      return;
    }
    float[] b = bias.data().data();
    if (l == 1) {
      // Rows of K (Linear): the inner loop runs along the bias, which C2 vectorizes; the loop below
      // would take one element per pass of its innermost loop (Net at batch 128: 72 µs a step).
      for (int i = 0; i < n; i++) {
        int off = i * k;
        for (int c = 0; c < k; c++) {
          y[off + c] += b[c];
        }
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < k; c++) {
        int off = (i * k + c) * l;
        for (int j = 0; j < l; j++) {
          y[off + j] += b[c];
        }
      }
    }
  }

  // dBias (K) += Σ_{n,l} dY (N,K,L)
  static void addBiasGrad(Parameter bias, float[] g, int n, int k, int l) {
    if (bias == null) {
      return;
    }
    float[] db = bias.grad().data();
    if (l == 1) {
      rowsBiasGrad(g, n, k, db);
      return;
    }
    int blocks = (k + 3) / 4;
    if ((long) n * k * l < BIAS_PARALLEL_MIN || blocks < 2 || Parallel.threads() == 1) {
      biasGrad(g, n, k, l, db, 0, k);
      return;
    }
    BiasJob job = BIAS_JOBS.get();
    job.set(g, n, k, l, db);
    try {
      Parallel.forEach(blocks, job);
    } finally {
      job.set(null, 0, 0, 0, null);
    }
  }

  private static final ThreadLocal<double[]> ROW_SUMS =
      ThreadLocal.withInitial(() -> new double[0]);

  /**
   * {@link #biasGrad} for rows of K (l = 1, Linear): every channel's sum side by side in a double
   * per channel, so the loop along a row vectorizes. Each sum is still the chain of double
   * additions over i that {@link #biasGrad} takes, so the bits are the same.
   */
  private static void rowsBiasGrad(float[] g, int n, int k, float[] db) {
    double[] s = ROW_SUMS.get();
    if (s.length < k) {
      s = new double[k];
      ROW_SUMS.set(s);
    }
    java.util.Arrays.fill(s, 0, k, 0.0);
    for (int i = 0; i < n; i++) {
      int off = i * k;
      for (int c = 0; c < k; c++) {
        s[c] += g[off + c];
      }
    }
    for (int c = 0; c < k; c++) {
      db[c] += (float) s[c];
    }
  }

  /** Below this many gradient values the bias gradient stays on the calling thread. */
  static final long BIAS_PARALLEL_MIN = 1L << 14;

  private static final ThreadLocal<BiasJob> BIAS_JOBS = ThreadLocal.withInitial(BiasJob::new);

  /** One bias gradient, a block of four channels per chunk (each channel's sum on one thread). */
  private static final class BiasJob implements Parallel.Body {
    private float[] g;
    private float[] db;
    private int n;
    private int k;
    private int l;

    void set(float[] g, int n, int k, int l, float[] db) {
      this.g = g;
      this.n = n;
      this.k = k;
      this.l = l;
      this.db = db;
    }

    @Override
    public void run(int block) {
      biasGrad(g, n, k, l, db, 4 * block, Math.min(k, 4 * block + 4));
    }
  }

  /**
   * Channels [c0, c1) of db += Σ_n Σ_l g. Each channel's sum is one sequential chain of double
   * additions (its order is part of the results' bits); four (or two) channels are summed side by
   * side so that their chains overlap in the FPU instead of each waiting out the latency of the
   * previous addition, which also makes a block of two take as long as a block of four.
   */
  private static void biasGrad(float[] g, int n, int k, int l, float[] db, int c0, int c1) {
    int c = c0;
    for (; c + 4 <= c1; c += 4) {
      double s0 = 0;
      double s1 = 0;
      double s2 = 0;
      double s3 = 0;
      for (int i = 0; i < n; i++) {
        int off = (i * k + c) * l;
        for (int j = 0; j < l; j++) {
          s0 += g[off + j];
          s1 += g[off + l + j];
          s2 += g[off + 2 * l + j];
          s3 += g[off + 3 * l + j];
        }
      }
      db[c] += (float) s0;
      db[c + 1] += (float) s1;
      db[c + 2] += (float) s2;
      db[c + 3] += (float) s3;
    }
    if (c + 2 <= c1) {
      double s0 = 0;
      double s1 = 0;
      for (int i = 0; i < n; i++) {
        int off = (i * k + c) * l;
        for (int j = 0; j < l; j++) {
          s0 += g[off + j];
          s1 += g[off + l + j];
        }
      }
      db[c] += (float) s0;
      db[c + 1] += (float) s1;
      c += 2;
    }
    for (; c < c1; c++) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        int off = (i * k + c) * l;
        for (int j = 0; j < l; j++) {
          s += g[off + j];
        }
      }
      db[c] += (float) s;
    }
  }
}
