package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes and one run folder, Ctrl-C and kill -9, with real processes: the second process is
 * refused in one line and touches nothing of the first; Ctrl-C exits with 130 and leaves a
 * resumable run; a lock left by a killed process is recognised as stale.
 */
class RunFolderLockTest {
  @TempDir static Path tmp;
  static Path data;

  @BeforeAll
  static void setUp() throws IOException {
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux /proc and kill(1)");
    data = TinyCifar.write(tmp.resolve("cifar"), 40, 20);
  }

  /** A run that would go on for a long time: 100,000 epochs of 10 steps. */
  static Launched longRun(Path out) throws IOException {
    return Launched.start(tmp.resolve("logs"), Cli.args(data, out, "train", "--epochs", "100000"));
  }

  static boolean hasCheckpoint(Path out) {
    return Files.exists(out.resolve("checkpoints/net-bn-seed44.safetensors"));
  }

  @Test
  void aSecondProcessOnTheSameOutIsRefusedAndTouchesNothingThenCtrlCExits130() throws Exception {
    Path out = tmp.resolve("busy");
    try (Launched first = longRun(out)) {
      assertTrue(first.await(() -> hasCheckpoint(out), 120), "first run started: " + first.err());
      String config = Files.readString(out.resolve("config.json"));
      List<String> files = list(out);
      for (String mode : new String[] {"--overwrite", "--resume"}) {
        // --overwrite first, with 1 epoch: if the lock failed, the test fails instead of hanging
        String epochs = mode.equals("--overwrite") ? "1" : "100000";
        Cli second = Cli.run(Cli.args(data, out, "train", "--epochs", epochs, mode)).oneLine(2);
        assertTrue(
            second.err().contains("is in use by another bnlab run (pid " + first.process.pid()),
            second.err());
        assertTrue(second.err().contains("'bnlab train'"), second.err());
      }
      assertEquals(config, Files.readString(out.resolve("config.json")), "config.json kept");
      assertTrue(list(out).containsAll(files), "no file of the first run was deleted");
      assertTrue(first.process.isAlive(), "the first run goes on");

      assumeFalse(first.ignoresSigint(), "SIGINT is ignored in this environment");
      first.signal("INT");
      assertEquals(Main.EXIT_INTERRUPTED, first.exitCode(60), first.err());
      assertFalse(first.err().contains("\tat "), "no trace: " + first.err());
      var run =
          new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("runs").get(0);
      assertEquals("interrupted", run.get("status").asText());
      assertEquals("", Files.readString(out.resolve("bnlab.lock")), "the lock is released");
    }
    // its last checkpoint is whole: eval reads it
    Cli eval =
        Cli.run(
            "eval",
            out.resolve("checkpoints/net-bn-seed44.safetensors").toString(),
            "--data",
            data.toString());
    assertEquals(0, eval.code(), eval.err());
  }

  @Test
  void aLockLeftByAKilledProcessIsTakenOverWithANote() throws Exception {
    Path out = tmp.resolve("killed");
    long pid;
    try (Launched first = longRun(out)) {
      assertTrue(first.await(() -> hasCheckpoint(out), 120), "first run started: " + first.err());
      pid = first.process.pid();
      first.process.destroyForcibly(); // kill -9: no shutdown hook, the lock file stays
      first.exitCode(60);
    }
    assertTrue(Files.readString(out.resolve("bnlab.lock")).startsWith(pid + "\n"));
    Cli r = Cli.run(Cli.args(data, out, "train", "--epochs", "1", "--overwrite"));
    assertEquals(0, r.code(), r.err() + r.out());
    assertTrue(r.out().contains("took over the lock of pid " + pid + ", 'bnlab train'"), r.out());
    assertEquals("", Files.readString(out.resolve("bnlab.lock")), "and released");
    r = Cli.run(Cli.args(data, out, "train", "--epochs", "2", "--resume"));
    assertEquals(0, r.code(), r.err() + r.out());
    assertFalse(r.out().contains("took over"), "a released lock is not stale: " + r.out());
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p).toString()).filter(p -> !p.endsWith(".tmp")).toList();
    }
  }
}
