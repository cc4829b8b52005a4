package bnlab.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target (Jazzer) for the image-folder reader, folder and {@code .tar.gz}, with the JDK's JPEG
 * and PNG decoders behind it. Every build replays the committed inputs in {@code
 * src/test/resources/bnlab/data/ImageFolderFuzzTestInputs/imageFolder}; {@code bin/fuzz
 * ImageFolderFuzzTest 10m} fuzzes it. An input is a flags byte (bits 0-1: 0 files, 1 a tar the
 * target compresses, 2 the bytes of a .tar.gz; bit 2: read the test split) then, for files, records
 * of [slot byte: class in bits 0-1, test split in bit 2, .jpg in bit 3][16-bit length][bytes], else
 * the archive.
 *
 * <p>The contract: the reader returns or throws {@link DataException}, takes at most 10 s, and
 * allocates at most {@link FuzzFiles#BUDGET_BASE}, plus {@link FuzzFiles#BUDGET_PER_BYTE} per byte
 * of uncompressed input, plus {@link #BYTES_PER_PIXEL} for every pixel the images could encode: a
 * PNG or JPEG legitimately decodes to far more bytes than it has, but to no more pixels than its
 * bytes can describe ({@link ImageDecoder}'s bounds, at most 2048x2048 an image).
 */
class ImageFolderFuzzTest {
  /** Decoding costs per pixel: the decoded image, its ARGB copy, its place in the pixel array. */
  static final long BYTES_PER_PIXEL = 16;

  /** The most pixels one byte of PNG can stand for (1 bit a pixel, deflate at most 1032:1). */
  private static final long PIXELS_PER_BYTE = 8 * 1032;

  private static final String[] CLASSES = {"ant", "bee", "cat", "dog"};

  @BeforeAll
  static void warmUp() {
    Allocation.warmUp(ImageFolderFuzzTest.class, "imageFolder", input -> run(input, false));
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(10)
  void imageFolder(byte[] input) throws Exception {
    run(input, true);
  }

  private static void run(byte[] input, boolean measured) throws Exception {
    FuzzFiles.Cursor in = new FuzzFiles.Cursor(input);
    int flags = in.u8();
    int mode = flags & 3;
    Split split = (flags & 4) != 0 ? Split.TEST : Split.TRAIN;
    Path dir = FuzzFiles.fresh("images");
    long size;
    Allocation.Call read;
    if (mode == 0) {
      size = writeFiles(dir, in);
      read = () -> ImageFolder.read(dir, split);
    } else {
      byte[] rest = in.rest();
      Path archive = Files.write(dir.resolve("i.tar.gz"), mode == 1 ? TestFiles.gzip(rest) : rest);
      size = mode == 1 ? rest.length : FuzzFiles.gunzippedLength(rest, 1L << 30);
      read = () -> ImageFolder.readTarGz(archive, split, null);
    }
    long pixels = Math.min(PIXELS_PER_BYTE * size, ImageDecoder.MAX_PIXELS * (1 + size / 64));
    Allocation.within(
        measured
            ? FuzzFiles.BUDGET_BASE + FuzzFiles.BUDGET_PER_BYTE * size + BYTES_PER_PIXEL * pixels
            : Long.MAX_VALUE,
        "image-folder input",
        () -> {
          try {
            read.run();
          } catch (DataException refused) {
            // the documented outcome for a bad folder or image
          }
        });
  }

  /** Writes the input's records as root/{train,test}/class/N.{png,jpg}; returns their bytes. */
  private static long writeFiles(Path root, FuzzFiles.Cursor in) throws java.io.IOException {
    long size = 0;
    for (int i = 0; !in.done(); i++) {
      int slot = in.u8();
      byte[] bytes = in.take(in.u16());
      Path classDir = root.resolve((slot & 4) != 0 ? "test" : "train").resolve(CLASSES[slot & 3]);
      Files.createDirectories(classDir);
      Files.write(classDir.resolve(i + ((slot & 8) != 0 ? ".jpg" : ".png")), bytes);
      size += bytes.length;
    }
    return size;
  }
}
