package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The command line in this JVM, with its output captured, for the tests of what goes wrong. */
record Cli(int code, String out, String err) {
  /** Runs {@code bnlab args...}. */
  static Cli run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Cli(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * {@code command} on the tiny data set {@code data} into {@code out}: batches of 4, lr 0.01, a
   * metrics row every 3 steps, no probes, no progress bar, then {@code extra}.
   */
  static String[] args(Path data, Path out, String command, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                command,
                "--data",
                data.toString(),
                "--lr",
                "0.01",
                "--batch-size",
                "4",
                "--log-every",
                "3",
                "--probe-every",
                "0",
                "--no-progress",
                "--no-report",
                "--out",
                out.toString()));
    a.addAll(Arrays.asList(extra));
    return a.toArray(String[]::new);
  }

  /** Asserts the run failed with {@code code} and one line on stderr, without a Java trace. */
  Cli oneLine(int expectedCode) {
    String what = "exit " + code + ", stderr:\n" + err + "stdout:\n" + out;
    assertEquals(expectedCode, code, what);
    assertEquals(1, err.strip().lines().count(), what);
    assertTrue(err.startsWith("bnlab: "), what);
    assertFalse(err.contains("Exception") || err.contains("\tat ") || out.contains("\tat "), what);
    return this;
  }
}
