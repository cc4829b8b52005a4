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
    int n = 3 * VectorWidth.TILE_COLS + 5;
    int k = 2 * PackedGemm.BLOCKS.kc() + 1;
    // One row block (B packed a k block at a time) and more than one (all of B's k blocks at once,
    // in a buffer that grows on the first call only).
    int[] rows = {VectorWidth.PACKED_ROWS + 3, PackedGemm.BLOCKS.mc() + 3};
    GemmShape[] shapes = new GemmShape[rows.length];
    float[][] as = new float[rows.length][];
    float[][] cs = new float[rows.length][];
    for (int s = 0; s < rows.length; s++) {
      shapes[s] = GemmShape.of(false, false, rows[s], n, k);
      as[s] = VectorGemmTest.random(rng, rows[s] * k);
      cs[s] = new float[rows[s] * n];
    }
    float[] b = VectorGemmTest.random(rng, k * n);
    long id = Thread.currentThread().threadId();
    long used = -1;
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (used != 0 && System.nanoTime() < deadline) {
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < 50; i++) {
        for (int s = 0; s < rows.length; s++) {
          PackedGemm.block(shapes[s], as[s], 0, b, 0, 1f, cs[s], 0, 0, rows[s], 0, n);
        }
      }
      used = threads.getThreadAllocatedBytes(id) - before;
    }
    System.out.println(KernelProvider.get().name() + " " + used);
  }
}
