package bnlab.kernel;

import bnlab.tensor.Rng;
import java.util.Arrays;
import java.util.Locale;

/**
 * A 2×2 max pooling's backward through the ReLU before it (dy passes where the pooled maximum is
 * above zero), on the calling thread: ns per pooled value, median of 9 rounds, over 16 batches in
 * turn whose windows are all zero with the given probability, so that the mask changes from call to
 * call as it does from step to step.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -Dbnlab.threads=1 -cp bench/target/classes:\
 *     core/target/classes:tensor/target/classes bnlab.kernel.MaskedPoolBench [N C H zeroShare]...
 * </pre>
 */
public final class MaskedPoolBench {
  private MaskedPoolBench() {}

  private static final int PATTERNS = 16;

  /** Times each (N, C, H, share) of the arguments; the Net's and vgg's pooled layers by default. */
  public static void main(String[] args) {
    String[] a =
        args.length >= 4
            ? args
            : new String[] {
              "128", "16", "10", "0.06", "128", "16", "10", "0.3", "128", "16", "10", "0.5", "128",
              "6", "28", "0.3", "128", "32", "8", "0.3"
            };
    System.out.println("# " + KernelProvider.get().name());
    System.out.println("(N, C, H, W) | windows all zero | ns per pooled value");
    for (int i = 0; i + 3 < a.length; i += 4) {
      run(
          Integer.parseInt(a[i]),
          Integer.parseInt(a[i + 1]),
          Integer.parseInt(a[i + 2]),
          Double.parseDouble(a[i + 3]));
    }
  }

  private static void run(int n, int c, int h, double zeroShare) {
    int planes = n * c;
    int w = h;
    int pooledSize = planes * (h / 2) * (w / 2);
    PoolActivationKernels k = KernelProvider.get().poolActivation();
    Rng rng = new Rng(1);
    float[][] pooled = new float[PATTERNS][];
    int[][] argmax = new int[PATTERNS][];
    float[] x = new float[planes * h * w];
    for (int p = 0; p < PATTERNS; p++) {
      for (int i = 0; i < x.length; i++) {
        x[i] = rng.nextFloat();
      }
      for (int pl = 0; pl < planes; pl++) {
        for (int i = 0; i < h / 2; i++) {
          for (int j = 0; j < w / 2; j++) {
            if (rng.nextDouble() < zeroShare) {
              int t = pl * h * w + 2 * i * w + 2 * j;
              x[t] = 0f;
              x[t + 1] = 0f;
              x[t + w] = 0f;
              x[t + w + 1] = 0f;
            }
          }
        }
      }
      pooled[p] = new float[pooledSize];
      argmax[p] = new int[pooledSize];
      k.maxPool2x2(x, planes, h, w, pooled[p], argmax[p]);
    }
    float[] dy = new float[pooledSize];
    for (int i = 0; i < dy.length; i++) {
      dy[i] = rng.nextFloat() - 0.5f;
    }
    float[] dx = new float[x.length];
    int reps = Math.max(50, (int) (4e7 / x.length));
    double[] t = new double[9];
    for (int r = -3; r < t.length; r++) {
      long t0 = System.nanoTime();
      for (int q = 0; q < reps; q++) {
        k.maxPool2x2Backward(dy, pooled[q % PATTERNS], argmax[q % PATTERNS], planes, h, w, dx);
      }
      long t1 = System.nanoTime();
      if (r >= 0) {
        t[r] = (t1 - t0) / ((double) reps * pooledSize);
      }
    }
    Arrays.sort(t);
    System.out.printf(
        Locale.ROOT, "(%d, %d, %d, %d) | %.2f | %.2f%n", n, c, h, w, zeroShare, t[t.length / 2]);
  }
}
