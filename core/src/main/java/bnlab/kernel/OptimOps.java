package bnlab.kernel;

/**
 * The optimizer kernels the optimizers call: the Adam step of {@link VectorOptim} when the vector
 * kernels are active (bit-identical to the scalar loop), else {@link OptimKernels}.
 */
public final class OptimOps {
  private OptimOps() {}

  /** See {@link OptimKernels#adamStep}. */
  public static void adamStep(
      float[] p,
      float[] g,
      float[] m,
      float[] v,
      float[] vMax,
      int n,
      float decay,
      float l2,
      float oneMinusBeta1,
      float beta2,
      float oneMinusBeta2,
      float negStepSize,
      float bc2Sqrt,
      float eps) {
    if (KernelProvider.vector()) {
      VectorOptim.adamStep(
          p,
          g,
          m,
          v,
          vMax,
          n,
          decay,
          l2,
          oneMinusBeta1,
          beta2,
          oneMinusBeta2,
          negStepSize,
          bc2Sqrt,
          eps);
    } else {
      OptimKernels.adamStep(
          p,
          g,
          m,
          v,
          vMax,
          n,
          decay,
          l2,
          oneMinusBeta1,
          beta2,
          oneMinusBeta2,
          negStepSize,
          bc2Sqrt,
          eps);
    }
  }
}
