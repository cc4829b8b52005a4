package bnlab.reference.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The fixed cost of one call into libtorch from Java, so the tables can say how much of a small
 * step is bridge rather than arithmetic.
 *
 * <ul>
 *   <li>{@code emptyJniMicros}: a JNI call that does no tensor work ({@code at::get_num_threads}):
 *       the bare Java-to-native crossing.
 *   <li>{@code tinyOpMicros}: {@code a + b} on one-element tensors through DJL, the result wrapped
 *       and freed: crossing, DJL's wrapper and bookkeeping, ATen's dispatcher and a tensor
 *       allocation — what every layer call in a step pays before any arithmetic. (Python PyTorch
 *       pays ATen's part too, plus the interpreter's.)
 * </ul>
 *
 * Each figure is the median of 5 timed rounds after one warm-up round.
 */
record Overhead(double emptyJniMicros, double tinyOpMicros) {

  static Overhead measure(NDManager m) {
    double[] empty = new double[5];
    double[] tiny = new double[5];
    try (PtNDArray a = (PtNDArray) m.create(new float[] {1f});
        PtNDArray b = (PtNDArray) m.create(new float[] {2f})) {
      for (int r = -1; r < 5; r++) {
        int n = 200_000;
        // Native calls are opaque to the JIT: none of these loops can be optimised away.
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          JniUtils.getNumThreads();
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < n / 4; i++) {
          JniUtils.add(a, b).close();
        }
        long t2 = System.nanoTime();
        if (r >= 0) {
          empty[r] = (t1 - t0) * 1e-3 / n;
          tiny[r] = (t2 - t1) * 1e-3 / (n / 4);
        }
      }
    }
    return new Overhead(Runs.median(empty), Runs.median(tiny));
  }
}
