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

  static KernelProvider create() {
    return new VectorProvider();
  }

  /** The Vector API kernels. */
  static final class VectorProvider extends KernelProvider {
    private final Kernels kernels = new VectorKernels();
    private final NormKernels norm = new VectorNormKernels();

    @Override
    public String name() {
      return kernels.name();
    }

    @Override
    public Kernels kernels() {
      return kernels;
    }

    @Override
    public NormKernels norm() {
      return norm;
    }
  }
}
