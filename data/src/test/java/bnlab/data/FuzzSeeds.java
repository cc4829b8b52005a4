package bnlab.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes the seed inputs of the data fuzz targets into {@code <resources>/bnlab/data/*Inputs/}: a
 * few valid files of every layout and the hostile ones of issue #12. Regenerate with {@code java
 * -cp <test classpath> bnlab.data.FuzzSeeds data/src/test/resources}.
 */
final class FuzzSeeds {
  private FuzzSeeds() {}

  public static void main(String[] args) throws IOException {
    Path res = Path.of(args[0]).resolve("bnlab/data");
    idx(Files.createDirectories(res.resolve("IdxFuzzTestInputs/idx")));
    cifar(Files.createDirectories(res.resolve("Cifar10FuzzTestInputs/cifar10")));
    images(Files.createDirectories(res.resolve("ImageFolderFuzzTestInputs/imageFolder")));
  }

  private static byte[] frame(int flags, byte[] first, byte[] rest) {
    ByteBuffer b = ByteBuffer.allocate(3 + first.length + rest.length);
    return b.put((byte) flags).putShort((short) first.length).put(first).put(rest).array();
  }

  private static void idx(Path dir) throws IOException {
    byte[] labels = TestFiles.idx(0x801, new int[] {3}, new byte[] {0, 1, 9});
    byte[] pixels = new byte[3 * 4 * 4];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 5);
    }
    byte[] images = TestFiles.idx(0x803, new int[] {3, 4, 4}, pixels);
    Files.write(dir.resolve("plain"), frame(0, labels, images));
    Files.write(dir.resolve("gzip"), frame(3, labels, images));
    Files.write(dir.resolve("gzip-bytes"), frame(4, labels, TestFiles.gzip(images)));
    byte[] overflow = {
      0, 0, 8, 3, 0x77, 0, 0, 0x54, 0x25, 0, 0, 0, 0x1c, (byte) 0xe5, (byte) 0x9b, (byte) 0xf7
    };
    Files.write(dir.resolve("issue12-overflowing-dimensions"), frame(0, labels, overflow));
    byte[] claims = TestFiles.idx(0x803, new int[] {2_000_000, 32, 32}, new byte[100]);
    Files.write(dir.resolve("issue12-claims-2e9-pixels"), frame(1, labels, claims));
  }

  private static byte[] tar(Map<String, byte[]> files) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
        entry.setSize(e.getValue().length);
        tar.putArchiveEntry(entry);
        tar.write(e.getValue());
        tar.closeArchiveEntry();
      }
    }
    return out.toByteArray();
  }

  private static void cifar(Path dir) throws IOException {
    byte[] meta = String.join("\n", Cifar10.CLASSES).getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve("folder-test"), frame(0, meta, TestFiles.cifarRecords(0, 2)));
    Files.write(dir.resolve("folder-train"), frame(4, new byte[0], TestFiles.cifarRecords(0, 5)));
    Map<String, byte[]> test = new LinkedHashMap<>();
    test.put(Cifar10.FOLDER + "/batches.meta.txt", meta);
    test.put(Cifar10.FOLDER + "/test_batch.bin", TestFiles.cifarRecords(7, 1));
    Files.write(dir.resolve("tar-test"), concat(new byte[] {1}, tar(test)));
    Map<String, byte[]> train = new LinkedHashMap<>();
    for (int k = 0; k < 5; k++) {
      train.put(Cifar10.FOLDER + "/" + Cifar10.batchFiles(Split.TRAIN).get(k), records(k));
    }
    Files.write(dir.resolve("targz-train"), concat(new byte[] {2 | 4}, TestFiles.gzip(tar(train))));
    TarArchiveEntry claim = new TarArchiveEntry(Cifar10.FOLDER + "/test_batch.bin");
    claim.setSize(3073L * 1_000_000);
    byte[] header = new byte[512];
    claim.writeEntryHeader(header);
    Files.write(
        dir.resolve("issue12-entry-claims-3GB"),
        concat(new byte[] {1}, concat(header, TestFiles.cifarRecords(0, 1))));
  }

  private static byte[] records(int k) {
    return TestFiles.cifarRecords(k, 1);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A files-mode record: slot byte (class, test split, jpg), 16-bit length, bytes. */
  private static byte[] record(int slot, byte[] bytes) {
    return ByteBuffer.allocate(3 + bytes.length)
        .put((byte) slot)
        .putShort((short) bytes.length)
        .put(bytes)
        .array();
  }

  private static void images(Path dir) throws IOException {
    byte[] a = TestFiles.encode(TestFiles.rgbImage(1, 4, 4), "png");
    byte[] b = TestFiles.encode(TestFiles.rgbImage(2, 4, 4), "png");
    BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(1, 2, 0, 200);
    byte[] g = TestFiles.encode(grey, "png");
    BufferedImage indexed = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED);
    indexed.setRGB(0, 0, 0xFF0000);
    byte[] p = TestFiles.encode(indexed, "png");
    byte[] ja = TestFiles.encode(TestFiles.rgbImage(3, 8, 8), "jpg");
    byte[] jb = TestFiles.encode(TestFiles.rgbImage(4, 8, 8), "jpg");
    ByteArrayOutputStream files = new ByteArrayOutputStream();
    files.write(0); // files, training split
    files.writeBytes(record(0, a));
    files.writeBytes(record(1, b));
    files.writeBytes(record(1, g));
    files.writeBytes(record(2, p));
    files.writeBytes(record(4 | 1, b));
    Files.write(dir.resolve("files-png"), files.toByteArray());
    files.reset();
    files.write(4); // files, test split: one training class missing from it
    files.writeBytes(record(8, ja));
    files.writeBytes(record(8 | 1, jb));
    files.writeBytes(record(8 | 4 | 1, jb));
    Files.write(dir.resolve("files-jpg-test"), files.toByteArray());
    files.reset();
    files.write(0);
    files.writeBytes(record(0, a));
    files.writeBytes(record(1, TestFiles.pngClaiming(20_000, 20_000)));
    Files.write(dir.resolve("issue12-png-claims-20000x20000"), files.toByteArray());
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("set/train/ant/0.png", a);
    entries.put("set/train/bee/0.png", b);
    entries.put("set/test/bee/0.jpg", TestFiles.encode(TestFiles.rgbImage(5, 4, 4), "jpg"));
    Files.write(dir.resolve("tar-train"), concat(new byte[] {1}, tar(entries)));
    Files.write(
        dir.resolve("targz-test"), concat(new byte[] {2 | 4}, TestFiles.gzip(tar(entries))));
  }
}
