package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Kernels that run once per layer and step stay in the interpreter and C1 for tens of steps of a
 * large network, where every Vector API operation allocates its vector; so those kernels are
 * written as plain loops (which C2 vectorizes) and must allocate nothing even interpreted. Checked
 * in a JVM run with {@code -Xint} ({@link InterpretedAllocationProbe}), on the vector provider.
 */
final class InterpretedAllocationTest {
  @Test
  void batchNorm1dAllocatesNothingBeforeCompilation() throws Exception {
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-modules",
            "jdk.incubator.vector",
            "-Xint",
            "-cp",
            System.getProperty("java.class.path"),
            InterpretedAllocationProbe.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("probe timed out");
    }
    assertEquals(0, p.exitValue(), out);
    String last = out.strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("vector-"), () -> "the probe ran on " + out);
    assertEquals(
        "0",
        last.substring(last.lastIndexOf(' ') + 1),
        () -> "BatchNorm1d forward + backward allocated, interpreted:\n" + out);
  }
}
