package bnlab.lab;

/**
 * torchvision's {@code Compose([Resize(size), CenterCrop(size)])} on a PIL image, on 8-bit planes.
 *
 * <ul>
 *   <li>{@code Resize(size)}: the shorter side becomes {@code size}, the longer {@code int(size ·
 *       long / short)} (truncated), resampled as Pillow's {@code Image.resize(..., BILINEAR)} does:
 *       a separable triangle filter whose support grows with the scale when shrinking (antialiased,
 *       each output pixel averages the input pixels it covers), horizontal pass first, 22-bit
 *       fixed-point weights, each pass rounded to 8 bits. This is Pillow's algorithm step by step
 *       (libImaging/Resample.c), so the result is Pillow's bit for bit.
 *   <li>{@code CenterCrop(size)}: the middle size × size pixels, the offset {@code round((in −
 *       size) / 2)} rounded half to even as Python's {@code round}.
 * </ul>
 */
final class ResizeCrop {
  private static final int PRECISION_BITS = 32 - 8 - 2;

  private ResizeCrop() {}

  /** Resize(size) then CenterCrop(size) of one (h, w) plane: a size × size plane. */
  static byte[] apply(byte[] plane, int w, int h, int size) {
    int[] wh = resizedSize(w, h, size);
    byte[] resized = resize(plane, w, h, wh[0], wh[1]);
    return centerCrop(resized, wh[0], wh[1], size, size);
  }

  /** torchvision's output size {w', h'} of Resize(size) for a w × h image. */
  static int[] resizedSize(int w, int h, int size) {
    int shortSide = Math.min(w, h);
    int longSide = Math.max(w, h);
    int newLong = (int) ((double) size * longSide / shortSide);
    return w <= h ? new int[] {size, newLong} : new int[] {newLong, size};
  }

  /** The {@code ch × cw} window at the center of a w × h plane. */
  static byte[] centerCrop(byte[] plane, int w, int h, int cw, int ch) {
    if (cw > w || ch > h) {
      throw new IllegalArgumentException(
          "center crop " + cw + "x" + ch + " is larger than the image " + w + "x" + h);
    }
    int top = (int) Math.rint((h - ch) / 2.0);
    int left = (int) Math.rint((w - cw) / 2.0);
    byte[] out = new byte[cw * ch];
    for (int y = 0; y < ch; y++) {
      System.arraycopy(plane, (top + y) * w + left, out, y * cw, cw);
    }
    return out;
  }

  /** Pillow's BILINEAR resize of a w × h plane (row-major) to newW × newH. */
  static byte[] resize(byte[] plane, int w, int h, int newW, int newH) {
    byte[] rows = plane;
    if (newW != w) {
      Weights k = weights(w, newW);
      rows = new byte[newW * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < newW; x++) {
          rows[y * newW + x] = k.apply(plane, y * w, 1, x);
        }
      }
    }
    if (newH == h) {
      return rows;
    }
    Weights k = weights(h, newH);
    byte[] out = new byte[newW * newH];
    for (int y = 0; y < newH; y++) {
      for (int x = 0; x < newW; x++) {
        out[y * newW + x] = k.apply(rows, x, newW, y);
      }
    }
    return out;
  }

  /** For each output index: the first input index, the count and the fixed-point weights. */
  private record Weights(int[] first, int[] count, int[][] k) {
    // Σ in[offset + (first + i)·stride]·k[i], rounded: Pillow's 8-bit pass with clip8.
    byte apply(byte[] in, int offset, int stride, int out) {
      int[] kk = k[out];
      int ss = 1 << (PRECISION_BITS - 1);
      int at = offset + first[out] * stride;
      for (int i = 0; i < count[out]; i++, at += stride) {
        ss += (in[at] & 0xFF) * kk[i];
      }
      return (byte) Math.max(0, Math.min(255, ss >> PRECISION_BITS));
    }
  }

  // Pillow's precompute_coeffs + normalize_coeffs_8bpc for the triangle filter (support 1).
  private static Weights weights(int inSize, int outSize) {
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = filterScale;
    int[] first = new int[outSize];
    int[] count = new int[outSize];
    int[][] k = new int[outSize][];
    for (int xx = 0; xx < outSize; xx++) {
      double center = (xx + 0.5) * scale;
      int xmin = Math.max((int) (center - support + 0.5), 0);
      int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
      double[] w = new double[xmax];
      double sum = 0;
      double ss = 1.0 / filterScale;
      for (int x = 0; x < xmax; x++) {
        w[x] = triangle((x + xmin - center + 0.5) * ss);
        sum += w[x];
      }
      k[xx] = new int[xmax];
      for (int x = 0; x < xmax; x++) {
        double v = sum == 0 ? w[x] : w[x] / sum;
        k[xx][x] =
            (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
      }
      first[xx] = xmin;
      count[xx] = xmax;
    }
    return new Weights(first, count, k);
  }

  private static double triangle(double x) {
    x = Math.abs(x);
    return x < 1 ? 1 - x : 0;
  }
}
