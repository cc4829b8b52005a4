package bnlab.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target (Jazzer) for the CIFAR-10 binary reader, folder and {@code .tar.gz}. Every build
 * replays the committed inputs in {@code src/test/resources/bnlab/data/Cifar10FuzzTestInputs/
 * cifar10}; {@code bin/fuzz Cifar10FuzzTest 10m} fuzzes it. An input is a flags byte (bits 0-1: 0 a
 * folder, 1 a tar the target compresses, 2 the bytes of a .tar.gz; bit 2: read the training split)
 * then, for a folder, a 16-bit length and the batches.meta.txt (none if empty) and the batch bytes
 * (cut into 5 files for training), else the archive. The contract: the reader returns or throws
 * {@link DataException}, allocates at most {@link FuzzFiles#BUDGET_BASE} plus {@link
 * FuzzFiles#BUDGET_PER_BYTE} per byte of uncompressed input, and takes at most 10 s.
 */
class Cifar10FuzzTest {
  @BeforeAll
  static void warmUp() {
    Allocation.warmUp(Cifar10FuzzTest.class, "cifar10", input -> run(input, false));
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(10)
  void cifar10(byte[] input) throws Exception {
    run(input, true);
  }

  private static void run(byte[] input, boolean measured) throws Exception {
    FuzzFiles.Cursor in = new FuzzFiles.Cursor(input);
    int flags = in.u8();
    int mode = flags & 3;
    Split split = (flags & 4) != 0 ? Split.TRAIN : Split.TEST;
    Path dir = FuzzFiles.fresh("cifar10");
    long size;
    Allocation.Call read;
    if (mode == 0) {
      byte[] meta = in.take(in.u16());
      byte[] batches = in.rest();
      writeFolder(dir, split, meta, batches);
      size = meta.length + batches.length;
      read = () -> Cifar10.readFolder(dir, split);
    } else {
      byte[] rest = in.rest();
      Path archive = Files.write(dir.resolve("c.tar.gz"), mode == 1 ? TestFiles.gzip(rest) : rest);
      size = mode == 1 ? rest.length : FuzzFiles.gunzippedLength(rest, 1L << 30);
      read = () -> Cifar10.readTarGz(archive, split);
    }
    Allocation.within(
        measured ? FuzzFiles.BUDGET_BASE + FuzzFiles.BUDGET_PER_BYTE * size : Long.MAX_VALUE,
        "CIFAR-10 input",
        () -> {
          try {
            read.run();
          } catch (DataException refused) {
            // the documented outcome for a bad file
          }
        });
  }

  private static void writeFolder(Path dir, Split split, byte[] meta, byte[] batches)
      throws java.io.IOException {
    if (meta.length > 0) {
      Files.write(dir.resolve("batches.meta.txt"), meta);
    }
    List<String> names = Cifar10.batchFiles(split);
    for (int p = 0; p < names.size(); p++) {
      int from = (int) ((long) batches.length * p / names.size());
      int to = (int) ((long) batches.length * (p + 1) / names.size());
      Files.write(dir.resolve(names.get(p)), Arrays.copyOfRange(batches, from, to));
    }
  }
}
