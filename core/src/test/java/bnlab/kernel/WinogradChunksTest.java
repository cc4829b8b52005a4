package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    assertEquals(4, WinogradPlan.chunks(vgg6, 16), "320 tiles: 4 chunks of 80");
    assertEquals(8, WinogradPlan.chunks(vgg6, 32), "640 tiles: 8 chunks of 80");
    assertEquals(8, WinogradPlan.chunks(vgg6, 128));
    ConvGeometry vgg4 = same(64, 16, 64); // 72 tiles an image
    assertEquals(8, WinogradPlan.chunks(vgg4, 10), "720 tiles: 8 chunks of 72 or 144");
    assertEquals(3, WinogradPlan.chunks(same(16, 32, 16), 3), "never more chunks than images");
  }

  @Test
  void groupsHoldAboutGroupTilesInMultiplesOfSixteen() {
    assertEquals(8, WinogradPlan.groupSize(20, 16), "160 tiles");
    assertEquals(5, WinogradPlan.groupSize(20, 5), "the chunk's images");
    assertEquals(2, WinogradPlan.groupSize(72, 4), "144 tiles");
    assertEquals(1, WinogradPlan.groupSize(272, 4));
  }
}
