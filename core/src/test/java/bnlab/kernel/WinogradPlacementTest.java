package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * F(2×2)'s transforms in registers where an image's tiles fit one ({@link Winograd.Tiles#place})
 * against the polyphase planes' and scratch runs' way, bit for bit, zeros' signs included, on every
 * geometry that takes them at this width: the input transform's taps gathered from the planes'
 * registers ({@link Winograd#inputPlaced} against {@link Winograd#inputPlanes}), the output
 * transform's runs permuted into the output's registers ({@link Winograd#outputPlaced} against
 * {@link Winograd#outputPlanes}) and the input gradient's runs permuted into the planes' registers
 * ({@link WinogradBackward#accumulatePlaced} against {@link WinogradBackward#accumulateRuns}). A
 * difference means a value put in the wrong lane, a hole not filled with the right zero, or an add
 * in another order. The twins' runs cover the other widths.
 */
class WinogradPlacementTest {
  // (H, W) of images with a few tiles: odd sizes give tiles that overhang the image.
  private static final int[][] SIZES = {
    {2, 2}, {3, 3}, {4, 4}, {2, 6}, {4, 8}, {5, 7}, {8, 8}, {6, 10}, {8, 4}, {16, 16}
  };

  private static final int IMAGES = 3;

  @Test
  void placedRunsGiveTheStoredRunsBits() {
    forPlacedGeometries(
        2,
        3,
        (g, t, what) -> {
          int dd = t.sixteenAt() + 16 * t.tilesP;
          float[] want = random(t.rowScratch(), 31L * g.height() + g.width() + g.padH());
          float[] got = want.clone();
          WinogradBackward.accumulateRuns(t, want, dd);
          WinogradBackward.accumulatePlaced(t, got, dd);
          WinogradRowsTest.assertSameBits(
              Arrays.copyOf(want, 4 * t.plane), Arrays.copyOf(got, 4 * t.plane), "planes, " + what);
        });
  }

  @Test
  void placedInputTransformGivesThePlanesBits() {
    forPlacedGeometries(
        5,
        3,
        (g, t, what) -> {
          int c = g.channels();
          int ld = IMAGES * t.tilesP + 3;
          int ps = Winograd.planeStride(c, ld);
          float[] x = random(IMAGES * g.inSize(), 17L * g.height() + g.width() + g.padH());
          float[] want = nans(16 * ps + ld);
          float[] got = nans(want.length);
          float[] s = new float[t.rowScratch()];
          for (int i = 0; i < IMAGES; i++) {
            Winograd.inputPlanes(t, x, i * g.inSize(), want, i * t.tilesP, ld, s, 0, c);
            Arrays.fill(s, 7f); // what another transform left there
            // In two channel ranges, as the phased plan's parts run it; the NaNs between the
            // images' tiles must stay (no store past an image's tiles).
            Winograd.inputPlaced(t, x, i * g.inSize(), got, i * t.tilesP, ld, s, 0, 2);
            Winograd.inputPlaced(t, x, i * g.inSize(), got, i * t.tilesP, ld, s, 2, c);
          }
          WinogradRowsTest.assertSameBits(want, got, "V, " + what);
        });
  }

  @Test
  void placedOutputTransformGivesThePlanesBits() {
    forPlacedGeometries(
        3,
        5,
        (g, t, what) -> {
          int k = g.outChannels();
          int ld = IMAGES * t.tilesP + 3;
          int ps = Winograd.planeStride(k, ld);
          // Up to the last image's last run: its last channels take the planes' way; with a
          // register of NaNs after the runs every channel loads whole registers. A NaN placed
          // would show.
          float[] m =
              random(15 * ps + (k - 1) * ld + IMAGES * t.tilesP, 13L * g.height() + g.width());
          float[] roomy = Arrays.copyOf(m, m.length + VectorWidth.L);
          Arrays.fill(roomy, m.length, roomy.length, Float.NaN);
          float[] bias = random(k, 5);
          float[] want = new float[IMAGES * g.outSize()];
          float[] got = nans(want.length);
          float[] gotRoomy = nans(want.length);
          float[] s = new float[t.rowScratch()];
          for (int i = 0; i < IMAGES; i++) {
            float[] b = i == 1 ? null : bias;
            int yOff = i * g.outSize();
            Winograd.outputPlanes(t, m, i * t.tilesP, ld, b, want, yOff, s, 0, k);
            Winograd.outputPlaced(t, m, i * t.tilesP, ld, b, got, yOff, s, 0, 2);
            Winograd.outputPlaced(t, m, i * t.tilesP, ld, b, got, yOff, s, 2, k);
            Winograd.outputPlaced(t, roomy, i * t.tilesP, ld, b, gotRoomy, yOff, s, 0, k);
          }
          WinogradRowsTest.assertSameBits(want, got, "Y, " + what);
          WinogradRowsTest.assertSameBits(want, gotRoomy, "Y with room after M, " + what);
        });
  }

  @Test
  void largerImagesKeepThePlanes() {
    int l = VectorWidth.L;
    // More tiles than one register.
    assertNull(tiles(4 * l, 4 * l).place, "4L x 4L");
    // F(4×4) keeps its own planes.
    assertNull(
        new Winograd.Tiles(new ConvGeometry(2, 4, 4, 3, 3, 3, 1, 1, 1, 1), 4).place, "F(4x4)");
  }

  private interface PlacedCheck {
    void check(ConvGeometry g, Winograd.Tiles t, String what);
  }

  /**
   * Runs {@code check} on each of {@link #SIZES} with padding 1 and 0 (C input and K output
   * channels) that places its tiles at this width, and fails unless at least three do.
   */
  private static void forPlacedGeometries(int c, int k, PlacedCheck check) {
    int tested = 0;
    for (int[] hw : SIZES) {
      for (int pad : new int[] {1, 0}) {
        if (hw[0] + 2 * pad < 3 || hw[1] + 2 * pad < 3) {
          continue;
        }
        ConvGeometry g = new ConvGeometry(c, hw[0], hw[1], k, 3, 3, 1, 1, pad, pad);
        Winograd.Tiles t = new Winograd.Tiles(g, 2);
        if (t.place != null) {
          tested++;
          check.check(g, t, "H,W=" + hw[0] + "," + hw[1] + " pad " + pad + " L=" + VectorWidth.L);
        }
      }
    }
    assertTrue(
        tested >= 3, "only " + tested + " geometries place their tiles at L=" + VectorWidth.L);
  }

  private static Winograd.Tiles tiles(int h, int w) {
    return new Winograd.Tiles(new ConvGeometry(2, h, w, 3, 3, 3, 1, 1, 1, 1), 2);
  }

  private static float[] nans(int n) {
    float[] a = new float[n];
    Arrays.fill(a, Float.NaN);
    return a;
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
