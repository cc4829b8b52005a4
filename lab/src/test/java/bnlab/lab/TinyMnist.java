package bnlab.lab;

import bnlab.tensor.Rng;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a tiny Fashion-MNIST/MNIST in its IDX layout (plain files): 28×28 grey images whose top
 * half is brighter the larger the label, plus noise, so a small network can learn it.
 */
public final class TinyMnist {
  private TinyMnist() {}

  /** Writes {@code train} training and {@code test} test images into {@code dir}; returns it. */
  public static Path write(Path dir, int train, int test) throws IOException {
    Files.createDirectories(dir);
    Rng rng = new Rng(11);
    split(dir, "train", train, rng);
    split(dir, "t10k", test, rng);
    return dir;
  }

  private static void split(Path dir, String prefix, int n, Rng rng) throws IOException {
    ByteBuffer images = ByteBuffer.allocate(16 + n * 784).putInt(0x803).putInt(n);
    images.putInt(28).putInt(28);
    ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
    for (int i = 0; i < n; i++) {
      int label = i % 10;
      labels.put((byte) label);
      for (int p = 0; p < 784; p++) {
        int base = p < 392 ? label * 22 : 40;
        images.put((byte) Math.min(255, base + rng.nextInt(40)));
      }
    }
    Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), images.array());
    Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
  }
}
