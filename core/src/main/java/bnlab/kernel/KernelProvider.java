package bnlab.kernel;

import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * The kernels of this process, chosen once at start-up and logged, in the manner of Lucene's {@code
 * VectorizationProvider}: one object hands out one implementation per concern (GEMM, convolution
 * plans, pooling and activations, optimizer steps, normalization), and call sites never ask whether
 * they run vectorized. Layers take their concern once, e.g. {@code static final ConvKernels CONV =
 * KernelProvider.get().conv()}.
 *
 * <p>{@code -Dbnlab.kernels=auto} (default) takes the Vector API implementations when the {@code
 * jdk.incubator.vector} module is present and vectors hold at least 4 floats (128 bits), else the
 * scalar ones; {@code scalar} forces the scalar kernels and {@code vector} demands the vector ones
 * (an error if unavailable). Every vector kernel has a scalar twin that tests compare it with.
 */
public abstract class KernelProvider {
  private static final KernelProvider INSTANCE =
      choose(System.getProperty("bnlab.kernels", "auto"));

  KernelProvider() {}

  /** The provider of this process. */
  public static KernelProvider get() {
    return INSTANCE;
  }

  /**
   * A short name for logs and run records: {@code "scalar"} or the vector variant, e.g. {@code
   * "vector-256bit, 16 registers, tile 6x2, packed 4x2, direct 4x2"} (see {@code VectorWidth}).
   */
  public abstract String name();

  /** Dense matrix products. */
  public abstract GemmKernels gemm();

  /** Convolution plans. */
  public abstract ConvKernels conv();

  /** ReLU and 2×2 max pooling. */
  public abstract PoolActivationKernels poolActivation();

  /** SGD and Adam/AdamW steps. */
  public abstract OptimKernels optim();

  /** The normalization kernels (BatchNorm and its family). */
  public abstract NormKernels norm();

  static KernelProvider choose(String wanted) {
    String w = wanted.trim().toLowerCase(Locale.ROOT);
    KernelProvider k =
        switch (w) {
          case "scalar" -> new ScalarProvider();
          case "vector" -> {
            String why = vectorUnavailable();
            if (why != null) {
              throw new IllegalStateException(
                  "-Dbnlab.kernels=vector but "
                      + why
                      + "; run with --add-modules jdk.incubator.vector"
                      + " or -Dbnlab.kernels=scalar");
            }
            yield VectorSupport.create();
          }
          case "auto" ->
              vectorUnavailable() == null ? VectorSupport.create() : new ScalarProvider();
          default ->
              throw new IllegalArgumentException(
                  "-Dbnlab.kernels must be auto, vector or scalar, got '" + wanted + "'");
        };
    System.getLogger("bnlab.kernel")
        .log(
            Level.INFO,
            "bnlab kernels: {0} ({1} threads{2})",
            k.name(),
            Parallel.threads(),
            w.equals("auto") && k instanceof ScalarProvider ? "; " + vectorUnavailable() : "");
    return k;
  }

  /** Null when the vector kernels can run, else the reason. */
  static String vectorUnavailable() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return "module jdk.incubator.vector is not present";
    }
    int bits = VectorSupport.bits(); // refuses a width the CPU lacks
    if (bits < 128) {
      return "the preferred vector species holds only " + bits / 32 + " floats";
    }
    return null;
  }

  /** The scalar kernels: the reference every vector kernel is tested against. */
  static final class ScalarProvider extends KernelProvider {
    private final GemmKernels gemm = new ScalarGemm();
    private final ConvKernels conv = new ScalarConv();
    private final PoolActivationKernels poolActivation = new ScalarPoolActivation();
    private final OptimKernels optim = new ScalarOptim();
    private final NormKernels norm = new ScalarNormKernels();

    @Override
    public String name() {
      return "scalar";
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
