package bnlab.kernel;

/** The Vector API normalization kernels of {@link VectorBatchNorm}, as a {@link NormKernels}. */
final class VectorNormKernels implements NormKernels {
  @Override
  public void meanVar(float[] x, int n, int c, int s, double[] mean, double[] var) {
    VectorBatchNorm.meanVar(x, n, c, s, mean, var);
  }

  @Override
  public void invStd(double[] var, double eps, int c, double[] invstd) {
    VectorBatchNorm.invStd(var, eps, c, invstd);
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
    VectorBatchNorm.normalize(x, n, c, s, mean, invstd, gamma, beta, y, xhat);
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
    VectorBatchNorm.meanVarNormalize(x, n, c, s, eps, mean, var, invstd, gamma, beta, y, xhat);
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
    VectorBatchNorm.updateRunning(runningMean, runningVar, mean, var, c, m, factor, unbiased);
  }

  @Override
  public boolean recomputesXhat(int s) {
    return s >= VectorGemm.L;
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
    VectorBatchNorm.backwardTrain(dy, x, mean, n, c, s, invstd, gamma, dx, dGamma, dBeta);
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
    VectorBatchNorm.backwardFrozen(dy, x, mean, n, c, s, invstd, gamma, dx, dGamma, dBeta);
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
    VectorBatchNorm.backwardTrain(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);
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
    VectorBatchNorm.backwardFrozen(dy, xhat, n, c, s, invstd, gamma, dx, dGamma, dBeta);
  }
}
