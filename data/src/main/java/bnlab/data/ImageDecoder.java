package bnlab.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
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
 *
 * <p>Nothing is decoded before the header has been read and checked: the size must pass the
 * caller's check, stay within {@link #MAX_PIXELS}, and be one the file's bytes could encode at all
 * (a PNG's pixels are deflated, at most 1032:1, from at least one bit each; a JPEG spends at least
 * one bit per 8x8 block). Only JPEG and PNG bytes are decoded, whatever the file's name, and a
 * reader's warning (a truncated or corrupt JPEG, which ImageIO would fill in with grey) is an
 * error, as it is in PIL.
 */
final class ImageDecoder implements AutoCloseable {
  /** The most pixels an image may have (2048 x 2048): beyond it, resize the data set first. */
  static final long MAX_PIXELS = 1L << 22;

  /** Pixels one PNG byte can stand for: 8 one-bit pixels per raw byte, deflate at most 1032:1. */
  private static final long PNG_PIXELS_PER_BYTE = 8 * 1032;

  /** Pixels one JPEG byte can stand for: 8 blocks of 64 at one bit each, with a margin of 4. */
  private static final long JPEG_PIXELS_PER_BYTE = 4 * 8 * 64;

  /** Checks an image's size, read from its header, before its pixels are decoded. */
  @FunctionalInterface
  interface SizeCheck {
    /** Throws {@link DataException} if an image of {@code width} x {@code height} does not fit. */
    void check(int width, int height);
  }

  private final Map<String, ImageReader> readers = new HashMap<>();
  private String warning;

  /**
   * The decoded image; throws IOException with a reason when the bytes are not a whole JPEG or PNG
   * or claim an impossible size, and lets {@code check}'s {@link DataException} through.
   */
  BufferedImage read(byte[] bytes, SizeCheck check) throws IOException {
    String format = formatOf(bytes);
    if (format == null) {
      throw new IOException("neither a JPEG nor a PNG image (" + signature(bytes) + ")");
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = readerFor(format);
      try {
        reader.setInput(in, true, true);
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        check.check(w, h);
        checkPlausible(format, w, h, bytes.length);
        warning = null;
        BufferedImage img = reader.read(0);
        if (warning != null) {
          throw new IOException("damaged image: " + warning);
        }
        return img;
      } finally {
        reader.reset();
      }
    } catch (DataException e) {
      throw e;
    } catch (RuntimeException e) {
      // ImageIO plug-ins throw unchecked exceptions on some corrupt streams.
      throw new IOException("corrupt image: " + e, e);
    }
  }

  private static void checkPlausible(String format, int w, int h, int length) throws IOException {
    long pixels = (long) w * h;
    if (w <= 0 || h <= 0 || pixels > MAX_PIXELS) {
      throw new IOException(
          "header claims "
              + w
              + "x"
              + h
              + " pixels, more than the "
              + MAX_PIXELS
              + " bnlab decodes (2048x2048); resize the images first");
    }
    long perByte = format.equals("png") ? PNG_PIXELS_PER_BYTE : JPEG_PIXELS_PER_BYTE;
    if (pixels > perByte * length) {
      throw new IOException(
          "header claims "
              + w
              + "x"
              + h
              + " pixels, more pixels than its "
              + length
              + " bytes can encode (truncated or damaged)");
    }
  }

  private ImageReader readerFor(String format) {
    ImageReader cached = readers.get(format);
    if (cached != null) {
      return cached;
    }
    ImageReader reader = ImageIO.getImageReadersByFormatName(format).next();
    reader.addIIOReadWarningListener((source, message) -> warning = message);
    readers.put(format, reader);
    return reader;
  }

  /** "jpeg" or "png" from the file signature, else null. */
  private static String formatOf(byte[] b) {
    if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
      return "jpeg";
    }
    if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return "png";
    }
    return null;
  }

  private static String signature(byte[] b) {
    if (b.length == 0) {
      return "empty file";
    }
    StringBuilder sb = new StringBuilder("starts with");
    for (int i = 0; i < Math.min(4, b.length); i++) {
      sb.append(String.format(" %02x", b[i] & 0xFF));
    }
    return sb.toString();
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
