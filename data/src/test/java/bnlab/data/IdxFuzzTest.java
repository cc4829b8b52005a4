package bnlab.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target (Jazzer) for the IDX reader. Every build replays the committed inputs in {@code
 * src/test/resources/bnlab/data/IdxFuzzTestInputs/idx}; {@code bin/fuzz IdxFuzzTest 10m} fuzzes it.
 * An input is: flags (bit 0: gzip the image file, bit 1: gzip the label file, bit 2: the image
 * bytes already are a .gz file), a 16-bit label-file length, the label file, the image file. The
 * contract: {@link Idx#read} returns or throws {@link DataException}; it allocates at most {@link
 * FuzzFiles#BUDGET_BASE} plus {@link FuzzFiles#BUDGET_PER_BYTE} per byte of uncompressed input, and
 * takes at most 10 s.
 */
class IdxFuzzTest {
  @BeforeAll
  static void warmUp() {
    Allocation.warmUp(IdxFuzzTest.class, "idx", input -> run(input, false));
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(10)
  void idx(byte[] input) throws Exception {
    run(input, true);
  }

  private static void run(byte[] input, boolean measured) throws Exception {
    FuzzFiles.Cursor in = new FuzzFiles.Cursor(input);
    int flags = in.u8();
    byte[] labels = in.take(in.u16());
    byte[] images = in.rest();
    Path dir = FuzzFiles.fresh("idx");
    boolean rawGz = (flags & 4) != 0;
    boolean gzImages = rawGz || (flags & 1) != 0;
    Path img = dir.resolve("train-images-idx3-ubyte" + (gzImages ? ".gz" : ""));
    Path lab = dir.resolve("train-labels-idx1-ubyte" + ((flags & 2) != 0 ? ".gz" : ""));
    Files.write(img, gzImages && !rawGz ? TestFiles.gzip(images) : images);
    Files.write(lab, (flags & 2) != 0 ? TestFiles.gzip(labels) : labels);
    long size =
        labels.length + (rawGz ? FuzzFiles.gunzippedLength(images, 1L << 30) : images.length);
    Allocation.within(
        measured ? FuzzFiles.BUDGET_BASE + FuzzFiles.BUDGET_PER_BYTE * size : Long.MAX_VALUE,
        "IDX input",
        () -> {
          try {
            Idx.read(img, lab, FashionMnist.CLASSES);
          } catch (DataException refused) {
            // the documented outcome for a bad file
          }
        });
  }
}
