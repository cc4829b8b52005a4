package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadCommandTest {
  @Test
  void wrongChecksumLeavesNothingAndIsOneLine(@TempDir Path dir) throws Exception {
    Path source = dir.resolve("not-cifar.tar.gz");
    Files.writeString(source, "definitely not CIFAR-10");
    Path target = dir.resolve("cache");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {
              "download", "--to", target.toString(), "--url", source.toUri().toString()
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String message = err.toString(StandardCharsets.UTF_8);
    assertEquals(2, code, message);
    assertEquals(1, message.strip().lines().count(), message);
    assertTrue(message.contains("MD5") || message.contains("md5"), message);
    try (Stream<Path> left = Files.exists(target) ? Files.list(target) : Stream.empty()) {
      assertFalse(left.findAny().isPresent(), "a failed download must leave no file behind");
    }
  }

  @Test
  void onlyCifar10CanBeDownloaded() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {"download", "fashion-mnist"},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("apt-get"));
  }
}
