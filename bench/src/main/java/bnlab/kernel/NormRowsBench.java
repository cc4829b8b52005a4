package bnlab.kernel;

import bnlab.tensor.Rng;
import java.util.Arrays;
import java.util.Locale;

/**
 * BatchNorm1d's kernels on (N, C) rows ({@link VectorBatchNormRows}), on the calling thread: ns per
 * value and call of the statistics, the normalization (with the fused ReLU), the backward's sums
 * and its dx (both with the ReLU's mask), medians of 10 rounds of 2,000 calls each.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp bench/target/classes:core/target/classes:\
 *     tensor/target/classes bnlab.kernel.NormRowsBench [N C]...
 * </pre>
 */
public final class NormRowsBench {
  private NormRowsBench() {}

  /** Times each (N, C) pair of the arguments, (128, 120) (128, 512) (10, 120) by default. */
  public static void main(String[] args) {
    int[] sizes = args.length >= 2 ? parse(args) : new int[] {128, 120, 128, 512, 10, 120};
    System.out.println("# " + KernelProvider.get().name() + ", calling thread only");
    System.out.println("(N, C) | statistics | normalize | sums | dx (ns per value and call)");
    for (int i = 0; i + 1 < sizes.length; i += 2) {
      run(sizes[i], sizes[i + 1]);
    }
  }

  private static int[] parse(String[] args) {
    return Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
  }

  private static void run(int n, int c) {
    Rng rng = new Rng(1);
    float[] x = new float[n * c];
    float[] dy = new float[n * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextFloat();
      dy[i] = rng.nextFloat() - 0.5f;
    }
    float[] y = new float[n * c];
    float[] dx = new float[n * c];
    float[] gamma = new float[c];
    float[] beta = new float[c];
    float[] dGamma = new float[c];
    float[] dBeta = new float[c];
    Arrays.fill(gamma, 1f);
    NormStats st = new NormStats();
    st.ensure(c);
    st.count(n);
    int calls = 2_000;
    int rounds = 10;
    double[][] t = new double[4][rounds];
    for (int r = -3; r < rounds; r++) {
      long t0 = System.nanoTime();
      for (int q = 0; q < calls; q++) {
        VectorBatchNormRows.moments(x, 0, n, c, st, 0);
      }
      long t1 = System.nanoTime();
      for (int q = 0; q < calls; q++) {
        VectorBatchNormRows.normalize(x, 0, n, c, st, 0, gamma, beta, y, null, true);
      }
      long t2 = System.nanoTime();
      for (int q = 0; q < calls; q++) {
        VectorBatchNormRows.sums(dy, y, x, 0, n, c, st, 0, gamma, dGamma, dBeta);
      }
      long t3 = System.nanoTime();
      for (int q = 0; q < calls; q++) {
        VectorBatchNormRows.apply(true, dy, y, x, 0, n, c, st, 0, gamma, dx);
      }
      long t4 = System.nanoTime();
      if (r >= 0) {
        double values = (double) calls * n * c;
        t[0][r] = (t1 - t0) / values;
        t[1][r] = (t2 - t1) / values;
        t[2][r] = (t3 - t2) / values;
        t[3][r] = (t4 - t3) / values;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "(%d, %d) | %.2f | %.2f | %.2f | %.2f%n",
        n,
        c,
        median(t[0]),
        median(t[1]),
        median(t[2]),
        median(t[3]));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
