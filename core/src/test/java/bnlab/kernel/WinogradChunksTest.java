package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** How many chunks and images per group Winograd's plan takes, for the zoo's geometries. */
class WinogradChunksTest {
  private static ConvGeometry same(int c, int size, int k) {
    return new ConvGeometry(c, size, size, k, 3, 3, 1, 1, 1, 1);
  }

  @Test
  void smallImagesAtSmallBatchesRunInFewerChunks() {
    ConvGeometry vgg6 = same(128, 8, 128); // 20 tiles an image (4 rows of 4 and a junk one)
    assertEquals(1, WinogradPlan.chunks(vgg6, 1));
    assertEquals(2, WinogradPlan.chunks(vgg6, 2));
    assertEquals(2, WinogradPlan.chunks(vgg6, 10), "200 tiles: 2 chunks of 100");
    assertEquals(2, WinogradPlan.chunks(vgg6, 32), "640 tiles: 2 chunks of 320");
    assertEquals(4, WinogradPlan.chunks(vgg6, 64), "1280 tiles: 4 chunks of 320");
    assertEquals(8, WinogradPlan.chunks(vgg6, 128), "2560 tiles");
    ConvGeometry vgg4 = same(64, 16, 64); // 72 tiles an image
    assertEquals(2, WinogradPlan.chunks(vgg4, 10), "720 tiles: 2 chunks of 360");
    assertEquals(8, WinogradPlan.chunks(vgg4, 32), "2304 tiles");
    assertEquals(3, WinogradPlan.chunks(same(16, 64, 16), 3), "never more chunks than images");
  }

  @Test
  void f4x4ChunksHoldAtLeast128Tiles() {
    ConvGeometry vgg2 = same(32, 32, 32); // 72 tiles of 4x4 an image (8 rows of 8 and a junk one)
    assertEquals(4, WinogradPlan.chunks(vgg2, 10, 4), "720 tiles: 4 chunks of 180");
    assertEquals(8, WinogradPlan.chunks(vgg2, 32, 4), "2304 tiles");
    ConvGeometry vgg4 = same(64, 16, 64); // 20 tiles an image
    assertEquals(2, WinogradPlan.chunks(vgg4, 10, 4), "200 tiles: 2 chunks of 100");
    assertEquals(4, WinogradPlan.chunks(vgg4, 32, 4), "640 tiles: 4 chunks of 160");
    assertEquals(8, WinogradPlan.chunks(vgg4, 128, 4));
    assertEquals(8, WinogradPlan.chunks(vgg4, 32, 2), "F(2x2): 2304 tiles");
  }

  @Test
  void groupsHoldAboutGroupTilesInMultiplesOfEight() {
    assertEquals(4, WinogradPlan.groupSize(20, 16), "80 tiles");
    assertEquals(4, WinogradPlan.groupSize(20, 5), "80 tiles, then a group of 1");
    assertEquals(3, WinogradPlan.groupSize(20, 3), "the chunk's images");
    assertEquals(1, WinogradPlan.groupSize(72, 4), "72 tiles");
    assertEquals(12, WinogradPlan.groupSize(6, 16), "72 tiles: 66 rounded up to a multiple of 8");
    assertEquals(1, WinogradPlan.groupSize(272, 4));
  }

