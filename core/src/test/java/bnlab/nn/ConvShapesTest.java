package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bnlab.kernel.KernelProvider;
import bnlab.kernel.Parallel;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The bias gradient split over threads and images (and Linear's rows of one value) gives the bits
 * of one {@link bnlab.kernel.ConvKernels#biasGrad} call over all channels (whose order
 * BiasGradientTest checks), and a float64 sum within rounding.
 */
class ConvShapesTest {
  @Test
  void biasGradientSumsEachChannelInOrder() {
    int before = Parallel.threads();
    try {
      // One thread, then ranges of images split across two and three.
      for (int threads : new int[] {1, 2, 3}) {
        Parallel.setThreads(threads);
        check(threads);
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  private static void check(int threads) {
    Rng rng = new Rng(3);
    for (int k : new int[] {1, 2, 3, 4, 6, 9, 16}) {
      for (int[] nl : new int[][] {{1, 1}, {3, 7}, {10, 784}, {13, 300}, {3000, 1}, {40, 100}}) {
        int n = nl[0];
        int l = nl[1];
        float[] g = new float[n * k * l];
        for (int i = 0; i < g.length; i++) {
          // Magnitudes over six decades, so that a different order of additions shows in the bits.
          g[i] = (rng.nextFloat() - 0.5f) * (float) Math.pow(10, 6 * rng.nextFloat());
        }
        Parameter bias = new Parameter(Tensor.zeros(k), Parameter.Role.BIAS);
        bias.grad().data()[k - 1] = 0.25f;
        ConvShapes.addBiasGrad(bias, g, n, k, l);
        float[] want = new float[k];
        want[k - 1] = 0.25f;
        KernelProvider.get().conv().biasGrad(g, n, k, l, want, 0, k);
        for (int c = 0; c < k; c++) {
          double s = 0;
          double size = 0;
          for (int i = 0; i < n; i++) {
            for (int j = 0; j < l; j++) {
              s += g[(i * k + c) * l + j];
              size += Math.abs(g[(i * k + c) * l + j]);
            }
          }
          String what =
              "channel " + c + " of " + k + ", n=" + n + " l=" + l + ", threads " + threads;
          assertEquals(want[c], bias.grad().data()[c], 0f, what);
          assertEquals((c == k - 1 ? 0.25 : 0) + s, bias.grad().data()[c], 1e-6 * size, what);
        }
      }
    }
  }
}
