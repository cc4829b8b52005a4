package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The input transform's taps gathered from the polyphase planes' registers ({@link
 * Winograd#inputPlaced}) against {@link Winograd#inputPlanes}, the output transform's runs permuted
 * into the output's registers ({@link Winograd#outputPlaced}) against {@link
 * Winograd#outputPlanes}, and the input gradient's accumulation of the four runs of tiles into the
 * polyphase planes by lane permutations ({@link WinogradBackward#accumulatePlaced}) against the
 * stores of the runs ({@link WinogradBackward#accumulateRuns}), bit for bit, zeros' signs included,
 * on every geometry that takes it at this width; a difference means a tile put in the wrong lane, a
 * hole not filled with the right zero, or an add in another order. The twins' runs cover the other
 * widths.
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
  void placedInputTransformGivesThePlanesBits() {
    int tested = 0;
    for (int[] hw : SIZES) {
      for (int pad : new int[] {1, 0}) {
        if (hw[0] + 2 * pad < 3 || hw[1] + 2 * pad < 3) {
          continue;
        }
        int c = 5;
        ConvGeometry g = new ConvGeometry(c, hw[0], hw[1], 3, 3, 3, 1, 1, pad, pad);
        Winograd.Tiles t = new Winograd.Tiles(g, 2);
        if (t.place == null) {
          continue;
        }
        tested++;
        int images = 3;
        int ld = images * t.tilesP + 3;
        int ps = Winograd.planeStride(c, ld);
        float[] x = random(images * g.inSize(), 17L * hw[0] + hw[1] + pad);
        float[] want = new float[16 * ps + ld];
        float[] got = new float[16 * ps + ld];
        java.util.Arrays.fill(want, Float.NaN);
        java.util.Arrays.fill(got, Float.NaN);
        float[] s = new float[t.rowScratch()];
        for (int i = 0; i < images; i++) {
          Winograd.inputPlanes(t, x, i * g.inSize(), want, i * t.tilesP, ld, s, 0, c);
          java.util.Arrays.fill(s, 7f); // what another transform left there
          // In two channel ranges, as the phased plan's parts run it; NaN between the images'
          // tiles must stay (no store past an image's tiles).
          Winograd.inputPlaced(t, x, i * g.inSize(), got, i * t.tilesP, ld, s, 0, 2);
          Winograd.inputPlaced(t, x, i * g.inSize(), got, i * t.tilesP, ld, s, 2, c);
        }
        String what = "V, H,W=" + hw[0] + "," + hw[1] + " pad " + pad + " L=" + VectorWidth.L;
        for (int i = 0; i < want.length; i++) {
          if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
            assertEquals(
                Float.floatToRawIntBits(want[i]),
                Float.floatToRawIntBits(got[i]),
                what + ": first difference at " + i + ": " + got[i] + " instead of " + want[i]);
          }
        }
      }
    }
    assertTrue(
        tested >= 3, "only " + tested + " geometries place their runs at L=" + VectorWidth.L);
  }

  @Test
  void placedOutputTransformGivesThePlanesBits() {
    int tested = 0;
    for (int[] hw : SIZES) {
      for (int pad : new int[] {1, 0}) {
        if (hw[0] + 2 * pad < 3 || hw[1] + 2 * pad < 3) {
          continue;
        }
        int k = 5;
        ConvGeometry g = new ConvGeometry(3, hw[0], hw[1], k, 3, 3, 1, 1, pad, pad);
        Winograd.Tiles t = new Winograd.Tiles(g, 2);
        if (t.place == null) {
          continue;
        }
        tested++;
        int images = 3;
        int ld = images * t.tilesP + 3;
        int ps = Winograd.planeStride(k, ld);
        float[] m = random(16 * ps + ld, 13L * hw[0] + hw[1] + pad);
        float[] bias = random(k, 5);
        float[] want = new float[images * g.outSize()];
        float[] got = new float[want.length];
        java.util.Arrays.fill(got, Float.NaN);
        float[] s = new float[t.rowScratch()];
        for (int i = 0; i < images; i++) {
          float[] b = i == 1 ? null : bias;
          Winograd.outputPlanes(t, m, i * t.tilesP, ld, b, want, i * g.outSize(), s, 0, k);
          Winograd.outputPlaced(t, m, i * t.tilesP, ld, b, got, i * g.outSize(), 0, 2);
          Winograd.outputPlaced(t, m, i * t.tilesP, ld, b, got, i * g.outSize(), 2, k);
        }
        String what = "Y, H,W=" + hw[0] + "," + hw[1] + " pad " + pad + " L=" + VectorWidth.L;
        for (int i = 0; i < want.length; i++) {
          if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
            assertEquals(
                Float.floatToRawIntBits(want[i]),
                Float.floatToRawIntBits(got[i]),
                what + ": first difference at " + i + ": " + got[i] + " instead of " + want[i]);
          }
        }
      }
    }
    assertTrue(
        tested >= 3, "only " + tested + " geometries place their tiles at L=" + VectorWidth.L);
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
