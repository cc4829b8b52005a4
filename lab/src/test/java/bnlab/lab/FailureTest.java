package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.experiment.UserError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One line for whatever a command throws, with the exit codes Main documents. */
class FailureTest {
  @TempDir Path tmp;

  record Reported(int code, String err) {}

  static Reported report(Throwable e) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int code =
        Failure.report(
            e,
            new String[] {"train", "--epochs", "2"},
            new PrintStream(b, true, StandardCharsets.UTF_8));
    String err = b.toString(StandardCharsets.UTF_8);
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("bnlab: "), err);
    assertFalse(err.contains("\tat "), err);
    return new Reported(code, err);
  }

  @Test
  void anUnexpectedErrorPrintsOneLineAndTheFileHoldingItsTrace() throws IOException {
    String before = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", tmp.toString());
    Reported r;
    try {
      // as a failed cell arrives from a pool thread
      r = report(new ExecutionException(new IllegalStateException("boom\nsecond line")));
    } finally {
      System.setProperty("java.io.tmpdir", before);
    }
    assertEquals(Main.EXIT_FAILED, r.code());
    assertTrue(
        r.err().startsWith("bnlab: internal error (IllegalStateException: boom second line)"),
        r.err());
    String name = r.err().replaceAll("(?s).*the full trace is in (\\S+),.*", "$1");
    Path trace = Path.of(name);
    assertEquals(tmp, trace.getParent(), r.err());
    String text = Files.readString(trace);
    assertTrue(text.startsWith("bnlab train --epochs 2\n"), text);
    assertTrue(text.contains("java.lang.IllegalStateException: boom"), text);
    assertTrue(text.contains("\tat bnlab.lab.FailureTest"), text);
  }

  @Test
  void userMistakesExit2MachineFailuresExit1() {
    Reported mistake = report(new UserError("--model nett: unknown model"));
    assertEquals(Main.EXIT_USAGE, mistake.code());
    assertEquals("bnlab: --model nett: unknown model\n", mistake.err().replace("\r", ""));

    Reported disk =
        report(
            new UncheckedIOException(
                "cannot write metrics.csv: No space left on device",
                new IOException("No space left on device")));
    assertEquals(Main.EXIT_FAILED, disk.code());
    assertTrue(disk.err().contains("No space left on device"), disk.err());

    Reported denied =
        report(
            new UncheckedIOException(
                "cannot lock /proc/x: /proc/x",
                new java.nio.file.AccessDeniedException("/proc/x")));
    assertEquals("bnlab: cannot lock /proc/x: /proc/x (permission denied)\n", denied.err());

    Reported memory = report(new OutOfMemoryError("Java heap space"));
    assertEquals(Main.EXIT_FAILED, memory.code());
    assertTrue(memory.err().contains("out of memory"), memory.err());
    assertTrue(memory.err().contains("BNLAB_JAVA_OPTS=-Xmx"), memory.err());
  }
}
