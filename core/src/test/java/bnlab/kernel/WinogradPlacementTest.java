package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The input gradient's accumulation of the four runs of tiles into the polyphase planes by lane
 * permutations ({@link WinogradBackward#accumulatePlaced}) against the stores of the runs ({@link
 * WinogradBackward#accumulateRuns}), bit for bit, zeros' signs included, on every geometry that
 * takes it at this width; a difference means a tile put in the wrong lane, a hole not filled with
 * the right zero, or an add in another order. The twins' runs cover the other widths.
 */
class WinogradPlacementTest {
  // (H, W) of images with a few tiles: odd sizes give tiles that overhang the image.
  private static final int[][] SIZES = {
    {2, 2}, {3, 3}, {4, 4}, {2, 6}, {4, 8}, {5, 7}, {8, 8}, {6, 10}, {8, 4}, {16, 16}
  };

  @Test
  void placedRunsGiveTheStoredRunsBits() {
    int tested = 0;
    for (int[] hw : SIZES) {
      for (int pad : new int[] {1, 0}) {
        if (hw[0] + 2 * pad < 3 || hw[1] + 2 * pad < 3) {
          continue;
        }
        ConvGeometry g = new ConvGeometry(2, hw[0], hw[1], 3, 3, 3, 1, 1, pad, pad);
        Winograd.Tiles t = new Winograd.Tiles(g, 2);
        if (t.place == null) {
          continue;
        }
        tested++;
        int dd = t.sixteenAt() + 16 * t.tilesP;
        float[] want = random(t.rowScratch(), 31L * hw[0] + hw[1] + pad);
        float[] got = want.clone();
        WinogradBackward.accumulateRuns(t, want, dd);
        WinogradBackward.accumulatePlaced(t, got, dd);
        String what = "H,W=" + hw[0] + "," + hw[1] + " pad " + pad + " L=" + VectorWidth.L;
        for (int i = 0; i < 4 * t.plane; i++) {
          if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
            assertEquals(
                Float.floatToRawIntBits(want[i]),
                Float.floatToRawIntBits(got[i]),
                what + ": planes differ first at " + i + ": " + got[i] + " instead of " + want[i]);
          }
        }
      }
    }
    assertTrue(
        tested >= 3, "only " + tested + " geometries place their runs at L=" + VectorWidth.L);
  }

  @Test
  void largerImagesKeepTheStores() {
    int l = VectorWidth.L;
    // More tiles than one register.
    assertNull(tiles(4 * l, 4 * l).place, "4L x 4L");
    // F(4×4) keeps its own planes.
    assertNull(
        new Winograd.Tiles(new ConvGeometry(2, 4, 4, 3, 3, 3, 1, 1, 1, 1), 4).place, "F(4x4)");
  }

  private static Winograd.Tiles tiles(int h, int w) {
    return new Winograd.Tiles(new ConvGeometry(2, h, w, 3, 3, 3, 1, 1, 1, 1), 2);
  }

  // Values of both signs, zeros of both signs among them, NaN nowhere.
  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      int kind = r.nextInt(8);
      a[i] = kind == 0 ? 0f : kind == 1 ? -0f : (float) r.nextGaussian();
    }
    return a;
  }
}
