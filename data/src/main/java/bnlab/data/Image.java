package bnlab.data;

/**
 * One image being transformed: float values in (C,H,W) order in {@link #data()}, plus a spare
 * buffer for transforms that cannot work in place. Owned by the loader and reused for every image,
 * so transforms allocate nothing.
 */
public final class Image {
  private float[] data;
  private float[] spare;
  private int channels;
  private int height;
  private int width;

  Image(int capacity) {
    data = new float[capacity];
    spare = new float[capacity];
  }

  /** Loads unsigned bytes (C,H,W) as floats in [0, 255]. */
  void load(byte[] src, int off, int c, int h, int w) {
    int n = c * h * w;
    reshape(c, h, w);
    for (int i = 0; i < n; i++) {
      data[i] = src[off + i] & 0xFF;
    }
  }

  /** The current values; only the first {@code channels*height*width} belong to the image. */
  public float[] data() {
    return data;
  }

  /** A buffer of at least {@code c*h*w} floats to write a transformed image into. */
  public float[] spare(int c, int h, int w) {
    int n = c * h * w;
    if (spare.length < n) {
      spare = new float[n];
    }
    return spare;
  }

  /** Makes the spare buffer (now holding a {@code (c, h, w)} image) the current one. */
  public void swap(int c, int h, int w) {
    float[] t = data;
    data = spare;
    spare = t;
    reshape(c, h, w);
  }

  private void reshape(int c, int h, int w) {
    channels = c;
    height = h;
    width = w;
    if (data.length < c * h * w) {
      float[] bigger = new float[c * h * w];
      data = bigger;
    }
  }

  /** Number of channels. */
  public int channels() {
    return channels;
  }

  /** Height in pixels. */
  public int height() {
    return height;
  }

  /** Width in pixels. */
  public int width() {
    return width;
  }
}
