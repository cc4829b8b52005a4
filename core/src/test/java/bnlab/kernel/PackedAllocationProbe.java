package bnlab.kernel;

import bnlab.tensor.Rng;
import java.lang.management.ManagementFactory;

/**
 * Run by {@link PackedGemmTest#packedCallsAllocateNothing} in a JVM of its own: packed products
 * with edge tiles, in rounds of 50 calls until a round allocates nothing (the interpreter and C1
 * box vectors) or 20 s have passed; prints the kernel name and the bytes of the last round.
 */
final class PackedAllocationProbe {
  private PackedAllocationProbe() {}

  public static void main(String[] args) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Rng rng = new Rng(37);
    int m = VectorWidth.PACKED_ROWS + 3;
    int n = 3 * VectorWidth.TILE_COLS + 5;
    int k = 2 * PackedGemm.BLOCKS.kc() + 1;
    GemmShape shape = GemmShape.of(false, false, m, n, k);
    float[] a = VectorGemmTest.random(rng, m * k), b = VectorGemmTest.random(rng, k * n);
    float[] c = new float[m * n];
    long id = Thread.currentThread().threadId();
    long used = -1;
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (used != 0 && System.nanoTime() < deadline) {
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < 50; i++) {
        PackedGemm.block(shape, a, 0, b, 0, 1f, c, 0, 0, m, 0, n);
      }
      used = threads.getThreadAllocatedBytes(id) - before;
    }
    System.out.println(KernelProvider.get().name() + " " + used);
  }
}
