package bnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download's verify-and-rename logic, through local file:// URLs (never the network). */
class DownloadTest {
  @TempDir Path tmp;

  // MD5("abc") from RFC 1321's test suite.
  private static final String MD5_ABC = "900150983cd24fb0d6963f7d28e17f72";

  private long filesIn(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void verifiedDownloadIsRenamedIntoPlace() throws IOException {
    Path src = Files.writeString(tmp.resolve("src"), "abc");
    Path out = Files.createDirectories(tmp.resolve("out"));
    Path dest = Download.fetch(src.toUri(), out.resolve("data.tar.gz"), MD5_ABC);
    assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(dest));
    assertEquals(1, filesIn(out), "only the final file remains");
    assertEquals(MD5_ABC, Download.md5(dest));
  }

  @Test
  void wrongChecksumKeepsNothingAndLeavesOldFileAlone() throws IOException {
    Path src = Files.writeString(tmp.resolve("src"), "abd");
    Path out = Files.createDirectories(tmp.resolve("out"));
    Path dest = out.resolve("data.tar.gz");
    DataException e =
        assertThrows(DataException.class, () -> Download.fetch(src.toUri(), dest, MD5_ABC));
    assertTrue(e.getMessage().contains("expected " + MD5_ABC), e.getMessage());
    assertFalse(Files.exists(dest));
    assertEquals(0, filesIn(out), "no temporary file left behind");
    Files.writeString(dest, "old");
    assertThrows(DataException.class, () -> Download.fetch(src.toUri(), dest, MD5_ABC));
    assertEquals("old", Files.readString(dest));
    assertEquals(1, filesIn(out));
  }

  @Test
  void unreachableSourceIsNamed() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("out"));
    Path missing = tmp.resolve("missing");
    DataException e =
        assertThrows(
            DataException.class, () -> Download.fetch(missing.toUri(), out.resolve("x"), MD5_ABC));
    assertTrue(e.getMessage().contains(missing.toUri().toString()), e.getMessage());
    assertEquals(0, filesIn(out));
  }
}
