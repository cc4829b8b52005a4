package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectConv#compact} copies exactly channels [k0, k1) of the wide rows into y, bias added,
 * and writes nothing past channel k1's last output (another thread may own it), for rows shorter
 * than, as long as, and longer than a vector.
 */
class DirectConvCompactTest {
  @Test
  void copiesTheValidColumnsOfItsChannelsAndNothingAfterThem() {
    int l = VectorGemm.L;
    // channels, height, width, kernel; output rows of width − kernel + 1 columns
    int[][] shapes = {
      {6, 32, 32, 5}, {16, 14, 14, 5}, {3, 6, 6, 3}, {4, l + 2, l + 2, 3}, {5, 9, 2 * l + 3, 4}
    };
    for (int[] d : shapes) {
      int k = d[0], h = d[1], w = d[2], r = d[3];
      ConvGeometry g = new ConvGeometry(1, h, w, k, r, r, 1, 1, 0, 0);
      DirectConv.Layout pl = new DirectConv.Layout(g);
      int p = pl.p, q = pl.q;
      float[] wide = new float[pl.wideSize()];
      for (int i = 0; i < wide.length; i++) {
        wide[i] = i % 1000;
      }
      float[] bias = new float[k];
      for (int c = 0; c < k; c++) {
        bias[c] = 0.25f * (c + 1);
      }
      int yOff = 3;
      for (int k0 = 0; k0 < k; k0++) {
        for (int k1 = k0 + 1; k1 <= k; k1++) {
          float[] y = new float[yOff + k * p * q + 2 * l];
          Arrays.fill(y, Float.NaN);
          DirectConv.compact(pl, wide, bias, y, yOff, k0, k1);
          for (int at = 0; at < y.length; at++) {
            int rel = at - yOff;
            int c = Math.floorDiv(rel, p * q);
            String where = Arrays.toString(d) + " channels [" + k0 + ", " + k1 + ") index " + at;
            if (c >= k0 && c < k1) {
              int row = rel % (p * q) / q;
              int col = rel % q;
              float want = wide[c * pl.widePad + row * w + col] + bias[c];
              assertEquals(want, y[at], 0f, where);
            } else if (c >= k1 || rel < 0) {
              assertTrue(Float.isNaN(y[at]), where + " was written: " + y[at]);
            }
          }
        }
      }
    }
  }
}
