package bnlab.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Decodes the images of an image folder on every core into one pixel array. The first image sets
 * the size; every other one must have it, which is checked from its header before it is decoded.
 */
final class ImageDecoding {
  /** An image file bigger than this is not a picture of at most {@link ImageDecoder#MAX_PIXELS}. */
  static final long MAX_FILE_BYTES = 64L << 20;

  /** An encoded image (its bytes, or the file to read them from), its label and its name. */
  record Item(String name, int label, Path file, byte[] bytes) {}

  private ImageDecoding() {}

  /** Decodes every item into one {@link ImageSet}; the first failure is rethrown. */
  static ImageSet decodeAll(List<Item> items, List<String> classes) {
    BufferedImage first;
    try (ImageDecoder decoder = new ImageDecoder()) {
      first = decode(decoder, items.get(0), (w, h) -> {});
    }
    int h = first.getHeight();
    int w = first.getWidth();
    int bytes = 3 * h * w; // at most 3 * MAX_PIXELS
    if ((long) items.size() * bytes > BoundedReads.MAX_ARRAY) {
      throw new DataException(
          null,
          String.format(
              "%d images of %dx%d (like %s) are %d bytes, more than one array holds (%d):"
                  + " use fewer or smaller images",
              items.size(),
              w,
              h,
              items.get(0).name(),
              (long) items.size() * bytes,
              BoundedReads.MAX_ARRAY));
    }
    byte[] pixels = new byte[items.size() * bytes];
    int[] labels = new int[items.size()];
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    int chunk = (items.size() + threads - 1) / threads;
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int lo = Math.min(items.size(), t * chunk);
        int hi = Math.min(items.size(), lo + chunk);
        parts.add(pool.submit(() -> decodeRange(items, lo, hi, h, w, pixels, labels)));
      }
      for (Future<?> f : parts) {
        join(f);
      }
    }
    return new ImageSet(pixels, labels, 3, h, w, classes);
  }

  private static void join(Future<?> f) {
    try {
      f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DataException d) {
        throw d;
      }
      throw new IllegalStateException("image decoding failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while decoding images", e);
    }
  }

  private static void decodeRange(
      List<Item> items, int lo, int hi, int h, int w, byte[] pixels, int[] labels) {
    try (ImageDecoder decoder = new ImageDecoder()) {
      for (int i = lo; i < hi; i++) {
        Item it = items.get(i);
        int index = i;
        BufferedImage img =
            decode(
                decoder,
                it,
                (iw, ih) -> {
                  if (ih != h || iw != w) {
                    throw new DataException(
                        null,
                        String.format(
                            "%s: image %d is %dx%d, expected %dx%d like %s",
                            it.name(), index, iw, ih, w, h, items.get(0).name()));
                  }
                });
        ImageDecoder.toChw(img, pixels, i * 3 * h * w);
        labels[i] = it.label();
      }
    }
  }

  private static BufferedImage decode(ImageDecoder decoder, Item it, ImageDecoder.SizeCheck check) {
    try {
      return decoder.read(it.bytes() != null ? it.bytes() : readFile(it.file()), check);
    } catch (IOException e) {
      String m = e.getMessage() == null ? e.toString() : e.getMessage();
      throw new DataException(
          it.file(), (it.file() == null ? it.name() + ": " : "") + "unreadable image: " + m, e);
    }
  }

  private static byte[] readFile(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new IOException(
          size
              + " bytes, more than an image of at most 2048x2048 pixels needs ("
              + MAX_FILE_BYTES
              + ")");
    }
    return Files.readAllBytes(file);
  }
}
