package bnlab.runtime;

import bnlab.kernel.KernelProvider;
import bnlab.kernel.Parallel;

/**
 * The public face of the compute runtime: which kernels this process runs and on how many threads.
 * The kernels themselves are internal ({@code bnlab.kernel}); applications and the lab use this
 * class instead.
 *
 * <p>The kernels are chosen once per process ({@code -Dbnlab.kernels=auto|vector|scalar}); the
 * thread count starts at {@code -Dbnlab.threads} or the number of available processors and can be
 * changed between steps with {@link #setThreads}. Results are bit-identical for any thread count.
 */
public final class Compute {
  private Compute() {}

  /** Kernel threads (the calling thread included). */
  public static int threads() {
    return Parallel.threads();
  }

  /** Sets the number of kernel threads (at least 1); not for hot paths (it replaces the pool). */
  public static void setThreads(int n) {
    Parallel.setThreads(n);
  }

  /**
   * The kernel implementation's name, e.g. {@code "scalar"} or {@code "vector-256bit, 16 registers,
   * tile 6x2, packed 4x2, direct 4x2"} (width, vector registers, the GEMM's register tiles:
   * unpacked and on packed panels, and the direct convolution's).
   */
  public static String kernels() {
    return KernelProvider.get().name();
  }

  /** The vector register width the kernels use in bits, or 0 for the scalar kernels. */
  public static int vectorBits() {
    String k = kernels();
    return k.startsWith("vector-") ? Integer.parseInt(k.substring(7, k.indexOf("bit"))) : 0;
  }

  /** The processors available to this JVM. */
  public static int availableProcessors() {
    return Runtime.getRuntime().availableProcessors();
  }
}
