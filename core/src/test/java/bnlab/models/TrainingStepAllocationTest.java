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
 * and in C1), and when that happens depends on the machine's load and on how often the kernel runs
 * (the GEMM's edge tiles under a classifier of 10 outputs: once per step, on a few values, so after
 * some thousand steps). So the warm-up lasts until 40 steps in a row allocate nothing (see {@link
 * TrainingStepAllocationProbe}), for at most two minutes. A per-call array, a boxed value, a
 * capturing lambda or a tensor rebuilt every step never gives such a run. Each model runs in a JVM
 * of its own with the launcher's serial collector, unprofiled by other tests; that a kernel run
 * once per layer and step allocates nothing even before compilation is {@code
 * bnlab.kernel.InterpretedAllocationTest}'s check.
 *
 * <p>Run on demand ({@code -Dbnlab.allocationTest=true}), not in the default build: the warm-up of
 * a tiny model on one thread takes 10–40 s, while {@code bnlab bench} reports the allocation per
 * step of the real models in every row.
 */
@EnabledIfSystemProperty(named = "bnlab.allocationTest", matches = "true")
final class TrainingStepAllocationTest {
  @Test
  void vggLikeStepAllocatesNothingAfterWarmUp() throws Exception {
    probe("vgg-bn");
  }

  @Test
  void stepsWithPerSampleNormsAllocateNothingAfterWarmUp() throws Exception {
    probe("vgg-ln", "vgg-gn", "vgg-in");
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
