package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Pillow's BILINEAR resize and torchvision's size rules, against values worked out by hand from the
 * algorithm (libImaging/Resample.c: triangle filter, support scaled by the shrink factor, center of
 * output pixel i at (i + 0.5)·scale, weights normalized, rounded to 8 bits per pass).
 */
class ResizeCropTest {
  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  @Test
  void shrinkingByTwoAveragesWithTriangleWeights() {
    // out 0: center 1, support 2 -> inputs 0, 1, 2 with weights 0.75, 0.75, 0.25 (/1.75):
    //   (3·0 + 3·70 + 1·140)/7 = 50
    // out 1: center 3 -> inputs 1, 2, 3 with weights 0.25, 0.75, 0.75: (70 + 3·140 + 3·210)/7 = 160
    assertArrayEquals(bytes(50, 160), ResizeCrop.resize(bytes(0, 70, 140, 210), 4, 1, 2, 1));
    // the same along the columns of a 1-wide image (the vertical pass)
    assertArrayEquals(bytes(50, 160), ResizeCrop.resize(bytes(0, 70, 140, 210), 1, 4, 1, 2));
  }

  @Test
  void enlargingByTwoInterpolatesAtHalfPixelCenters() {
    // centers 0.25, 0.75, 1.25, 1.75: 0 | 0.75·0 + 0.25·100 | 0.25·0 + 0.75·100 | 100
    assertArrayEquals(bytes(0, 25, 75, 100), ResizeCrop.resize(bytes(0, 100), 2, 1, 4, 1));
  }

  @Test
  void twoPassesRoundToEightBitsInBetween() {
    // 2x2 -> 1x1: horizontal (0 + 255)/2 = 127.5 -> 128 and (255 + 255)/2 = 255, then vertical
    // (128 + 255)/2 = 191.5 -> 192; without the rounding in between it would be 191.25 -> 191.
    assertArrayEquals(bytes(192), ResizeCrop.resize(bytes(0, 255, 255, 255), 2, 2, 1, 1));
  }

  @Test
  void sameSizeIsTheIdentity() {
    byte[] p = bytes(3, 200, 17, 99, 0, 255);
    assertArrayEquals(p, ResizeCrop.resize(p, 3, 2, 3, 2));
  }

  @Test
  void torchvisionSizesAndCenterCrop() {
    // shorter side to 32, longer int(32·64/48) = int(42.67) = 42
    assertArrayEquals(new int[] {42, 32}, ResizeCrop.resizedSize(64, 48, 32));
    assertArrayEquals(new int[] {32, 74}, ResizeCrop.resizedSize(30, 70, 32));
    assertArrayEquals(new int[] {32, 32}, ResizeCrop.resizedSize(500, 500, 32));
    // 5 wide, crop 2: offset round(1.5) = 2 (half to even, as Python's round)
    assertArrayEquals(bytes(2, 3), ResizeCrop.centerCrop(bytes(0, 1, 2, 3, 4), 5, 1, 2, 1));
    // 6 wide, crop 3: round(1.5) = 2; 7 wide, crop 2: round(2.5) = 2 (not 3)
    assertArrayEquals(bytes(2, 3, 4), ResizeCrop.centerCrop(bytes(0, 1, 2, 3, 4, 5), 6, 1, 3, 1));
    assertArrayEquals(bytes(2, 3), ResizeCrop.centerCrop(bytes(0, 1, 2, 3, 4, 5, 6), 7, 1, 2, 1));
    byte[] square = ResizeCrop.apply(new byte[64 * 48], 64, 48, 32);
    assertEquals(32 * 32, square.length);
  }

  @Test
  void lumaIsPillowsFixedPointFormula() {
    // (255·19595 + 0 + 0 + 32768) >> 16 = 76; grey stays grey; (10, 200, 30): (195950 + 7694000
    // + 224130 + 32768) >> 16 = 124
    byte[][] rgb = {bytes(255, 77, 10), bytes(0, 77, 200), bytes(0, 77, 30)};
    assertArrayEquals(bytes(76, 77, 124), ImageInput.luma(rgb));
  }
}
