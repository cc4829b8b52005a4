package bnlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Appends that a full disk or a killed process cannot tear. */
class CsvFileTest {
  static final String HEADER = "model,seed,epoch,step,train_loss,lr";
  static final String ROW = "net-bn,44,1,%d,2.3025850929940455,1.0E-4";

  @TempDir Path dir;

  /**
   * A real torn write: a process whose files may not grow beyond 1024 bytes ({@code ulimit -f 1},
   * which makes the kernel write part of a row and then fail with EFBIG, as a full disk does)
   * appends rows until one fails. The file must hold whole rows only.
   */
  @Test
  void aRowThatCannotBeWrittenWholeIsCutOffAgain() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash for ulimit");
    Path csv = dir.resolve("metrics.csv");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cmd =
        "ulimit -f 1 && exec '"
            + java
            + "' -XX:-UsePerfData -cp '"
            + System.getProperty("java.class.path")
            + "' '"
            + AppendUntilFull.class.getName()
            + "' '"
            + csv
            + "'";
    Process p = new ProcessBuilder("/bin/bash", "-c", cmd).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the writer finished");
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), output);
    assertTrue(output.contains("File too large"), "the limit was hit: " + output);
    assertWholeRows(csv);
    assertTrue(Files.size(csv) > 900, "rows up to the limit were kept: " + Files.size(csv));

    // the file goes on with whole rows once there is room again
    try (CsvFile f = new CsvFile(csv, HEADER)) {
      f.row("net-bn", 44, 1, 1000, 2.5, 1e-4);
    }
    List<String> lines = assertWholeRows(csv);
    assertEquals("net-bn,44,1,1000,2.5,1.0E-4", lines.get(lines.size() - 1));
  }

  @Test
  void anUnfinishedLastLineIsCutOffWhenTheFileIsOpened() throws IOException {
    Path csv = dir.resolve("torn.csv");
    Files.writeString(csv, HEADER + "\n" + ROW.formatted(3) + "\nnet-bn,", StandardCharsets.UTF_8);
    try (CsvFile f = new CsvFile(csv, HEADER)) {
      f.row("net-bn", 44, 1, 6, 2.25, 1e-4);
    }
    assertEquals(
        List.of(HEADER, ROW.formatted(3), "net-bn,44,1,6,2.25,1.0E-4"), Files.readAllLines(csv));

    // a header cut short is written again
    Files.writeString(csv, "model,se", StandardCharsets.UTF_8);
    try (CsvFile f = new CsvFile(csv, HEADER)) {
      f.row("net", 1, 1, 3, 2.0, 0.01);
    }
    assertEquals(List.of(HEADER, "net,1,1,3,2.0,0.01"), Files.readAllLines(csv));
  }

  private static List<String> assertWholeRows(Path csv) throws IOException {
    String text = Files.readString(csv, StandardCharsets.UTF_8);
    assertTrue(text.endsWith("\n"), "ends with a whole row: ..." + tail(text));
    List<String> lines = List.of(text.split("\n"));
    assertEquals(HEADER, lines.get(0));
    for (String row : lines.subList(1, lines.size())) {
      assertEquals(6, row.split(",", -1).length, "a torn row: '" + row + "'");
    }
    return lines;
  }

  private static String tail(String s) {
    return s.substring(Math.max(0, s.length() - 60));
  }

  /** Appends rows to the file {@code args[0]} until a write fails; prints why. */
  static final class AppendUntilFull {
    public static void main(String[] args) {
      try (CsvFile f = new CsvFile(Path.of(args[0]), HEADER)) {
        for (int step = 3; ; step += 3) {
          f.row("net-bn", 44, 1, step, 2.3025850929940455, 1e-4);
        }
      } catch (UncheckedIOException e) {
        System.out.println("refused: " + e.getMessage());
      }
    }
  }
}
