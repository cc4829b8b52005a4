package bnlab.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG and PNG images with the JDK's ImageIO into RGB bytes in (C,H,W) order, converting
 * grey, paletted and alpha images to RGB as PIL's {@code convert("RGB")} does (alpha dropped, grey
 * replicated). One instance per thread: it keeps one ImageIO reader per format and reuses it for
 * every image (creating a JPEG reader per image costs more than decoding a 32x32 picture). Reads
 * from memory, so no temporary files.
 */
final class ImageDecoder implements AutoCloseable {
  private final Map<String, ImageReader> readers = new HashMap<>();

  /** The decoded image; throws IOException with a reason when the bytes are not an image. */
  BufferedImage read(byte[] bytes) throws IOException {
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = readerFor(bytes, in);
      try {
        reader.setInput(in, true, true);
        return reader.read(0);
      } finally {
        reader.reset();
      }
    } catch (RuntimeException e) {
      // ImageIO plug-ins throw unchecked exceptions on some corrupt streams.
      throw new IOException("corrupt image: " + e, e);
    }
  }

  private ImageReader readerFor(byte[] b, ImageInputStream in) throws IOException {
    String format = formatOf(b);
    ImageReader cached = format == null ? null : readers.get(format);
    if (cached != null) {
      return cached;
    }
    Iterator<ImageReader> found = ImageIO.getImageReaders(in);
    if (!found.hasNext()) {
      throw new IOException("not a readable image (no ImageIO reader recognises its bytes)");
    }
    ImageReader reader = found.next();
    if (format != null) {
      readers.put(format, reader);
    }
    return reader;
  }

  /** "jpeg" or "png" from the file signature, else null (then ImageIO probes the bytes). */
  private static String formatOf(byte[] b) {
    if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
      return "jpeg";
    }
    if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return "png";
    }
    return null;
  }

  @Override
  public void close() {
    readers.values().forEach(ImageReader::dispose);
    readers.clear();
  }

  /**
   * Writes {@code img} as 3 x H x W bytes (R plane, G plane, B plane) into {@code dst} at {@code
   * off}.
   */
  static void toChw(BufferedImage img, byte[] dst, int off) {
    int w = img.getWidth();
    int h = img.getHeight();
    int plane = w * h;
    if (isPackedBgr(img)) {
      byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
      for (int p = 0, s = 0; p < plane; p++, s += 3) {
        dst[off + p] = bgr[s + 2];
        dst[off + plane + p] = bgr[s + 1];
        dst[off + 2 * plane + p] = bgr[s];
      }
      return;
    }
    if (img.getType() == BufferedImage.TYPE_BYTE_GRAY && isPlain(img.getRaster(), 1)) {
      byte[] grey = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
      for (int c = 0; c < 3; c++) {
        System.arraycopy(grey, 0, dst, off + c * plane, plane);
      }
      return;
    }
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    for (int p = 0; p < plane; p++) {
      int v = argb[p];
      dst[off + p] = (byte) (v >>> 16);
      dst[off + plane + p] = (byte) (v >>> 8);
      dst[off + 2 * plane + p] = (byte) v;
    }
  }

  private static boolean isPackedBgr(BufferedImage img) {
    if (img.getType() != BufferedImage.TYPE_3BYTE_BGR || !isPlain(img.getRaster(), 3)) {
      return false;
    }
    int[] bands = ((PixelInterleavedSampleModel) img.getSampleModel()).getBandOffsets();
    return Arrays.equals(bands, new int[] {2, 1, 0});
  }

  // A raster whose bytes start at 0 with no padding, so its array can be read directly.
  private static boolean isPlain(Raster r, int pixelStride) {
    if (!(r.getSampleModel() instanceof PixelInterleavedSampleModel sm)
        || !(r.getDataBuffer() instanceof DataBufferByte db)) {
      return false;
    }
    return sm.getPixelStride() == pixelStride
        && sm.getScanlineStride() == pixelStride * r.getWidth()
        && db.getOffset() == 0
        && r.getSampleModelTranslateX() == 0
        && r.getSampleModelTranslateY() == 0
        && db.getNumBanks() == 1;
  }
}
