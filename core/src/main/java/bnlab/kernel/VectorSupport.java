package bnlab.kernel;

/**
 * The only class the provider touches before knowing the Vector API module is present: its methods
 * load vector classes lazily, so the scalar path never links against {@code jdk.incubator.vector}.
 */
final class VectorSupport {
  private VectorSupport() {}

  static int lanes() {
    return VectorWidth.L;
  }

  /**
   * The vector width the kernels use, in bits: {@code -Dbnlab.vectorBits=128|256|512}, default the
   * preferred width of the JVM on this CPU (its widest). A width the CPU lacks is refused.
   */
  static int bits() {
    return bits(
        System.getProperty("bnlab.vectorBits", ""),
        jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
  }

  /** {@code wanted} ("" for the default) checked against the widest species, {@code max} bits. */
  static int bits(String wanted, int max) {
    String w = wanted.trim();
    if (w.isEmpty()) {
      return max;
    }
    int bits =
        switch (w) {
          case "128" -> 128;
          case "256" -> 256;
          case "512" -> 512;
          default ->
              throw new IllegalArgumentException(
                  "-Dbnlab.vectorBits must be 128, 256 or 512, got '" + wanted + "'");
        };
    if (bits > max) {
      throw new IllegalArgumentException(
          "-Dbnlab.vectorBits="
              + bits
              + " is wider than this CPU's (and JVM flags') maximum of "
              + max
              + " bits");
    }
    return bits;
  }

  /**
   * The vector registers a kernel's tile may count on: 32 with AVX-512 (the JVM uses zmm16–31 only
   * when UseAVX is 3, which is also what makes its preferred width 512 bits on x86) and on AArch64
   * (NEON and SVE have 32), 16 otherwise (AVX2, SSE). {@code -Dbnlab.vectorRegisters=N} overrides
   * it, to run a tile on a machine it was not chosen for.
   */
  static int registers() {
    String forced = System.getProperty("bnlab.vectorRegisters", "").trim();
    if (!forced.isEmpty()) {
      return registers(forced);
    }
    if (System.getProperty("os.arch", "").equals("aarch64")) {
      return 32;
    }
    return useAvx() >= 3 ? 32 : 16;
  }

  /** A forced register count, 8 to 64. */
  static int registers(String forced) {
    int n;
    try {
      n = Integer.parseInt(forced.trim());
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n < 8 || n > 64) {
      throw new IllegalArgumentException(
          "-Dbnlab.vectorRegisters must be a number from 8 to 64, got '" + forced + "'");
    }
    return n;
  }

  /**
   * The JVM's UseAVX level (3 = AVX-512), which -XX:MaxVectorSize does not change; when the flag
   * cannot be read, whether the preferred species is 512 bits wide.
   */
  private static int useAvx() {
    try {
      var bean =
          java.lang.management.ManagementFactory.getPlatformMXBean(
              com.sun.management.HotSpotDiagnosticMXBean.class);
      return Integer.parseInt(bean.getVMOption("UseAVX").getValue());
    } catch (RuntimeException | LinkageError e) {
      return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 ? 3 : 2;
    }
  }

  /**
   * The vector provider; {@code -Dbnlab.conv=auto|im2col|winograd|winograd4|no-winograd} chooses
   * the convolution strategies ({@link VectorConv.Mode}).
   */
  static KernelProvider create() {
    bits(); // a width the CPU lacks is refused here, in one line
    registers();
    return new VectorProvider(VectorConv.Mode.parse(System.getProperty("bnlab.conv", "auto")));
  }

  /** The Vector API kernels. */
  static final class VectorProvider extends KernelProvider {
    private final String name = VectorWidth.name();
    private final GemmKernels gemm = new VectorGemm();
    private final ConvKernels conv;
    private final PoolActivationKernels poolActivation = new VectorPoolActivation();
    private final OptimKernels optim = new VectorOptim();
    private final NormKernels norm = new VectorNormKernels();

    VectorProvider(VectorConv.Mode convMode) {
      conv = new VectorConv(gemm, name, convMode);
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
