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

  /** The vector provider; {@code -Dbnlab.conv=im2col} turns the direct convolution off. */
  static KernelProvider create() {
    String conv = System.getProperty("bnlab.conv", "auto").trim();
    if (!conv.equals("auto") && !conv.equals("im2col")) {
      throw new IllegalArgumentException("-Dbnlab.conv must be auto or im2col, got '" + conv + "'");
    }
    return new VectorProvider(conv.equals("auto"));
  }

  /** The Vector API kernels. */
  static final class VectorProvider extends KernelProvider {
    private final String name = "vector-" + VectorGemm.S.vectorBitSize() + "bit";
    private final GemmKernels gemm = new VectorGemm();
    private final ConvKernels conv;
    private final PoolActivationKernels poolActivation = new VectorPoolActivation();
    private final OptimKernels optim = new VectorOptim();
    private final NormKernels norm = new VectorNormKernels();

    VectorProvider(boolean directConv) {
      conv = new VectorConv(gemm, name, directConv);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public GemmKernels gemm() {
      return gemm;
    }

    @Override
    public ConvKernels conv() {
      return conv;
    }

    @Override
    public PoolActivationKernels poolActivation() {
      return poolActivation;
    }

    @Override
    public OptimKernels optim() {
      return optim;
    }

    @Override
    public NormKernels norm() {
      return norm;
    }
  }
}