  @Test
  void groupsHalveWhereTheirPlanesWouldFillMoreThanHalfOfL2() {
    int kb = 1 << 10;
    // F(2x2): 16 planes of (C + K) rows of 64 tiles, 4 KB per channel.
    assertEquals(32, WinogradPlan.groupTiles(same(128, 8, 128), 2, 512 * kb), "1 MB > 256 KB");
    assertEquals(64, WinogradPlan.groupTiles(same(128, 8, 128), 2, 2048 * kb), "1 MB = half");
    assertEquals(32, WinogradPlan.groupTiles(same(64, 8, 64), 2, 512 * kb), "512 KB > 256 KB");
    assertEquals(64, WinogradPlan.groupTiles(same(32, 16, 32), 2, 512 * kb), "256 KB = half");
    assertEquals(64, WinogradPlan.groupTiles(same(16, 32, 16), 2, 512 * kb));
    // F(4x4): 36 planes of 32 tiles, 4.5 KB per channel.
    assertEquals(16, WinogradPlan.groupTiles(same(32, 32, 32), 4, 512 * kb), "288 KB > 256 KB");
    assertEquals(32, WinogradPlan.groupTiles(same(32, 32, 32), 4, 1024 * kb), "288 KB < 512 KB");
    assertEquals(2, WinogradPlan.groupSize(16, 16, 32), "8x8 images, groups of 32 tiles");
  }

  /**
   * The 16 planes of V, M, dM and dV are a whole, odd number of 64-byte lines apart, so that the
   * transforms' 16 streams fall in 16 different L1 sets (64 sets of 64 bytes) however many floats a
   * plane holds: rows·ld would put 64·80 floats (resnet20's 8×8 layer in groups of 4) all in one.
   */
  @Test
  void planesAreAnOddNumberOfLinesApart() {
    int[][] planes = {{64, 80}, {128, 80}, {32, 72}, {16, 272}, {64, 72}, {3, 1}, {5, 17}, {1, 16}};
    for (int[] pl : planes) {
      int stride = Winograd.planeStride(pl[0], pl[1]);
      String what = pl[0] + " rows of " + pl[1] + ": stride " + stride;
      assertTrue(stride >= pl[0] * pl[1] && stride < pl[0] * pl[1] + 32, what);
      assertEquals(0, stride % 16, what);
      java.util.Set<Integer> sets = new java.util.HashSet<>();
      for (int xi = 0; xi < 16; xi++) {
        sets.add(xi * stride / 16 % 64);
      }
      assertEquals(16, sets.size(), what + " puts planes in the same L1 sets: " + sets);
    }
  }

  /**
   * Groups are a matter of speed only: each product element sums over the same channels in the same
   * order, and a chunk's dU continues its sum over the tiles from group to group (beta = 1).
   */
  @Test
  void theGroupSizeChangesNoBit() {
    // channels, size, output channels, batch: groups of 2 to 5 images of 56 tiles, 1 or 2 of 240,
    // 4 or 8 of 12
    int[][] shapes = {{4, 14, 8, 40}, {3, 30, 4, 12}, {8, 6, 5, 60}};
    for (int[] s : shapes) {
      ConvGeometry g = same(s[0], s[1], s[2]);
      int n = s[3];
      Random r = new Random(n);
      float[] x = WinogradAccuracyTest.gaussian(r, n * g.inSize(), 1);
      float[] w = WinogradAccuracyTest.gaussian(r, g.weightSize(), 1);
      float[] bias = WinogradAccuracyTest.gaussian(r, g.outChannels(), 1);
      float[] dy = WinogradAccuracyTest.gaussian(r, n * g.outSize(), 1);
      for (int m : new int[] {2, 4}) {
        for (boolean training : new boolean[] {true, false}) {
          float[][] want =
              WinogradAccuracyTest.run(
                  new WinogradPlan("t", g, n, training, true, null, m, 1), x, w, bias, dy);
          for (int groupTiles : new int[] {32, 64, 160, 1000}) {
            WinogradPlan p = new WinogradPlan("t", g, n, training, true, null, m, groupTiles);
            float[][] got = WinogradAccuracyTest.run(p, x, w, bias, dy);
            String[] names = {"y", "dW", "dX"};
            for (int k = 0; k < 3; k++) {
              assertArrayEquals(
                  want[k],
                  got[k],
                  "F("
                      + m
                      + "x"
                      + m
                      + ") "
                      + g
                      + " batch "
                      + n
                      + ", groups of "
                      + groupTiles
                      + ": "
                      + names[k]);
            }
          }
        }
      }
    }
  }
}
