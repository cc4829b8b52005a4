package bnlab.kernel;

/**
 * The BatchNorm kernels the layers call: {@link VectorBatchNorm} when the vector kernels are active
 * (see {@link Kernels}), else the scalar {@link BatchNormKernel}. Same signatures and semantics as
 * {@link BatchNormKernel}, whose Javadoc gives the formulas.
 */
public final class BatchNormOps {
  private BatchNormOps() {}

  /** See {@link BatchNormKernel#meanVar}. */
  public static void meanVar(float[] x, int n, int c, int s, double[] mean, double[] var) {
    if (KernelProvider.vector()) {
      VectorBatchNorm.meanVar(x, n, c, s, mean, var);
    } else {
      BatchNormKernel.meanVar(x, n, c, s, mean, var);
    }
  }

  /** See {@link BatchNormKernel#invStd}. */
  public static void invStd(double[] var, double eps, int c, double[] invstd) {
    if (KernelProvider.vector()) {
      VectorBatchNorm.invStd(var, eps, c, invstd);
    } else {
      BatchNormKernel.invStd(var, eps, c, invstd);
    }
  }

  /** See {@link BatchNormKernel#normalize}. */
  public static void normalize(
      float[] x,
      int n,
      int c,
      int s,
      double[] mean,
      double[] invstd,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat) {
    if (KernelProvider.vector()) {
      VectorBatchNorm.normalize(x, n, c, s, mean, invstd, gamma, beta, y, xhat);
    } else {
      BatchNormKernel.normalize(x, n, c, s, mean, invstd, gamma, beta, y, xhat);
    }
  }

  /**
   * Batch statistics, invstd and the normalization in one call: the same values as {@link
   * #meanVar}, {@link #invStd} and {@link #normalize} in turn; the vector kernels do it channel by
   * channel, reading each channel from memory once.
   */
  public static void meanVarNormalize(
      float[] x,
      int n,
      int c,
      int s,
      double eps,
      double[] mean,
      double[] var,
      double[] invstd,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat) {
    if (KernelProvider.vector()) {
      VectorBatchNorm.meanVarNormalize(x, n, c, s, eps, mean, var, invstd, gamma, beta, y, xhat);
    } else {
      BatchNormKernel.meanVar(x, n, c, s, mean, var);
      BatchNormKernel.invStd(var, eps, c, invstd);
      BatchNormKernel.normalize(x, n, c, s, mean, invstd, gamma, beta, y, xhat);
    }
  }

  /** See {@link BatchNormKernel#updateRunning}. */
  public static void updateRunning(
      float[] runningMean,
      float[] runningVar,
      double[] mean,
      double[] var,
      int c,
      long m,
      double factor,
      boolean unbiased) {
    if (KernelProvider.vector()) {
      VectorBatchNorm.updateRunning(runningMean, runningVar, mean, var, c, m, factor, unbiased);
    } else {
      BatchNormKernel.updateRunning(runningMean, runningVar, mean, var, c, m, factor, unbiased);
    }
  }

  /**
   * Whether the backward kernels can recompute x̂ from the input ({@link #backwardTrainFromInput}),
   * so a training forward pass need not store it: the vector kernels, for rows of at least a
   * vector. Recomputing costs a few operations per element and saves writing (and later reading) a
   * tensor the size of the input, which is what BatchNorm's time goes to.
   */
  public static boolean recomputesXhat(int s) {
    return KernelProvider.vector() && s >= VectorSupport.lanes();
  }

  /**
   * {@link BatchNormKernel#backwardTrain} with x̂ computed from x and mean exactly as {@link
   * #normalize} computes it; only where {@link #recomputesXhat} holds.
   */
  public static void backwardTrainFromInput(
      float[] dy,
      float[] x,
      double[] mean,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    VectorBatchNorm.backwardTrain(dy, x, mean, n, c, s, invstd, gamma, dx, dGamma, dBeta);
  }

  /**
   * {@link BatchNormKernel#backwardFrozen} with x̂ from the input, as {@link
   * #backwardTrainFromInput}.
   */
  public static void backwardFrozenFromInput(
      float[] dy,
      float[] x,
      double[] mean,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    VectorBatchNorm.backwardFrozen(dy, x, mean, n, c, s, invstd, gamma, dx, dGamma, dBeta);
  }

  /** See {@link BatchNormKernel#backwardTrain}. */
  public static void backwardTrain(
      float[] dy,
      float[] xhat,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    if (KernelProvider.vector()) {
      VectorBatchNorm.backwardTrain(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);
    } else {
      BatchNormKernel.backwardTrain(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);
    }
  }

  /** See {@link BatchNormKernel#backwardFrozen}. */
  public static void backwardFrozen(
      float[] dy,
      float[] xhat,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    if (KernelProvider.vector()) {
      VectorBatchNorm.backwardFrozen(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);
    } else {
      BatchNormKernel.backwardFrozen(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);
    }
  }
}
