package bnlab.kernel;

/** The naive normalization kernels of {@link BatchNormKernel}, as a {@link NormKernels}. */
final class ScalarNormKernels implements NormKernels {
  @Override
  public void meanVar(float[] x, int n, int c, int s, double[] mean, double[] var) {
    BatchNormKernel.meanVar(x, n, c, s, mean, var);
  }

  @Override
  public void invStd(double[] var, double eps, int c, double[] invstd) {
    BatchNormKernel.invStd(var, eps, c, invstd);
  }

  @Override
  public void normalize(
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
    BatchNormKernel.normalize(x, n, c, s, mean, invstd, gamma, beta, y, xhat);
  }

  @Override
  public void meanVarNormalize(
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
    BatchNormKernel.meanVar(x, n, c, s, mean, var);
    BatchNormKernel.invStd(var, eps, c, invstd);
    BatchNormKernel.normalize(x, n, c, s, mean, invstd, gamma, beta, y, xhat);
  }

  @Override
  public void updateRunning(
      float[] runningMean,
      float[] runningVar,
      double[] mean,
      double[] var,
      int c,
      long m,
      double factor,
      boolean unbiased) {
    BatchNormKernel.updateRunning(runningMean, runningVar, mean, var, c, m, factor, unbiased);
  }

  @Override
  public boolean recomputesXhat(int s) {
    return false;
  }

  @Override
  public void backwardTrainFromInput(
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
    throw new UnsupportedOperationException("the scalar kernels store x̂ (recomputesXhat false)");
  }

  @Override
  public void backwardFrozenFromInput(
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
    throw new UnsupportedOperationException("the scalar kernels store x̂ (recomputesXhat false)");
  }

  @Override
  public void backwardTrain(
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
    BatchNormKernel.backwardTrain(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);
  }

  @Override
  public void backwardFrozen(
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
    BatchNormKernel.backwardFrozen(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);
  }
}
