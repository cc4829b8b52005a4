package bnlab.nn;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;

/**
 * Batch Normalization over (N, C, D, H, W) input, PyTorch's {@code nn.BatchNorm3d} (Ioffe &amp;
 * Szegedy 2015): per channel, statistics over the m = N·D·H·W values of the batch.
 *
 * <p>Training: x̂ = (x − μ)/√(σ² + eps) with the batch mean μ and <em>biased</em> variance σ²; y =
 * γ·x̂ + β; running_mean ← (1 − momentum)·running_mean + momentum·μ and running_var ← (1 −
 * momentum)·running_var + momentum·σ²·m/(m − 1) (unbiased); num_batches_tracked += 1; momentum =
 * null gives the cumulative average (factor 1/num_batches_tracked). Eval: the running statistics
 * replace μ and σ². trackRunningStats = false: no buffers, batch statistics in both modes. Defaults
 * eps 1e-5, momentum 0.1 (PyTorch convention, = 1 − Keras momentum), affine and tracking on; state
 * names weight, bias, running_mean, running_var, num_batches_tracked. Errors and numerics as {@link
 * BatchNorm1d}.
 */
public final class BatchNorm3d extends Module {
  private final BatchNormCore core;

  /** BatchNorm3d(numFeatures) with eps 1e-5, momentum 0.1, affine, tracking running statistics. */
  public BatchNorm3d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, true);
  }

  /**
   * BatchNorm3d with PyTorch's options.
   *
   * @param numFeatures C, the number of channels (dim 1 of the input)
   * @param eps added to the variance for numerical stability (PyTorch 1e-5, Keras 1e-3)
   * @param momentum weight of the new batch statistic in the running averages (0.1); {@code null}
   *     for the cumulative moving average with factor 1/num_batches_tracked
   * @param affine whether to learn γ ({@code weight}) and β ({@code bias})
   * @param trackRunningStats whether to keep running_mean, running_var and num_batches_tracked and
   *     use them in eval mode; if false, batch statistics are used in both modes
   */
  public BatchNorm3d(
      int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    core =
        new BatchNormCore(
            this, "BatchNorm3d", numFeatures, eps, momentum, affine, trackRunningStats);
  }

  /** x (N, C, D, H, W) -&gt; y of the same shape. */
  @Override
  public Tensor forward(Tensor x) {
    return core.forward(x, 5, 5);
  }

  @Override
  public Tensor backward(Tensor dY) {
    return core.backward(dY);
  }

  @Override
  protected void initParameters(Rng rng) {
    core.reset();
  }

  /** Number of channels C. */
  public int numFeatures() {
    return core.numFeatures();
  }

  /** The eps added to the variance. */
  public double eps() {
    return core.eps();
  }

  /** PyTorch momentum (weight of the new statistic), or null for the cumulative average. */
  public Double momentum() {
    return core.momentum();
  }

  /** Whether γ and β exist. */
  public boolean affine() {
    return core.affine();
  }

  /** Whether running statistics are kept. */
  public boolean trackRunningStats() {
    return core.trackRunningStats();
  }

  @Override
  public String toString() {
    return core.describe();
  }
}
