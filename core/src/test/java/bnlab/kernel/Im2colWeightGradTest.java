package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The im2col plan's weight gradient in its transposed form (col·dYᵀ image by image), also where a
 * chunk's sum over positions is long (resnet20's stride-2 layers at batch 128): a float64 sum to
 * float rounding, and the same bits on one and two threads.
 */
class Im2colWeightGradTest {
  private final int threadsBefore = Parallel.threads();

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(threadsBefore);
  }

  @Test
  void longSumsAreTransposedAndMatchAFloat64Sum() {
    // 16→32, 3×3, stride 2, padding 1 on 16×16 (8×8 outputs), 5 images per chunk: 320 positions
    // per chunk, which the NT form used to sum.
    ConvGeometry g = new ConvGeometry(16, 16, 16, 32, 3, 3, 2, 2, 1, 1);
    int n = 40;
    Rng rng = new Rng(21);
    float[] x = VectorGemmTest.random(rng, n * g.inSize());
    float[] w = VectorGemmTest.random(rng, g.weightSize());
    float[] dy = VectorGemmTest.random(rng, n * g.outSize());
    double[] want = reference(g, n, x, dy);
    float[] first = null;
    for (int threads : new int[] {1, 2}) {
      Parallel.setThreads(threads);
      Im2colGemmPlan plan = new Im2colGemmPlan("vector-test", g, n, true, true, null);
      assertTrue(plan.toString().contains("weight gradient transposed"), plan.toString());
      plan.forward(x, w, null, new float[n * g.outSize()]);
      float[] dw = new float[w.length];
      plan.backward(dy, x, w, dw, new float[x.length]);
      double tol = 8 * Math.sqrt(n * g.pq()) * Math.ulp(1f) * 4;
      for (int i = 0; i < dw.length; i++) {
        if (!(Math.abs(dw[i] - want[i]) <= tol)) {
          fail(
              String.format(
                  "%d threads: dW[%d] = %s, float64 gives %s", threads, i, dw[i], want[i]));
        }
      }
      if (first == null) {
        first = dw;
      } else if (!Arrays.equals(first, dw)) {
        fail("dW differs between 1 and 2 threads");
      }
    }
  }

  @Test
  void fewOutputChannelsOrManyPositionsKeepTheDotProducts() {
    ConvGeometry fewChannels = new ConvGeometry(3, 12, 12, 6, 5, 5, 1, 1, 0, 0);
    assertFalse(plan(fewChannels, 8).contains("transposed"), plan(fewChannels, 8));
    // vgg's first layer: 1,024 positions per image.
    ConvGeometry vgg1 = new ConvGeometry(3, 32, 32, 32, 3, 3, 1, 1, 1, 1);
    assertFalse(plan(vgg1, 128).contains("transposed"), plan(vgg1, 128));
    ConvGeometry r2s = new ConvGeometry(16, 32, 32, 32, 3, 3, 2, 2, 1, 1);
    assertTrue(plan(r2s, 128).contains("transposed"), plan(r2s, 128));
  }

  private static String plan(ConvGeometry g, int batch) {
    return new Im2colGemmPlan("vector-test", g, batch, true, true, null).toString();
  }

  private static double[] reference(ConvGeometry g, int n, float[] x, float[] dy) {
    double[] dw = new double[g.weightSize()];
    int c = g.channels();
    int h = g.height();
    int wd = g.width();
    int r = g.kernelH();
    int p = g.outH();
    int q = g.outW();
    int k = g.outChannels();
    for (int t = 0; t < n; t++) {
      for (int o = 0; o < k; o++) {
        for (int ch = 0; ch < c; ch++) {
          for (int u = 0; u < r; u++) {
            for (int v = 0; v < r; v++) {
              double s = 0;
              for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++) {
                  int yy = i * g.strideH() + u - g.padH();
                  int xx = j * g.strideW() + v - g.padW();
                  if (yy >= 0 && yy < h && xx >= 0 && xx < wd) {
                    s +=
                        (double) dy[((t * k + o) * p + i) * q + j]
                            * x[((t * c + ch) * h + yy) * wd + xx];
                  }
                }
              }
              dw[((o * c + ch) * r + u) * r + v] += s;
            }
          }
        }
      }
    }
    return dw;
  }
}
