package bnlab.lab;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * One image file as a model input, prepared as torchvision would prepare a PIL image for a model
 * trained on CIFAR-10-like data: {@code Image.open(f).convert("RGB")} (or {@code convert("L")} for
 * one-channel models), {@code Resize(size)}, {@code CenterCrop(size)}, {@code ToTensor()} (x / 255,
 * no normalization, as the lab trains). See {@link ResizeCrop} for the resampling.
 *
 * <p>Decoding is the JDK's ImageIO (JPEG, PNG, and whatever else it reads). JPEG decoders may
 * differ from Pillow's libjpeg-turbo by ±1 in a few pixels; PNG is lossless, so PNG inputs are
 * prepared exactly as Pillow prepares them. Alpha is dropped, as {@code convert("RGB")} does.
 */
final class ImageInput {
  private ImageInput() {}

  /**
   * Reads {@code file} and writes its prepared (C, size, size) values into {@code dst} at {@code
   * offset}.
   *
   * @throws IOException naming what is wrong when the file is not a readable, complete image
   */
  static void read(Path file, int channels, int size, float[] dst, int offset) throws IOException {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("models of " + channels + " channels take no images");
    }
    BufferedImage img = decode(file);
    int w = img.getWidth();
    int h = img.getHeight();
    byte[][] rgb = rgbPlanes(img);
    byte[][] planes = channels == 1 ? new byte[][] {luma(rgb)} : rgb;
    int n = size * size;
    for (int c = 0; c < channels; c++) {
      byte[] p = ResizeCrop.apply(planes[c], w, h, size);
      for (int i = 0; i < n; i++) {
        dst[offset + c * n + i] = (p[i] & 0xFF) / 255f;
      }
    }
  }

  private static BufferedImage decode(Path file) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new IOException("cannot open the file");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new IOException("not an image ImageIO can read (JPEG or PNG expected)");
      }
      ImageReader reader = readers.next();
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      try {
        reader.setInput(in, true, true);
        BufferedImage img;
        try {
          img = reader.read(0);
        } catch (IIOException e) {
          throw new IOException("corrupt image: " + e.getMessage(), e);
        }
        if (!warnings.isEmpty()) {
          // A truncated JPEG decodes "successfully" with grey rows and only a warning.
          throw new IOException("corrupt or truncated image: " + warnings.get(0));
        }
        return img;
      } finally {
        reader.dispose();
      }
    } catch (RuntimeException e) {
      // ImageIO plug-ins throw unchecked exceptions on some corrupt streams.
      throw new IOException("corrupt image: " + e.getMessage(), e);
    }
  }

  /** R, G, B planes (grey replicated): Pillow's convert("RGB"). */
  static byte[][] rgbPlanes(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    byte[][] out = new byte[3][w * h];
    if (img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      // getRGB would treat the samples as linear grey and brighten them; take the samples.
      Raster r = img.getRaster();
      double max = (1 << img.getColorModel().getComponentSize(0)) - 1;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          byte v = (byte) Math.round(r.getSample(x, y, 0) * 255 / max);
          out[0][y * w + x] = v;
          out[1][y * w + x] = v;
          out[2][y * w + x] = v;
        }
      }
      return out;
    }
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < argb.length; i++) {
      out[0][i] = (byte) (argb[i] >>> 16);
      out[1][i] = (byte) (argb[i] >>> 8);
      out[2][i] = (byte) argb[i];
    }
    return out;
  }

  /** Pillow's convert("L"): (R·19595 + G·38470 + B·7471 + 2^15) >> 16 (ITU-R 601-2 luma). */
  static byte[] luma(byte[][] rgb) {
    byte[] out = new byte[rgb[0].length];
    for (int i = 0; i < out.length; i++) {
      int v = (rgb[0][i] & 0xFF) * 19595 + (rgb[1][i] & 0xFF) * 38470 + (rgb[2][i] & 0xFF) * 7471;
      out[i] = (byte) ((v + 0x8000) >> 16);
    }
    return out;
  }
}
