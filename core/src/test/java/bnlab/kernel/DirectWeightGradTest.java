package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectWeightGrad}: the transposed dY's layout written over dirty scratch, one image's sums
 * over the outputs' positions (compact) bit for bit those over the wide rows, and one image's sums
 * against a float64 reference (each sum is a float FMA chain over one image's positions, so its
 * error is that of a float dot product of about 1,000 terms).
 */
class DirectWeightGradTest {
  // channels, height, width, outChannels, kernel, pad
  private static final int[][] SHAPES = {
    {16, 32, 32, 16, 3, 1},
    {3, 32, 32, 16, 3, 1},
    {5, 23, 29, 32, 3, 1},
    {2, 7, 9, 48, 2, 0},
    {6, 14, 14, 16, 5, 0} // the article's second layer: rows of 10, one 8×8 block and a tail
  };

  @Test
  void transposeWritesEveryPositionOverDirtyScratch() {
    for (int[] d : SHAPES) {
      DirectConv.Layout pl = layout(d);
      int kk = pl.g.outChannels();
      float[] dy = new float[3 + kk * pl.p * pl.q];
      for (int i = 0; i < dy.length; i++) {
        dy[i] = i + 1;
      }
      float[] dyT = new float[DirectWeightGrad.transposedSize(pl)];
      Arrays.fill(dyT, Float.NaN);
      DirectWeightGrad.transpose(pl, dy, 3, dyT, false);
      int w = pl.g.width();
      for (int k = 0; k < kk; k++) {
        for (int o = 0; o < pl.widePad; o++) {
          int r = o / w;
          int s = o % w;
          boolean real = r < pl.p && s < pl.q;
          float want = real ? dy[3 + (k * pl.p + r) * pl.q + s] : 0f;
          float got = dyT[((k / 16) * pl.widePad + o) * 16 + k % 16];
          assertEquals(want, got, 0f, Arrays.toString(d) + " channel " + k + " position " + o);
        }
      }
    }
  }

  @Test
  void oneImageSumsMatchFloat64() {
    Random rnd = new Random(5);
    for (int[] d : SHAPES) {
      DirectConv.Layout pl = layout(d);
      ConvGeometry g = pl.g;
      int kk = g.outChannels();
      // Inputs off zero (1000 ± 1) so that the products do not cancel into a small sum by luck.
      float[] x = new float[g.inSize() + pl.reach];
      for (int i = 0; i < g.inSize(); i++) {
        x[i] = 1000f + (float) rnd.nextGaussian();
      }
      float[] dy = new float[kk * pl.p * pl.q];
      for (int i = 0; i < dy.length; i++) {
        dy[i] = (float) rnd.nextGaussian();
      }
      float[] dyT = new float[DirectWeightGrad.transposedSize(pl)];
      DirectWeightGrad.transpose(pl, dy, 0, dyT, false);
      float[] tile = new float[DirectWeightGrad.tileSize(pl)];
      Arrays.fill(tile, Float.NaN);
      DirectWeightGrad.image(pl, DirectWeightGrad.offsets(pl), x, 0, dyT, tile, false);
      // Over the outputs' positions only, from the shifted copies: the same sums, bit for bit
      // (the wide rows' junk positions add exact zeros).
      float[] shifted = new float[DirectWeightGrad.shiftedSize(pl)];
      Arrays.fill(shifted, Float.NaN);
      DirectWeightGrad.shift(pl, x, 0, shifted);
      float[] dyC = new float[DirectWeightGrad.transposedSize(pl)];
      Arrays.fill(dyC, Float.NaN);
      DirectWeightGrad.transpose(pl, dy, 0, dyC, true);
      float[] compact = new float[tile.length];
      Arrays.fill(compact, Float.NaN);
      DirectWeightGrad.image(
          pl, DirectWeightGrad.compactOffsets(pl), shifted, 0, dyC, compact, true);
      for (int i = 0; i < kk * pl.crs; i++) {
        if (Float.floatToRawIntBits(compact[i]) != Float.floatToRawIntBits(tile[i])) {
          fail(Arrays.toString(d) + " sum " + i + ": compact " + compact[i] + ", wide " + tile[i]);
        }
      }
      double worst = 0;
      for (int k = 0; k < kk; k++) {
        for (int c = 0; c < pl.crs; c++) {
          double want = 0;
          double magnitude = 0;
          for (int r = 0; r < pl.p; r++) {
            for (int s = 0; s < pl.q; s++) {
              double term =
                  (double) dy[(k * pl.p + r) * pl.q + s] * x[pl.rowOff[c] + r * g.width() + s];
              want += term;
              magnitude += Math.abs(term);
            }
          }
          double got = tile[c * kk + k];
          // A float sum of n terms: |error| ≤ n·u·Σ|terms| at worst, about √n·u·Σ|terms| typically.
          double bound = Math.sqrt(pl.p * pl.q) * 0x1p-24 * magnitude * 4;
          double err = Math.abs(got - want);
          worst = Math.max(worst, err / bound);
          if (!(err <= bound)) {
            fail(
                Arrays.toString(d)
                    + " dW["
                    + k
                    + ", tap "
                    + c
                    + "]: float64 "
                    + want
                    + " kernel "
                    + got
                    + " (bound "
                    + bound
                    + ")");
          }
        }
      }
      assertTrue(worst > 0, "an exact result everywhere means the reference is the kernel itself");
    }
  }

  @Test
  void compactWhereTheWideRowsAreAFifthJunk() {
    // The article's second layer: 100 outputs in 136 wide positions.
    assertTrue(DirectWeightGrad.compact(layout(SHAPES[4])));
    // resnet20's 16→16 layer: 1,024 in 1,086.
    assertTrue(!DirectWeightGrad.compact(layout(SHAPES[0])));
    DirectConv.Layout pl = layout(SHAPES[4]);
    assertEquals(100, DirectWeightGrad.positions(pl, true));
    int[] off = DirectWeightGrad.compactOffsets(pl);
    // Tap (c, r, s) = (1, 2, 3) of 6×5×5 taps on 14 rows of 10: (3·6 + 1)·140 + 2·10.
    assertEquals(19 * 140 + 20, off[25 + 2 * 5 + 3]);
  }

  private static DirectConv.Layout layout(int[] d) {
    ConvGeometry g = new ConvGeometry(d[0], d[1], d[2], d[3], d[4], d[4], 1, 1, d[5], d[5]);
    return new DirectConv.Layout(DirectConv.unpadded(g));
  }
}
