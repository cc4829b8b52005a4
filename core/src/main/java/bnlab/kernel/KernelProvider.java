package bnlab.kernel;

/** Chooses the {@link Kernels} implementation once per process. */
final class KernelProvider {
  private static final Kernels ACTIVE = new ScalarKernels();

  private KernelProvider() {}

  static Kernels active() {
    return ACTIVE;
  }
}
