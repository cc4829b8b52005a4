package bnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TransformTest {
  private static final int C = 2;
  private static final int H = 5;
  private static final int W = 7;

  private static Image image() {
    byte[] b = new byte[C * H * W];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (i + 1);
    }
    Image img = new Image(C * H * W);
    img.load(b, 0, C, H, W);
    return img;
  }

  private static float[] values(Image img) {
    return Arrays.copyOf(img.data(), img.channels() * img.height() * img.width());
  }

  /** Reference crop: materialise the zero-padded image, then copy the window. */
  private static float[] referenceCrop(float[] x, int size, int pad, int top, int left) {
    int ph = H + 2 * pad;
    int pw = W + 2 * pad;
    float[] padded = new float[C * ph * pw];
    for (int c = 0; c < C; c++) {
      for (int y = 0; y < H; y++) {
        for (int z = 0; z < W; z++) {
          padded[(c * ph + y + pad) * pw + z + pad] = x[(c * H + y) * W + z];
        }
      }
    }
    float[] out = new float[C * size * size];
    for (int c = 0; c < C; c++) {
      for (int y = 0; y < size; y++) {
        for (int z = 0; z < size; z++) {
          out[(c * size + y) * size + z] = padded[(c * ph + top + y) * pw + left + z];
        }
      }
    }
    return out;
  }

  @Test
  void randomCropMatchesPaddedReference() {
    for (int[] sp : new int[][] {{5, 2}, {3, 0}, {4, 3}, {9, 2}}) {
      int size = sp[0];
      int pad = sp[1];
      boolean[][] seen = new boolean[H + 2 * pad - size + 1][W + 2 * pad - size + 1];
      for (long seed = 0; seed < 2000; seed++) {
        Image img = image();
        float[] x = values(img);
        new RandomCrop(size, pad).apply(img, new Rng(seed));
        Rng same = new Rng(seed);
        int top = same.nextInt(H + 2 * pad - size + 1);
        int left = same.nextInt(W + 2 * pad - size + 1);
        seen[top][left] = true;
        assertArrayEquals(
            referenceCrop(x, size, pad, top, left),
            values(img),
            "size " + size + " pad " + pad + " seed " + seed);
        assertEquals(size, img.height());
        assertEquals(size, img.width());
      }
      for (boolean[] row : seen) {
        for (boolean s : row) {
          assertTrue(s, "every crop position occurs (size " + size + ", pad " + pad + ")");
        }
      }
    }
  }

  @Test
  void horizontalFlip() {
    Image img = image();
    float[] x = values(img);
    new RandomHorizontalFlip(1f).apply(img, new Rng(1));
    for (int c = 0; c < C; c++) {
      for (int y = 0; y < H; y++) {
        for (int z = 0; z < W; z++) {
          assertEquals(x[(c * H + y) * W + (W - 1 - z)], img.data()[(c * H + y) * W + z]);
        }
      }
    }
    Image kept = image();
    new RandomHorizontalFlip(0f).apply(kept, new Rng(1));
    assertArrayEquals(x, values(kept));
    int flips = 0;
    Rng rng = new Rng(5);
    RandomHorizontalFlip half = new RandomHorizontalFlip();
    for (int t = 0; t < 4000; t++) {
      Image i = image();
      half.apply(i, rng);
      flips += i.data()[0] != x[0] ? 1 : 0;
    }
    assertEquals(0.5, flips / 4000.0, 0.03, "flip frequency");
    assertThrows(IllegalArgumentException.class, () -> new RandomHorizontalFlip(1.5f));
  }

  @Test
  void toTensorAndNormalize() {
    Image img = image();
    new ToTensor().apply(img, null);
    assertEquals(1 / 255.0, img.data()[0], 1e-7);
    assertEquals(70 / 255.0, img.data()[69], 1e-7);
    new Normalize(new float[] {0.1f, 0.2f}, new float[] {0.5f, 0.25f}).apply(img, null);
    assertEquals((1 / 255.0 - 0.1) / 0.5, img.data()[0], 1e-6);
    assertEquals((70 / 255.0 - 0.2) / 0.25, img.data()[69], 1e-6);
    Normalize three = new Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1});
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> three.apply(image(), null));
    assertTrue(
        e.getMessage().contains("3 channel statistics for images with 2 channels"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> new Normalize(new float[] {0}, new float[] {0}));
    assertThrows(
        IllegalArgumentException.class, () -> new Normalize(new float[] {0}, new float[] {1, 1}));
  }
}
