package bnlab.data;

import java.util.List;
import java.util.Objects;

/**
 * An in-memory {@link Dataset}: all pixels in one byte array, image {@code i} at offset {@code i *
 * C*H*W} in (C,H,W) order, and one label per image. Checks every label on construction, so a data
 * set with an out-of-range label cannot exist.
 */
public final class ImageSet implements Dataset {
  private final byte[] pixels;
  private final int[] labels;
  private final int channels;
  private final int height;
  private final int width;
  private final List<String> classes;

  /**
   * Wraps {@code pixels} (not copied) of {@code labels.length} images of shape (C,H,W).
   *
   * @throws IllegalArgumentException if the sizes disagree or a label is out of range
   */
  public ImageSet(
      byte[] pixels, int[] labels, int channels, int height, int width, List<String> classes) {
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "image shape must be positive, got (" + channels + ", " + height + ", " + width + ")");
    }
    // Each factor is below 2^31, so no product of two of them wraps around a long.
    long plane = (long) height * width;
    if (plane > Integer.MAX_VALUE || plane * channels > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "image shape ("
              + channels
              + ", "
              + height
              + ", "
              + width
              + ") holds more bytes than one array");
    }
    long expected = labels.length * plane * channels;
    if (pixels.length != expected) {
      throw new IllegalArgumentException(
          pixels.length
              + " pixel bytes do not hold "
              + labels.length
              + " images of shape ("
              + channels
              + ", "
              + height
              + ", "
              + width
              + ")");
    }
    this.classes = List.copyOf(Objects.requireNonNull(classes, "classes"));
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= this.classes.size()) {
        throw new IllegalArgumentException(
            "label "
                + labels[i]
                + " of image "
                + i
                + " is outside [0, "
                + this.classes.size()
                + ")");
      }
    }
    this.pixels = pixels;
    this.labels = labels;
    this.channels = channels;
    this.height = height;
    this.width = width;
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int channels() {
    return channels;
  }

  @Override
  public int height() {
    return height;
  }

  @Override
  public int width() {
    return width;
  }

  @Override
  public List<String> classes() {
    return classes;
  }

  @Override
  public int label(int i) {
    return labels[i];
  }

  @Override
  public void get(int i, byte[] dst, int offset) {
    int n = imageBytes();
    System.arraycopy(pixels, Math.multiplyExact(i, n), dst, offset, n);
  }

  /** The backing pixel array (not a copy): image-major, (C,H,W) within an image. */
  public byte[] pixels() {
    return pixels;
  }

  /** The backing label array (not a copy). */
  public int[] labels() {
    return labels;
  }

  /** Number of images per class, indexed by label. */
  public int[] classCounts() {
    int[] counts = new int[classes.size()];
    for (int l : labels) {
      counts[l]++;
    }
    return counts;
  }

  @Override
  public String toString() {
    return "ImageSet("
        + size()
        + " images, ("
        + channels
        + ", "
        + height
        + ", "
        + width
        + "), "
        + classes.size()
        + " classes)";
  }
}
