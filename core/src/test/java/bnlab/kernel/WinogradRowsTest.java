package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * F(2×2)'s input transform, output transform and input gradient by rows ({@link
 * Winograd#inputRows}, {@link Winograd#outputRows}, {@link WinogradBackward#inputGradRows}) against
 * the polyphase planes' and scratch runs' ({@link Winograd#inputPlanes}, {@link
 * Winograd#outputPlanes}, {@link WinogradBackward#inputGradPlanes}), bit for bit, on the geometries
 * that take them at this width: both compute the same adds in the same order, so a difference means
 * a value read from the wrong column, row or guard. The twins' runs cover the other widths.
 */
class WinogradRowsTest {
  @Test
  void rowsGiveThePlanesBits() {
    forRowGeometries(
        0,
        (chw, g, t) -> {
          int images = 3;
          int ld = images * t.tilesP + 5;
          int ps = Winograd.planeStride(g.channels(), ld);
          float[] x = random(images * g.inSize(), chw[0] * 31 + chw[1]);
          float[] want = new float[16 * ps + ld];
          float[] got = new float[16 * ps + ld];
          java.util.Arrays.fill(got, Float.NaN);
          java.util.Arrays.fill(want, Float.NaN);
          float[] s = new float[t.rowScratch()];
          for (int i = 0; i < images; i++) {
            Winograd.inputPlanes(t, x, i * g.inSize(), want, i * t.tilesP, ld, s, 0, g.channels());
            java.util.Arrays.fill(s, 7f); // what another transform left there
            // In two channel ranges, as the phased plan's parts run it.
            int half = g.channels() / 2;
            Winograd.inputRows(t, x, i * g.inSize(), got, i * t.tilesP, ld, s, 0, half);
            Winograd.inputRows(t, x, i * g.inSize(), got, i * t.tilesP, ld, s, half, g.channels());
          }
          assertSameBits(
              want, got, "V, C,H,W=" + java.util.Arrays.toString(chw) + " L=" + VectorWidth.L);
        });
  }

  @Test
  void inputGradientRowsGiveThePlanesBits() {
    forRowGeometries(
        0,
        (chw, g, t) -> {
          int images = 3;
          int ld = images * t.tilesP + 3;
          int ps = Winograd.planeStride(g.channels(), ld);
          float[] dv = random(16 * ps + ld, chw[0] * 17 + chw[2]);
          // Zeros of both signs, scattered and as the whole of channel 0, so that where an edge has
          // no
          // tile the sum must start from +0 and a missing term add nothing (−0 + 0 is +0).
          Random signs = new Random(chw[1]);
          for (int i = 0; i < dv.length; i += 7) {
            dv[i] = i % 2 == 0 ? 0f : -0f;
          }
          for (int xi = 0; xi < 16; xi++) {
            for (int i = 0; i < ld; i++) {
              dv[xi * ps + i] = signs.nextBoolean() ? 0f : -0f;
            }
          }
          float[] want = new float[images * g.inSize()];
          float[] got = new float[want.length];
          java.util.Arrays.fill(got, Float.NaN);
          float[] s = new float[t.rowScratch()];
          for (int i = 0; i < images; i++) {
            WinogradBackward.inputGradPlanes(
                t, dv, i * t.tilesP, ld, want, i * g.inSize(), s, 0, g.channels());
            java.util.Arrays.fill(s, 7f);
            int half = g.channels() / 2;
            WinogradBackward.inputGradRows(
                t, dv, i * t.tilesP, ld, got, i * g.inSize(), s, 0, half);
            WinogradBackward.inputGradRows(
                t, dv, i * t.tilesP, ld, got, i * g.inSize(), s, half, g.channels());
          }
          assertSameBits(
              want, got, "dX, C,H,W=" + java.util.Arrays.toString(chw) + " L=" + VectorWidth.L);
        });
  }

  @Test
  void outputRowsGiveThePlanesBits() {
    forRowGeometries(
        2,
        (chw, g, t) -> {
          int k = g.outChannels();
          int images = 3;
          int ld = images * t.tilesP + 3;
          int ps = Winograd.planeStride(k, ld);
          float[] m = random(16 * ps + ld, chw[0] * 13 + chw[1]);
          float[] bias = random(k, 5);
          float[] want = new float[images * g.outSize()];
          float[] got = new float[want.length];
          java.util.Arrays.fill(got, Float.NaN);
          float[] s = new float[t.rowScratch()];
          for (int i = 0; i < images; i++) {
            Winograd.outputPlanes(
                t, m, i * t.tilesP, ld, i == 1 ? null : bias, want, i * g.outSize(), s, 0, k);
            Winograd.outputRows(
                t, m, i * t.tilesP, ld, i == 1 ? null : bias, got, i * g.outSize(), 0, 2);
            Winograd.outputRows(
                t, m, i * t.tilesP, ld, i == 1 ? null : bias, got, i * g.outSize(), 2, k);
          }
          assertSameBits(
              want, got, "Y, C,H,W=" + java.util.Arrays.toString(chw) + " L=" + VectorWidth.L);
        });
  }

  @Test
  void outputGradientRowsGiveThePlanesBits() {
    forRowGeometries(
        1,
        (chw, g, t) -> {
          int k = g.outChannels();
          int images = 3;
          int ld = images * t.tilesP + 3;
          int ps = Winograd.planeStride(k, ld);
          float[] dy = random(images * g.outSize(), chw[2] * 7 + chw[1]);
          float[] want = new float[16 * ps + ld];
          float[] got = new float[want.length];
          java.util.Arrays.fill(want, Float.NaN);
          java.util.Arrays.fill(got, Float.NaN);
          float[] s = new float[t.rowScratch()];
          for (int i = 0; i < images; i++) {
            WinogradBackward.outputGradPlanes(t, dy, i * g.outSize(), want, i * t.tilesP, ld, s);
            WinogradBackward.outputGradRows(t, dy, i * g.outSize(), got, i * t.tilesP, ld);
          }
          assertSameBits(
              want, got, "dM, C,H,W=" + java.util.Arrays.toString(chw) + " L=" + VectorWidth.L);
        });
  }

  private interface RowGeometryCheck {
    void check(int[] chw, ConvGeometry g, Winograd.Tiles t);
  }

  /**
   * Runs {@code check} on each of {@link #SHAPES} (3 output channels, or C + {@code extraK}) that
   * takes the row path at this width, and fails unless at least three do.
   */
  private static void forRowGeometries(int extraK, RowGeometryCheck check) {
    int l = VectorWidth.L;
    int tested = 0;
    for (int[] chw : SHAPES.apply(l)) {
      int k = extraK == 0 ? 3 : chw[0] + extraK;
      ConvGeometry g = new ConvGeometry(chw[0], chw[1], chw[2], k, 3, 3, 1, 1, 1, 1);
      Winograd.Tiles t = new Winograd.Tiles(g, 2);
      if (t.byRows) {
        tested++;
        check.check(chw, g, t);
      }
    }
    assertTrue(tested >= 3, "only " + tested + " geometries take the row path at L=" + l);
  }

  /** Fails at the first element whose bits differ, naming it and both values. */
  static void assertSameBits(float[] want, float[] got, String what) {
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        assertEquals(
            Float.floatToRawIntBits(want[i]),
            Float.floatToRawIntBits(got[i]),
            what + ": first difference at " + i + ": " + got[i] + " instead of " + want[i]);
      }
    }
  }

  // (C, H, W): rows of L and 2L floats, taller than wide, more tile rows than one register.
  private static final IntFunction<int[][]> SHAPES =
      l ->
          new int[][] {
            {3, l, l},
            {2, 2 * l, l},
            {5, 4, 2 * l},
            {4, 2 * l, 2 * l},
            {2, 6, 4 * l},
            {64, 8, 8},
            {3, 16, 16}
          };

  @Test
  void otherGeometriesKeepThePlanes() {
    int l = VectorWidth.L;
    assertFalse(tiles(3, l, l, 0).byRows, "padding 0");
    assertFalse(tiles(3, l + 1, l, 1).byRows, "odd height");
    assertFalse(tiles(3, l, 3 * l, 1).byRows, "rows of 3L");
    assertFalse(tiles(3, 2, l, 1).byRows, "one tile row with rows of L");
  }

  private static Winograd.Tiles tiles(int c, int h, int w, int pad) {
    return new Winograd.Tiles(new ConvGeometry(c, h, w, 2, 3, 3, 1, 1, pad, pad), 2);
  }

  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      // Mixed magnitudes, so that a different order of the adds would round differently.
      a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
    }
    return a;
  }
}
