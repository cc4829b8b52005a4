package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The input gradient over {@link DirectConv.Bands} (only the kernel rows that meet dY) has the bits
 * of the same direct convolution over every tap of the zero-padded dY, and leaves work out where
 * the padding is narrower than the kernel less one.
 */
class DirectConvBandsTest {
  // channels, height, width, outChannels, kernelH, kernelW, padH, padW, batch
  private static final int[][] SHAPES = {
    {6, 14, 14, 16, 5, 5, 0, 0, 3}, // the article's conv2: 4 zero rows each side of 10
    {3, 12, 12, 7, 5, 5, 1, 1, 2},
    {3, 12, 12, 7, 5, 5, 2, 2, 2}, // 2 zero rows: and 2 columns, which are still multiplied
    {4, 9, 9, 5, 3, 3, 0, 0, 3},
    {16, 32, 32, 16, 3, 3, 1, 1, 1}, // resnet20's 16→16: the first and last rows only
    {2, 9, 4, 3, 7, 3, 0, 1, 2}, // narrow rows: a 16-column tile spans several of them
    {3, 5, 40, 2, 3, 5, 1, 0, 2}, // a tile within one long row
    {1, 13, 1, 1, 5, 1, 0, 0, 1} // one column
  };

  private final int threadsBefore = Parallel.threads();

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(threadsBefore);
  }

  @Test
  void bandsGiveTheBitsOfEveryTap() {
    Rng rng = new Rng(5);
    for (int[] d : SHAPES) {
      ConvGeometry g = new ConvGeometry(d[0], d[1], d[2], d[3], d[4], d[5], 1, 1, d[6], d[7]);
      int n = d[8];
      float[] x = VectorGemmTest.random(rng, n * g.inSize());
      float[] w = VectorGemmTest.random(rng, g.weightSize());
      float[] dy = VectorGemmTest.random(rng, n * g.outSize());
      float[] want = everyTap(g, n, w, dy);
      for (int threads : new int[] {1, 2}) {
        Parallel.setThreads(threads);
        DirectConvPlan plan =
            new DirectConvPlan("vector-test", g, n, true, true, null, null, false);
        float[] y = new float[n * g.outSize()];
        plan.forward(x, w, null, y);
        float[] dx = new float[x.length];
        Arrays.fill(dx, Float.NaN);
        plan.backward(dy, x, w, new float[w.length], dx);
        for (int i = 0; i < dx.length; i++) {
          if (Float.floatToRawIntBits(dx[i]) != Float.floatToRawIntBits(want[i])) {
            fail(
                String.format(
                    "%s, %d threads: dX[%d] = %s, every tap gives %s",
                    Arrays.toString(d), threads, i, dx[i], want[i]));
          }
        }
      }
    }
  }

  @Test
  void bandsLeaveOutTheRowsOfZeros() {
    ConvGeometry conv2 = new ConvGeometry(6, 14, 14, 16, 5, 5, 1, 1, 0, 0);
    DirectConv.Layout grad = new DirectConv.Layout(DirectConv.inputGradient(conv2));
    long all = (long) grad.crs * grad.widePad * grad.g.outChannels();
    long banded = DirectConv.Bands.of(conv2, grad).products();
    // Of 14 dX rows, 8 meet fewer than 5 kernel rows: 50 of 70 row taps are needed (71%); a tile
    // of 16 columns spans two rows of 18 and takes the taps of both, which makes it 80%.
    assertTrue(banded <= 0.8 * all && banded >= 0.71 * all, banded + " of " + all);
    ConvGeometry full = new ConvGeometry(4, 8, 8, 4, 3, 3, 1, 1, 2, 2);
    DirectConv.Layout fullGrad = new DirectConv.Layout(DirectConv.inputGradient(full));
    assertNull(DirectConv.Bands.of(full, fullGrad), "padding R−1 leaves no zero rows to skip");
  }

  // dX image by image: the flipped weight over every tap of the zero-padded dY.
  private static float[] everyTap(ConvGeometry g, int n, float[] w, float[] dy) {
    DirectConv.Layout grad = new DirectConv.Layout(DirectConv.inputGradient(g));
    float[] flipped = new float[w.length];
    DirectConv.flipWeight(g, w, flipped);
    float[] panels = new float[w.length];
    DirectConv.panels(flipped, 0, g.channels(), grad.crs, panels);
    float[] dyPad = new float[grad.reach];
    float[] wide = new float[grad.wideSize()];
    float[] pad = new float[grad.reach];
    float[] dx = new float[n * g.inSize()];
    for (int t = 0; t < n; t++) {
      DirectConv.padGradient(g, dy, t, dyPad);
      DirectConv.forward(grad, dyPad, 0, panels, null, dx, t * g.inSize(), wide, pad);
    }
    return dx;
  }
}
