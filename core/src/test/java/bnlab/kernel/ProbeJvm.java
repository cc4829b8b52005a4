package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a probe's main class in a JVM of its own, on this test's class path with the Vector API
 * module: for checks that other tests in the suite's JVM would disturb (its JIT's history, -Xint).
 */
final class ProbeJvm {
  private ProbeJvm() {}

  /** The probe's output (stdout and stderr) after it exited 0 within 60 s; fails otherwise. */
  static String run(Class<?> probe, String... jvmOptions) throws Exception {
    return run(probe, List.of(jvmOptions), List.of(), 60);
  }

  /** As {@link #run(Class, String...)} with the probe's arguments and a time limit. */
  static String run(Class<?> probe, List<String> jvmOptions, List<String> args, int seconds)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), probe.getName()));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(probe.getSimpleName() + " timed out:\n" + out);
    }
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  /** The last line of a probe's output. */
  static String lastLine(String out) {
    return out.strip().lines().reduce((a, b) -> b).orElse("");
  }
}
