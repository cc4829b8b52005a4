package bnlab.kernel;

/**
 * The normalization kernels over a flat (N, C, S) view: element (i, j, k) of channel j sits at
 * {@code (i*c + j)*s + k}. {@link ScalarNormKernels} holds the naive formulas (see {@link
 * BatchNormKernel}); the Vector API twin computes the same values to float rounding.
 *
 * <p>{@code gamma}/{@code beta} may be null (γ = 1, β = 0); gradient outputs that are null are
 * skipped, the others are accumulated into ({@code +=}).
 */
public interface NormKernels {
  /** Per-channel batch mean and biased variance (÷m, m = n·s), in double. */
  void meanVar(float[] x, int n, int c, int s, double[] mean, double[] var);

  /** invstd[j] = 1/sqrt(var[j] + eps). */
  void invStd(double[] var, double eps, int c, double[] invstd);

  /** x̂ = (x − mean)·invstd, y = γ·x̂ + β; stores x̂ if {@code xhat} is not null. */
  void normalize(
      float[] x,
      int n,
      int c,
      int s,
      double[] mean,
      double[] invstd,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat);

  /**
   * {@link #meanVar}, {@link #invStd} and {@link #normalize} in one call, with the same values;
   * implementations may do it channel by channel, reading each channel from memory once.
   */
  void meanVarNormalize(
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
      float[] xhat);

  /**
   * running_mean ← (1−f)·running_mean + f·μ, running_var ← (1−f)·running_var + f·v with v =
   * σ²·m/(m−1) (unbiased) or σ² (biased).
   */
  void updateRunning(
      float[] runningMean,
      float[] runningVar,
      double[] mean,
      double[] var,
      int c,
      long m,
      double factor,
      boolean unbiased);

  /**
   * Whether the backward kernels can recompute x̂ from the input ({@link #backwardTrainFromInput}),
   * so a training forward pass need not store it.
   */
  boolean recomputesXhat(int s);

  /** Training backward with x̂ recomputed from x as {@link #normalize} computes it. */
  void backwardTrainFromInput(
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
      float[] dBeta);

  /** Constant-statistics backward with x̂ recomputed from x. */
  void backwardFrozenFromInput(
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
      float[] dBeta);

  /** Training-mode backward through the batch statistics (see {@link BatchNormKernel}). */
  void backwardTrain(
      float[] dy,
      float[] xhat,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta);

  /** Backward with constant statistics: dx = dy·γ·invstd, dγ += Σ dy·x̂, dβ += Σ dy. */
  void backwardFrozen(
      float[] dy,
      float[] xhat,
      int n,
      int c,
      int s,
      double[] invstd,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta);
}
