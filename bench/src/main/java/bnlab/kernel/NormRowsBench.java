package bnlab.kernel;

import bnlab.tensor.Rng;
import java.util.Arrays;
import java.util.Locale;

/**
 * BatchNorm1d's kernels on (N, C) rows ({@link VectorBatchNormRows}), on the calling thread: ns per
 * value and call of the statistics, the normalization (with the fused ReLU), the backward's sums
 * and its dx (both with the ReLU's mask) and the two as one call (the training backward), medians
 * of 10 rounds of 2,000 calls each, over 16 batches in turn so that the ReLU's masks change from
 * call to call.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp bench/target/classes:core/target/classes:\
 *     tensor/target/classes bnlab.kernel.NormRowsBench [N C]...
 * </pre>
 */
public final class NormRowsBench {
  private NormRowsBench() {}

  private static final int PATTERNS = 16;

  /** Times each (N, C) pair of the arguments, (128, 120) (128, 512) (10, 120) by default. */
  public static void main(String[] args) {
    int[] sizes = args.length >= 2 ? parse(args) : new int[] {128, 120, 128, 512, 10, 120};
    System.out.println("# " + KernelProvider.get().name() + ", calling thread only");
    System.out.println(
        "(N, C) | statistics | normalize | sums | dx | sums + dx (ns per value and call)");
    for (int i = 0; i + 1 < sizes.length; i += 2) {
      run(sizes[i], sizes[i + 1]);
    }
  }

  private static int[] parse(String[] args) {
    return Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
  }

  private static void run(int n, int c) {
    Rng rng = new Rng(1);
    float[] gamma = new float[c];
    float[] beta = new float[c];
    Arrays.fill(gamma, 1f);
    NormStats st = new NormStats();
    st.ensure(c);
    st.count(n);
    // PATTERNS batches of activations whose ReLU outputs (about half zero, in no order a branch
    // predictor could learn) change from call to call, as they do from step to step.
    float[][] x = new float[PATTERNS][];
    float[][] y = new float[PATTERNS][];
    for (int p = 0; p < PATTERNS; p++) {
      x[p] = new float[n * c];
      y[p] = new float[n * c];
      for (int i = 0; i < n * c; i++) {
        x[p][i] = rng.uniform(-1f, 1f);
      }
      VectorBatchNormRows.momentsNormalize(
          x[p], 0, n, c, 1e-5, st, 0, gamma, beta, y[p], null, true);
    }
    float[] dy = new float[n * c];
    for (int i = 0; i < dy.length; i++) {
      dy[i] = rng.uniform(-0.5f, 0.5f);
    }
    float[] xhat = x[0];
    float[] dx = new float[n * c];
    float[] out = new float[n * c];
    float[] dGamma = new float[c];
    float[] dBeta = new float[c];
    int calls = 2_000;
    int rounds = 10;
    double[][] t = new double[5][rounds];
    for (int r = -3; r < rounds; r++) {
      long t0 = System.nanoTime();
      for (int q = 0; q < calls; q++) {
        VectorBatchNormRows.moments(x[q % PATTERNS], 0, n, c, st, 0);
      }
      long t1 = System.nanoTime();
      for (int q = 0; q < calls; q++) {
        VectorBatchNormRows.normalize(
            x[q % PATTERNS], 0, n, c, st, 0, gamma, beta, out, null, true);
      }
      long t2 = System.nanoTime();
      for (int q = 0; q < calls; q++) {
        VectorBatchNormRows.sums(dy, y[q % PATTERNS], xhat, 0, n, c, st, 0, gamma, dGamma, dBeta);
      }
      long t3 = System.nanoTime();
      for (int q = 0; q < calls; q++) {
        VectorBatchNormRows.apply(true, dy, y[q % PATTERNS], xhat, 0, n, c, st, 0, gamma, dx);
      }
      long t4 = System.nanoTime();
      for (int q = 0; q < calls; q++) {
        VectorBatchNormRows.backward(
            dy, y[q % PATTERNS], xhat, 0, n, c, st, 0, gamma, dx, dGamma, dBeta);
      }
      long t5 = System.nanoTime();
      if (r >= 0) {
        double values = (double) calls * n * c;
        t[0][r] = (t1 - t0) / values;
        t[1][r] = (t2 - t1) / values;
        t[2][r] = (t3 - t2) / values;
        t[3][r] = (t4 - t3) / values;
        t[4][r] = (t5 - t4) / values;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "(%d, %d) | %.2f | %.2f | %.2f | %.2f | %.2f%n",
        n,
        c,
        median(t[0]),
        median(t[1]),
        median(t[2]),
        median(t[3]),
        median(t[4]));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
