package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectConv#padImage} and {@link DirectConv#padGradient} write every element of the padded
 * planes over whatever was there, and nothing past them; rows as long as several vectors and a tail
 * take the vector copy.
 */
class DirectConvPadTest {
  @Test
  void everyElementOfThePaddedImageIsWritten() {
    // channels, height, width, padH, padW
    int[][] shapes = {
      {2, 3, 4, 1, 1},
      {1, 1, 1, 2, 0},
      {3, 2, 5, 0, 3},
      {2, 4, 3, 3, 2},
      {2, 3, 37, 1, 1},
      {3, 2, 32, 1, 1}
    };
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

  @Test
  void everyElementOfThePaddedGradientIsWritten() {
    // outChannels, outH, outW, kernelH, kernelW, padH, padW: the border is R−1−padH rows and
    // S−1−padW columns, none on a side where the padding is the kernel less one
    int[][] shapes = {
      {2, 3, 4, 3, 3, 1, 1},
      {1, 1, 1, 5, 5, 0, 0},
      {3, 4, 37, 3, 3, 2, 1},
      {2, 4, 9, 3, 5, 1, 4},
      {16, 32, 32, 3, 3, 1, 1},
      {2, 5, 33, 2, 2, 1, 1}
    };
    for (int[] d : shapes) {
      int kk = d[0], p = d[1], q = d[2], r = d[3], ss = d[4], ph = d[5], pw = d[6];
      // A convolution with that output: input (P − 1 + R − 2·padH) × (Q − 1 + S − 2·padW).
      ConvGeometry g =
          new ConvGeometry(1, p - 1 + r - 2 * ph, q - 1 + ss - 2 * pw, kk, r, ss, 1, 1, ph, pw);
      assertEquals(p, g.outH());
      assertEquals(q, g.outW());
      int t = 2;
      float[] dy = new float[(t + 1) * kk * p * q];
      for (int i = 0; i < dy.length; i++) {
        dy[i] = i + 1;
      }
      int eh = r - 1 - ph, ew = ss - 1 - pw;
      int hp = p + 2 * eh, wp = q + 2 * ew;
      float[] dst = new float[kk * hp * wp + 3];
      Arrays.fill(dst, Float.NaN);
      DirectConv.padGradient(g, dy, t, dst);
      for (int k = 0; k < kk; k++) {
        for (int i = 0; i < hp; i++) {
          for (int j = 0; j < wp; j++) {
            boolean inside = i >= eh && i < eh + p && j >= ew && j < ew + q;
            float want = inside ? dy[((t * kk + k) * p + i - eh) * q + j - ew] : 0f;
            String where = Arrays.toString(d) + " channel " + k + " row " + i + " column " + j;
            assertEquals(want, dst[(k * hp + i) * wp + j], 0f, where);
          }
        }
      }
      assertEquals(true, Float.isNaN(dst[kk * hp * wp]), Arrays.toString(d) + ": past the end");
    }
  }
}
