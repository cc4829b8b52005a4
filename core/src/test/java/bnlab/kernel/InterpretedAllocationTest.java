package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    String out = ProbeJvm.run(InterpretedAllocationProbe.class, "-Xint");
    String last = ProbeJvm.lastLine(out);
    assertTrue(last.startsWith("vector-"), () -> "the probe ran on " + out);
    assertEquals(
        "0",
        last.substring(last.lastIndexOf(' ') + 1),
        () -> "BatchNorm1d forward + backward allocated, interpreted:\n" + out);
  }
}
