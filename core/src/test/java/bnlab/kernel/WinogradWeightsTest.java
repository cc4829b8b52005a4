package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Winograd's vector weight transform against its scalar twin, bit for bit, and the scalar one
 * against G g Gᵀ computed in double precision from the matrices.
 */
class WinogradWeightsTest {
  private static final double[][] G = {{1, 0, 0}, {.5, .5, .5}, {.5, -.5, .5}, {0, 0, 1}};

  @Test
  void vectorLanesMatchTheScalarTwin() {
    for (int[] kc : new int[][] {{1, 1}, {1, 3}, {3, 5}, {4, 4}, {16, 3}, {7, 9}, {32, 17}}) {
      Winograd.Tiles t = tiles(kc[1], kc[0]);
      int n = kc[0] * kc[1];
      float[] w = random(9 * n, n);
      float[] got = new float[16 * n];
      float[] want = new float[16 * n];
      Winograd.weights(t, w, got, new float[9 * n]);
      Winograd.weightsScalar(w, want, n);
      // In uneven filter ranges too (as on the pool), each filter as in the whole.
      float[] parts = new float[16 * n];
      float[] taps = new float[9 * n];
      for (int p = 0; p < 3; p++) {
        Winograd.weights(t, w, parts, taps, p * n / 3, (p + 1) * n / 3);
      }
      for (int i = 0; i < want.length; i++) {
        assertEquals(
            Float.floatToIntBits(want[i]),
            Float.floatToIntBits(parts[i]),
            "K=" + kc[0] + " C=" + kc[1] + " in 3 parts: first difference at " + i);
      }
      for (int i = 0; i < want.length; i++) {
        assertEquals(
            Float.floatToIntBits(want[i]),
            Float.floatToIntBits(got[i]),
            "K="
                + kc[0]
                + " C="
                + kc[1]
                + " first difference at "
                + i
                + ": "
                + got[i]
                + " vs "
                + want[i]);
      }
    }
  }

  @Test
  void scalarTransformIsGgGt() {
    int n = 6;
    float[] w = random(9 * n, 7);
    float[] u = new float[16 * n];
    Winograd.weightsScalar(w, u, n);
    for (int f = 0; f < n; f++) {
      for (int a = 0; a < 4; a++) {
        for (int b = 0; b < 4; b++) {
          double sum = 0;
          for (int r = 0; r < 3; r++) {
            for (int s = 0; s < 3; s++) {
              sum += G[a][r] * w[9 * f + 3 * r + s] * G[b][s];
            }
          }
          assertEquals(
              sum, u[(4 * a + b) * n + f], 1e-6, "filter " + f + " element " + a + "," + b);
        }
      }
    }
  }

  private static Winograd.Tiles tiles(int c, int k) {
    return new Winograd.Tiles(new ConvGeometry(c, 6, 6, k, 3, 3, 1, 1, 1, 1));
  }

  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }
}
