package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The direct forward by pixel tiles has the bits of the wide rows ({@link DirectConv#forward}),
 * matches a float64 sum to float rounding, and is chosen where the wide rows waste a third.
 */
class PixelTilesTest {
  private static final int BLOCK = 2 * VectorGemm.L;

  // channels, height, width, outChannels, kernel, pad, batch
  private static final int[][] SHAPES = {
    {6, 14, 14, BLOCK, 5, 0, 3}, // the article's conv2 (16 channels at 256 bits)
    {3, 12, 12, 2 * BLOCK, 5, 1, 2}, // two channel blocks, padded
    {2, 9, 9, BLOCK, 3, 0, 2}, // 49 pixels: a last tile of one
    {4, 7, 5, BLOCK, 3, 1, 1}, // narrow rows: tiles across several rows
    {1, 6, 6, BLOCK, 6, 0, 2}, // one output pixel per channel
    {5, 10, 13, 3 * BLOCK, 4, 2, 2} // rectangular, wide padding
  };

  private final int threadsBefore = Parallel.threads();

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(threadsBefore);
  }

  private static ConvGeometry geometry(int[] d) {
    return new ConvGeometry(d[0], d[1], d[2], d[3], d[4], d[4], 1, 1, d[5], d[5]);
  }

  @Test
  void pixelTilesGiveTheWideRowsBits() {
    Rng rng = new Rng(11);
    for (int[] d : SHAPES) {
      DirectConv.Layout pl = new DirectConv.Layout(DirectConv.unpadded(geometry(d)));
      ConvGeometry g = pl.g;
      float[] x = VectorGemmTest.random(rng, g.inSize() + pl.reach);
      float[] w = VectorGemmTest.random(rng, g.weightSize());
      float[] bias = VectorGemmTest.random(rng, g.outChannels());
      float[] want = new float[g.outSize()];
      float[] panels = new float[w.length];
      DirectConv.panels(w, 0, g.outChannels(), g.crs(), panels);
      DirectConv.forward(
          pl, x, 0, panels, bias, want, 0, new float[pl.wideSize()], new float[pl.reach]);
      float[] wT = new float[w.length];
      PixelTiles.transposeWeight(g, w, wT);
      float[] got = new float[g.outSize() + 5];
      Arrays.fill(got, Float.NaN);
      float[] cols = new float[PixelTiles.colsSize(g)];
      PixelTiles.forward(g, pl.rowOff, PixelTiles.bases(g), wT, x, 0, bias, got, 0, cols);
      assertBits(Arrays.toString(d), want, got);
      for (int i = want.length; i < got.length; i++) {
        assertTrue(Float.isNaN(got[i]), Arrays.toString(d) + ": wrote past y at " + i);
      }
    }
  }

  @Test
  void planForwardMatchesAFloat64SumAndTheWideRows() {
    Rng rng = new Rng(12);
    for (int[] d : SHAPES) {
      ConvGeometry g = geometry(d);
      int n = d[6];
      float[] x = VectorGemmTest.random(rng, n * g.inSize());
      float[] w = VectorGemmTest.random(rng, g.weightSize());
      float[] bias = VectorGemmTest.random(rng, g.outChannels());
      DirectConv.Layout pl = new DirectConv.Layout(DirectConv.unpadded(g));
      float[] wide = wideRows(g, pl, n, x, w, bias);
      for (boolean training : new boolean[] {true, false}) {
        for (int threads : new int[] {1, 2}) {
          Parallel.setThreads(threads);
          DirectConvPlan plan = new DirectConvPlan("vector-test", g, n, training, false, null);
          float[] y = new float[n * g.outSize()];
          plan.forward(x, w, bias, y);
          String what =
              Arrays.toString(d) + (training ? " training" : " inference") + ", " + threads;
          assertBits(what, wide, y);
          assertNear(what, reference(g, n, x, w, bias), y, g.crs());
        }
      }
    }
  }

  @Test
  void chosenWhereTheWideRowsWasteAThird() {
    ConvGeometry conv2 = new ConvGeometry(6, 14, 14, BLOCK, 5, 5, 1, 1, 0, 0);
    DirectConv.Layout pl = new DirectConv.Layout(conv2);
    assertTrue(PixelTiles.pays(pl), "the article's conv2: 100 of " + pl.widePad);
    String plan = new DirectConvPlan("vector-test", conv2, 4, true, true, null).toString();
    assertTrue(plan.contains("forward by pixel tiles"), plan);
    ConvGeometry r2 = new ConvGeometry(BLOCK, 32, 32, BLOCK, 3, 3, 1, 1, 1, 1);
    assertFalse(PixelTiles.pays(new DirectConv.Layout(DirectConv.unpadded(r2))), "1024 of 1088");
    ConvGeometry odd = new ConvGeometry(6, 14, 14, BLOCK + 2, 5, 5, 1, 1, 0, 0);
    assertFalse(PixelTiles.pays(new DirectConv.Layout(odd)), "channels not whole blocks");
    assertEquals(
        -1, new DirectConvPlan("vector-test", r2, 4, true, true, null).toString().indexOf("pixel"));
  }

  // Each image through the wide rows.
  private static float[] wideRows(
      ConvGeometry g, DirectConv.Layout pl, int n, float[] x, float[] w, float[] bias) {
    float[] y = new float[n * g.outSize()];
    float[] img = new float[pl.g.inSize() + pl.reach];
    float[] panels = new float[w.length];
    DirectConv.panels(w, 0, g.outChannels(), g.crs(), panels);
    for (int t = 0; t < n; t++) {
      Arrays.fill(img, 0f);
      DirectConv.padImage(g, x, t * g.inSize(), img, 0);
      DirectConv.forward(
          pl,
          img,
          0,
          panels,
          bias,
          y,
          t * g.outSize(),
          new float[pl.wideSize()],
          new float[pl.reach]);
    }
    return y;
  }

  private static double[] reference(ConvGeometry g, int n, float[] x, float[] w, float[] bias) {
    int c = g.channels();
    int h = g.height();
    int wd = g.width();
    int r = g.kernelH();
    int p = g.outH();
    int q = g.outW();
    int pad = g.padH();
    double[] y = new double[n * g.outSize()];
    for (int t = 0; t < n; t++) {
      for (int k = 0; k < g.outChannels(); k++) {
        for (int i = 0; i < p; i++) {
          for (int j = 0; j < q; j++) {
            double s = bias[k];
            for (int ch = 0; ch < c; ch++) {
              for (int u = 0; u < r; u++) {
                for (int v = 0; v < r; v++) {
                  int yy = i + u - pad;
                  int xx = j + v - pad;
                  if (yy >= 0 && yy < h && xx >= 0 && xx < wd) {
                    s +=
                        (double) w[((k * c + ch) * r + u) * r + v]
                            * x[((t * c + ch) * h + yy) * wd + xx];
                  }
                }
              }
            }
            y[((t * g.outChannels() + k) * p + i) * q + j] = s;
          }
        }
      }
    }
    return y;
  }

  private static void assertBits(String what, float[] want, float[] got) {
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        fail(String.format("%s: y[%d] = %s, wide rows give %s", what, i, got[i], want[i]));
      }
    }
  }

  // |y − y64| within a few float roundings of a sum of `terms` products of values in [-1, 1).
  private static void assertNear(String what, double[] want, float[] got, int terms) {
    double tol = 4 * Math.sqrt(terms) * Math.ulp(1f) * 8;
    for (int i = 0; i < want.length; i++) {
      if (!(Math.abs(want[i] - got[i]) <= tol)) {
        fail(String.format("%s: y[%d] = %s, float64 gives %s", what, i, got[i], want[i]));
      }
    }
  }
}
