package bnlab.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A training step (forward, cross-entropy, backward, Adam) of a small VGG-like and small
 * ResNet-like networks allocates nothing once the JIT has compiled it, with one and two kernel
 * threads (issue 15). Until C2 compiles a kernel, its Vector API operations allocate (interpreted
 * and in C1), and when that happens depends on the machine's load; so the warm-up lasts until a
 * window of steps allocates nothing, and the next windows must allocate nothing too. A per-call
 * array, a boxed value, a capturing lambda or a tensor rebuilt every step never lets the warm-up
 * end. Each model runs in a JVM of its own ({@link TrainingStepAllocationProbe}) with the
 * launcher's serial collector, unprofiled by other tests; that a kernel run once per layer and step
 * allocates nothing even before compilation is {@code bnlab.kernel.InterpretedAllocationTest}'s
 * check.
 *
 * <p>Run on demand ({@code -Dbnlab.allocationTest=true}), not in the default build: it does not
 * pass reliably yet. The broadcast GEMM's edge tiles ({@code Tile2.k4x2}, {@code k2x2}, for the
 * rows past the last 8-row tile) run a few times per step and on a loaded machine stayed in C1 for
 * over 1,600 steps (13.5 KB per step of Vector API fallbacks), and one vgg-bn run allocated 560
 * bytes in a window after a quiet one. Tile2 is being rewritten on another branch.
 */
@EnabledIfSystemProperty(named = "bnlab.allocationTest", matches = "true")
final class TrainingStepAllocationTest {
  @Test
  void vggLikeStepAllocatesNothingAfterWarmUp() throws Exception {
    probe("vgg-bn");
  }

  @Test
  void resnetLikeStepAllocatesNothingAfterWarmUp() throws Exception {
    probe("resnet-B");
  }

  @Test
  void resnetWithZeroPadShortcutsAllocatesNothingAfterWarmUp() throws Exception {
    probe("resnet-A");
  }

  private static void probe(String... models) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xmx1g"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    cmd.add(TrainingStepAllocationProbe.class.getName());
    cmd.addAll(List.of(models));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("probe timed out:\n" + out);
    }
    assertEquals(0, p.exitValue(), out);
    List<String> lines = out.lines().filter(l -> l.contains(" threads ")).toList();
    assertEquals(2 * models.length, lines.size(), out);
    for (String line : lines) {
      if (!line.contains(": ok after ")) {
        fail("a training step allocates: " + line + "\n" + out);
      }
    }
  }
}
