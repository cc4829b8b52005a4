package bnlab.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code bnlab} in a process of its own (this test JVM's java and class path), for what only a
 * second process can show: a lock on a run folder, Ctrl-C, kill -9.
 */
final class Launched implements AutoCloseable {
  final Process process;
  private final Path stdout;
  private final Path stderr;

  private Launched(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Starts {@code bnlab args...}, its output going to files in {@code logs}. */
  static Launched start(Path logs, String... args) throws IOException {
    Files.createDirectories(logs);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:-UsePerfData");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(logs, "stdout-", ".txt");
    Path err = Files.createTempFile(logs, "stderr-", ".txt");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    return new Launched(p, out, err);
  }

  /** Waits up to {@code seconds} for {@code condition}; false if the process ended first. */
  boolean await(BooleanSupplier condition, int seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (!process.isAlive()) {
        return condition.getAsBoolean();
      }
      Thread.sleep(50);
    }
    return false;
  }

  /** Whether the process ignores SIGINT (inherited from whatever started the tests). */
  boolean ignoresSigint() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 2) != 0;
      }
    }
    return false;
  }

  /** Sends {@code signal} (e.g. "INT") to the process with kill(1). */
  void signal(String signal) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
  }

  /** Waits for the end; returns the exit code, or -1 after {@code seconds}. */
  int exitCode(int seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  String out() throws IOException {
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  String err() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
