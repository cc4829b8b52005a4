package bnlab.nn;

import bnlab.kernel.NormLayout;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * Ghost Batch Normalization (Hoffer, Hubara &amp; Soudry 2017, "Train longer, generalize better"):
 * in training, the batch of N samples is split into V = N / virtualBatchSize consecutive virtual
 * batches, and each is batch-normalized with its own statistics (x̂ = (x − μ_b)/√(σ²_b + eps), y =
 * γ·x̂ + β, per channel, over virtualBatchSize·S values). This keeps BN's regularizing noise of a
 * small batch while the step uses a large one. Input (N, C, *) of rank 2 to 5, output the same
 * shape.
 *
 * <p>virtualBatchSize must divide N in training (an error otherwise). Running statistics are
 * updated once per step, as Keras's {@code BatchNormalization(virtual_batch_size=...)} does, with
 * the mean over the virtual batches of their means and of their unbiased variances (PyTorch's
 * convention, so virtualBatchSize = N is exactly {@link BatchNorm2d}): running ← (1 − momentum)·
 * running + momentum·mean_b(stat_b). Eval mode is BatchNorm's eval (running statistics, any N).
 * Defaults eps 1e-5, momentum 0.1 (PyTorch convention), affine; state names as BatchNorm2d (weight,
 * bias, running_mean, running_var, num_batches_tracked).
 */
public final class GhostBatchNorm extends NormBase {
  private final int virtualBatchSize;

  /** GhostBatchNorm with eps 1e-5, momentum 0.1 and a learnable affine transform. */
  public GhostBatchNorm(int numFeatures, int virtualBatchSize) {
    this(numFeatures, virtualBatchSize, 1e-5, 0.1, true);
  }

  /**
   * GhostBatchNorm with all options.
   *
   * @param numFeatures C, the channels at dim 1
   * @param virtualBatchSize samples per virtual batch; must divide the training batch size
   * @param eps added to the variance (1e-5)
   * @param momentum weight of the new statistic in the running averages (0.1), or null for the
   *     cumulative average
   * @param affine whether to learn γ ({@code weight}) and β ({@code bias})
   */
  public GhostBatchNorm(
      int numFeatures, int virtualBatchSize, double eps, Double momentum, boolean affine) {
    super(
        Norms.runningConfig(
            String.format(
                "GhostBatchNorm(%d, virtual_batch_size=%d, eps=%s, momentum=%s, affine=%s)",
                numFeatures,
                virtualBatchSize,
                Norms.pythonFloat(eps),
                momentum == null ? "None" : Norms.pythonFloat(momentum),
                affine ? "True" : "False"),
            numFeatures,
            eps,
            momentum,
            affine),
        virtualBatches(virtualBatchSize));
    if (virtualBatchSize <= 0) {
      throw new IllegalArgumentException(core.name() + ": virtualBatchSize must be positive");
    }
    this.virtualBatchSize = virtualBatchSize;
  }

  /** The virtual batches of {@code size} consecutive samples, checked against the batch. */
  private static Statistics virtualBatches(int size) {
    return (core, n, c, s) -> {
      if (n % size != 0) {
        throw new IllegalArgumentException(
            core.name()
                + ": the batch size "
                + n
                + " is not a multiple of virtualBatchSize (input "
                + Shape.str(core.input().shape())
                + "); choose a batch size divisible by "
                + size
                + " or drop the last incomplete batch");
      }
      if ((long) size * s <= 1) {
        throw new IllegalArgumentException(
            core.name()
                + ": expected more than 1 value per channel in each virtual batch when training");
      }
      return NormLayout.virtualBatches(n, c, s, size);
    };
  }

  /** x (N, C, *) -&gt; y of the same shape. */
  @Override
  public Tensor forward(Tensor x) {
    Norms.checkChannelsFirst(core.name(), x, numFeatures());
    return normalize(x, x.dim(0), x.size() / Math.max(1, x.dim(0) * numFeatures()));
  }

  /** Samples per virtual batch. */
  public int virtualBatchSize() {
    return virtualBatchSize;
  }

  /** Number of channels C. */
  public int numFeatures() {
    return core.config().shape()[0];
  }

  /** Added to the variance. */
  public double eps() {
    return core.config().eps();
  }

  /** Weight of the new statistic in the running averages, or null for the cumulative average. */
  public Double momentum() {
    return core.config().momentum();
  }

  @Override
  public String toString() {
    return core.name();
  }
}
