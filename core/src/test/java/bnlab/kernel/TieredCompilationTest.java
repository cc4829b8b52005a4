package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * C1 compiles every kernel method with profiling (tier 3) without giving up. A method C1 gives up
 * on ("out of virtual registers") can stay in its lower tier for the rest of the run, where every
 * Vector API operation is its Java fallback and allocates: {@link Winograd#outputPlaced} did so in
 * resnet20's training at 512 bits, in every launch in which C2 was busy when the method got hot,
 * and the step ran 10–30% slower. A JVM per width ({@code -XX:MaxVectorSize=64|32|16}) runs {@link
 * WidthProbe}'s {@code c1} mode with {@code -Xcomp} (each method compiled before its first call)
 * and {@code -XX:TieredStopAtLevel=3} (by C1 with profiling), and {@code -XX:+PrintCompilation}
 * names any compilation given up.
 */
class TieredCompilationTest {
  @TempDir Path dir;

  @Test
  void c1CompilesEveryKernelMethod() throws Exception {
    // The three JVMs side by side: each spends most of its time single-threaded.
    Map<Integer, Future<String>> runs = new LinkedHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (int bytes : new int[] {64, 32, 16}) {
        runs.put(bytes, pool.submit(() -> probe(bytes)));
      }
      for (Map.Entry<Integer, Future<String>> run : runs.entrySet()) {
        String out = run.getValue().get();
        String width = run.getKey() * 8 + "-bit";
        List<String> givenUp =
            out.lines()
                .filter(l -> l.contains(" bnlab.") && l.contains("COMPILE SKIPPED"))
                .filter(l -> !l.contains("concurrent class loading"))
                .toList();
        assertTrue(
            givenUp.isEmpty(),
            () -> "C1 gave up on, at " + width + ":\n" + String.join("\n", givenUp));
        assertTrue(
            out.lines().anyMatch(l -> l.contains(" 3 ") && l.contains("bnlab.kernel.Winograd::")),
            () ->
                "no kernel compiled at tier 3, at "
                    + width
                    + ":\n"
                    + out.lines().limit(40).toList());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private String probe(int bytes) throws Exception {
    return ProbeJvm.run(
        WidthProbe.class,
        List.of(
            "-XX:MaxVectorSize=" + bytes,
            "-Xcomp",
            "-XX:TieredStopAtLevel=3",
            "-XX:+PrintCompilation"),
        List.of("c1", dir.resolve("c1-" + bytes + ".bin").toString()),
        300);
  }
}
