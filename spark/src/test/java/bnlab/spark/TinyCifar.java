package bnlab.spark;

import bnlab.tensor.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a tiny CIFAR-10 in the official binary layout (1 label byte + 3072 pixel bytes per
 * record): a learnable pattern (the label sets the mean brightness of the red plane) plus noise,
 * {@code train / 5} records in each of data_batch_1..5.bin.
 */
final class TinyCifar {
  private TinyCifar() {}

  /** Writes {@code train} training and {@code test} test records into {@code dir}; returns it. */
  static Path write(Path dir, int train, int test) throws IOException {
    Files.createDirectories(dir);
    Rng rng = new Rng(7);
    for (int i = 1; i <= 5; i++) {
      Files.write(dir.resolve("data_batch_" + i + ".bin"), records(train / 5, rng));
    }
    Files.writeString(
        dir.resolve("batches.meta.txt"),
        "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n");
    Files.write(dir.resolve("test_batch.bin"), records(test, rng));
    return dir;
  }

  private static byte[] records(int n, Rng rng) {
    byte[] b = new byte[n * 3073];
    for (int r = 0; r < n; r++) {
      int label = r % 10;
      b[r * 3073] = (byte) label;
      for (int i = 0; i < 3072; i++) {
        int base = i < 1024 ? label * 25 : 128;
        b[r * 3073 + 1 + i] = (byte) Math.min(255, base + rng.nextInt(30));
      }
    }
    return b;
  }
}
