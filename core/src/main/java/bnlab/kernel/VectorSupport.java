package bnlab.kernel;

/**
 * The only class the provider touches before knowing the Vector API module is present: its methods
 * load vector classes lazily, so the scalar path never links against {@code jdk.incubator.vector}.
 */
final class VectorSupport {
  private VectorSupport() {}

  static int lanes() {
    return VectorGemm.L;
  }

  static Kernels create() {
    return new VectorKernels();
  }
}
