package bnlab.nn;

import bnlab.kernel.ConvKernels;
import bnlab.kernel.ConvPlan;
import bnlab.kernel.KernelProvider;
import bnlab.kernel.Parallel;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/** Validation, output sizes and bias loops shared by the convolution and pooling layers. */
final class ConvShapes {
  private static final ConvKernels CONV = KernelProvider.get().conv();

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
    if ((long) n * k * l < BIAS_PARALLEL_MIN || n < 2 || Parallel.threads() == 1) {
      CONV.biasGrad(g, n, k, l, db, 0, k);
      return;
    }
    BiasJob job = BIAS_JOBS.get();
    job.set(g, n, k, l);
    try {
      Parallel.forEach(job.chunks, job);
    } finally {
      job.set(null, 0, 0, 0);
    }
    ConvKernels.addRowSums(job.rows, n, k, db);
  }

  private static final ThreadLocal<double[]> ROW_SUMS =
      ThreadLocal.withInitial(() -> new double[0]);

  /**
   * The bias gradient for rows of K (l = 1, Linear): every channel's sum side by side in a double
   * per channel, so the loop along a row vectorizes. Each sum is the chain of double additions over
   * i that {@link ConvKernels#biasGrad} takes for rows of one value, so the bits are the same.
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

  /**
   * One bias gradient's rows' sums, images split as the convolution plans split them (at most
   * {@link Parallel#BATCH_CHUNKS} contiguous ranges, the same bounds), so each thread reads the
   * images it wrote and will write again: split by channels, a thread read every image, and the
   * pooling's gradient that next writes them took 3–4× as long on two threads (the other core held
   * the lines). The rows are added per channel afterwards, on the calling thread, in image order.
   */
  private static final class BiasJob implements Parallel.Body {
    private float[] g;
    private float[] rows = new float[0];
    private int n;
    private int k;
    private int l;
    private int chunks;

    void set(float[] g, int n, int k, int l) {
      this.g = g;
      this.n = n;
      this.k = k;
      this.l = l;
      chunks = Math.min(n, Parallel.BATCH_CHUNKS);
      if (rows.length < n * k) {
        rows = new float[n * k];
      }
    }

    @Override
    public void run(int chunk) {
      int i0 = (int) ((long) chunk * n / chunks);
      int i1 = (int) ((long) (chunk + 1) * n / chunks);
      CONV.biasRowSums(g, n, k, l, i0, i1, rows);
    }
  }
}
