package bnlab.data;

import bnlab.tensor.Rng;

/**
 * torchvision's {@code RandomCrop(size, padding)} with constant zero fill: pads every side by
 * {@code padding}, then cuts a {@code size x size} window at a uniformly random position (top in
 * [0, H + 2p - size], left in [0, W + 2p - size]). The standard CIFAR-10 augmentation is {@code
 * RandomCrop(32, 4)}. The fill is 0 in whatever scale the image has at that point of the pipeline,
 * as in torchvision.
 */
public final class RandomCrop implements Transform {
  private final int size;
  private final int padding;

  /** Crops {@code size x size} after padding each side with {@code padding} zeros. */
  public RandomCrop(int size, int padding) {
    if (size <= 0 || padding < 0) {
      throw new IllegalArgumentException(
          "RandomCrop: size must be positive and padding non-negative, got size "
              + size
              + ", padding "
              + padding);
    }
    this.size = size;
    this.padding = padding;
  }

  @Override
  public int[] outputShape(int c, int h, int w) {
    checkFits(h, w);
    return new int[] {c, size, size};
  }

  private void checkFits(int h, int w) {
    if (h + 2 * padding < size || w + 2 * padding < size) {
      throw new IllegalArgumentException(
          "RandomCrop: crop "
              + size
              + "x"
              + size
              + " is larger than the padded image "
              + (w + 2 * padding)
              + "x"
              + (h + 2 * padding));
    }
  }

  @Override
  public void apply(Image img, Rng rng) {
    int c = img.channels();
    int h = img.height();
    int w = img.width();
    checkFits(h, w);
    // Window origin in unpadded coordinates; may be negative (inside the zero padding).
    int top = rng.nextInt(h + 2 * padding - size + 1) - padding;
    int left = rng.nextInt(w + 2 * padding - size + 1) - padding;
    float[] src = img.data();
    float[] dst = img.spare(c, size, size);
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < size; y++) {
        int sy = top + y;
        int d = (ch * size + y) * size;
        if (sy < 0 || sy >= h) {
          java.util.Arrays.fill(dst, d, d + size, 0f);
          continue;
        }
        int s = (ch * h + sy) * w;
        for (int x = 0; x < size; x++) {
          int sx = left + x;
          dst[d + x] = sx >= 0 && sx < w ? src[s + sx] : 0f;
        }
      }
    }
    img.swap(c, size, size);
  }

  @Override
  public String toString() {
    return "RandomCrop(size=" + size + ", padding=" + padding + ")";
  }
}
