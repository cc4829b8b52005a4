package bnlab.kernel;

import java.lang.System.Logger.Level;

/**
 * Chooses the {@link Kernels} implementation once per process and logs the choice.
 *
 * <p>{@code -Dbnlab.kernels=auto} (default) takes the Vector API kernels when the {@code
 * jdk.incubator.vector} module is present and its preferred float species holds at least 8 lanes
 * (256-bit registers), else the scalar ones; {@code scalar} forces the scalar kernels and {@code
 * vector} demands the vector ones (an error if unavailable).
 */
final class KernelProvider {
  private static final Kernels ACTIVE = choose(System.getProperty("bnlab.kernels", "auto"));
  private static final boolean VECTOR = !(ACTIVE instanceof ScalarKernels);

  private KernelProvider() {}

  static Kernels active() {
    return ACTIVE;
  }

  /** Whether the Vector API twins (GEMM, BatchNorm, Adam) are in use. */
  static boolean vector() {
    return VECTOR;
  }

  static Kernels choose(String wanted) {
    String w = wanted.trim().toLowerCase(java.util.Locale.ROOT);
    Kernels k =
        switch (w) {
          case "scalar" -> new ScalarKernels();
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
          case "auto" -> vectorUnavailable() == null ? VectorSupport.create() : new ScalarKernels();
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
            w.equals("auto") && k instanceof ScalarKernels ? "; " + vectorUnavailable() : "");
    return k;
  }

  /** Null when the vector kernels can run, else the reason. */
  static String vectorUnavailable() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return "module jdk.incubator.vector is not present";
    }
    int lanes = VectorSupport.lanes();
    if (lanes < 8) {
      return "the preferred vector species holds only " + lanes + " floats";
    }
    return null;
  }
}
