package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The weight gradient's transposed dM (tiles × K, {@code outputGradT}) against the input gradient's
 * dM (K × tiles, {@code outputGrad}) of the same dY, element by element and bit for bit, for F(2×2)
 * and F(4×4): the two gather dY differently (with 8 lanes, blocks of 8 channels × 8 columns
 * transposed in registers; else element by element) and then run the same A dY Aᵀ. Sizes with K and
 * Q multiples of 8 take the register transpose where the lanes are 8, the others the element-wise
 * gather; odd sizes have partial tiles whose missing dY must read as zeros.
 */
class WinogradTransposedGradTest {
  @Test
  void transposedAndPlainDmAgree() {
    int[][] shapes = {
      {8, 8, 8}, {16, 16, 16}, {8, 16, 8}, {24, 8, 32}, {5, 7, 9}, {8, 6, 8}, {3, 10, 10}
    };
    for (int m : new int[] {2, 4}) {
      for (int[] khw : shapes) {
        int k = khw[0];
        ConvGeometry g = new ConvGeometry(3, khw[1], khw[2], k, 3, 3, 1, 1, 1, 1);
        Winograd.Tiles t = new Winograd.Tiles(g, m);
        int images = 2;
        int ld = images * t.tilesP + 3;
        int ps = Winograd.planeStride(k, ld);
        float[] dy = new float[images * g.outSize()];
        Random r = new Random(khw[1] * 31L + khw[2] + m);
        for (int i = 0; i < dy.length; i++) {
          dy[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(5) - 2));
        }
        float[] dm = new float[t.xis * ps + ld * k];
        float[] dmt = new float[t.xis * ps + ld * k];
        float[] s = new float[t.rowScratch()];
        for (int i = 0; i < images; i++) {
          java.util.Arrays.fill(s, 3f); // what another transform left there
          if (m == 2) {
            WinogradBackward.outputGrad(t, dy, i * g.outSize(), dm, i * t.tilesP, ld, s);
            java.util.Arrays.fill(s, 3f);
            WinogradBackward.outputGradT(t, dy, i * g.outSize(), dmt, i * t.tilesP * k, ld, s);
          } else {
            Winograd4Backward.outputGrad(t, dy, i * g.outSize(), dm, i * t.tilesP, ld, s);
            java.util.Arrays.fill(s, 3f);
            Winograd4Backward.outputGradT(t, dy, i * g.outSize(), dmt, i * t.tilesP * k, ld, s);
          }
        }
        for (int xi = 0; xi < t.xis; xi++) {
          for (int tile = 0; tile < images * t.tilesP; tile++) {
            for (int kk = 0; kk < k; kk++) {
              float want = dm[xi * ps + kk * ld + tile];
              float got = dmt[xi * ps + tile * k + kk];
              if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
                assertEquals(
                    want,
                    got,
                    "F("
                        + m
                        + "x"
                        + m
                        + ") K,P,Q="
                        + java.util.Arrays.toString(khw)
                        + " L="
                        + VectorWidth.L
                        + ": first difference at plane "
                        + xi
                        + ", tile "
                        + tile
                        + ", k "
                        + kk);
              }
            }
          }
        }
      }
    }
  }
}
