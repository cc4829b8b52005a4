package bnlab.lab;

import bnlab.train.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 in its official binary layout (records of 1 label byte + 3072 pixel bytes, R, G, B
 * planes of 32x32 row-major), kept as bytes and converted with ToTensor (/255) per item. A stopgap
 * until the lab reads through bnlab.data.
 */
final class CifarBinary implements Dataset {
  private static final int RECORD = 1 + 3072;
  private final byte[] bytes;
  private final int n;

  private CifarBinary(byte[] bytes) {
    this.bytes = bytes;
    this.n = bytes.length / RECORD;
  }

  static CifarBinary train(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      Path f = dir.resolve("data_batch_" + i + ".bin");
      if (Files.exists(f)) {
        files.add(f);
      }
    }
    return read(files);
  }

  static CifarBinary test(Path dir) throws IOException {
    return read(List.of(dir.resolve("test_batch.bin")));
  }

  private static CifarBinary read(List<Path> files) throws IOException {
    var out = new java.io.ByteArrayOutputStream();
    for (Path f : files) {
      byte[] b = Files.readAllBytes(f);
      if (b.length == 0 || b.length % RECORD != 0) {
        throw new UserError(
            f
                + " is not a CIFAR-10 binary batch: "
                + b.length
                + " bytes is not a multiple of 3073");
      }
      for (int r = 0; r < b.length; r += RECORD) {
        if ((b[r] & 0xFF) > 9) {
          throw new UserError(f + ": record " + r / RECORD + " has label " + (b[r] & 0xFF));
        }
      }
      out.write(b);
    }
    return new CifarBinary(out.toByteArray());
  }

  @Override
  public int size() {
    return n;
  }

  @Override
  public int[] itemShape() {
    return new int[] {3, 32, 32};
  }

  @Override
  public int numClasses() {
    return 10;
  }

  @Override
  public void copyItem(int index, float[] dst, int offset) {
    int base = index * RECORD + 1;
    for (int i = 0; i < 3072; i++) {
      dst[offset + i] = (bytes[base + i] & 0xFF) / 255f;
    }
  }

  @Override
  public int label(int index) {
    return bytes[index * RECORD] & 0xFF;
  }
}
