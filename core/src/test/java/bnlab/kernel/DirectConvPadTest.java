package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link DirectConv#padImage} writes every element of the padded image over whatever was there. */
class DirectConvPadTest {
  @Test
  void everyElementOfThePaddedImageIsWritten() {
    // channels, height, width, padH, padW
    int[][] shapes = {{2, 3, 4, 1, 1}, {1, 1, 1, 2, 0}, {3, 2, 5, 0, 3}, {2, 4, 3, 3, 2}};
    for (int[] d : shapes) {
      int c = d[0], h = d[1], w = d[2], ph = d[3], pw = d[4];
      ConvGeometry g = new ConvGeometry(c, h, w, 1, 1, 1, 1, 1, ph, pw);
      float[] x = new float[5 + c * h * w];
      for (int i = 0; i < x.length; i++) {
        x[i] = i + 1;
      }
      int hp = h + 2 * ph, wp = w + 2 * pw;
      float[] dst = new float[7 + c * hp * wp + 3];
      Arrays.fill(dst, Float.NaN);
      DirectConv.padImage(g, x, 5, dst, 7);
      for (int ch = 0; ch < c; ch++) {
        for (int r = 0; r < hp; r++) {
          for (int s = 0; s < wp; s++) {
            boolean inside = r >= ph && r < ph + h && s >= pw && s < pw + w;
            float want = inside ? x[5 + (ch * h + r - ph) * w + s - pw] : 0f;
            int at = 7 + (ch * hp + r) * wp + s;
            String where = Arrays.toString(d) + " channel " + ch + " row " + r + " column " + s;
            assertEquals(want, dst[at], 0f, where);
          }
        }
      }
      assertEquals(true, Float.isNaN(dst[6]) && Float.isNaN(dst[7 + c * hp * wp]), "outside");
    }
  }
}
