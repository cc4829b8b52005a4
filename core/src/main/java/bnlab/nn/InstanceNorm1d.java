package bnlab.nn;

import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * Instance Normalization over (N, C, L) input, PyTorch's {@code nn.InstanceNorm1d} (Ulyanov,
 * Vedaldi &amp; Lempitsky 2016): every (sample, channel) plane is normalized with its own mean and
 * biased variance over its S spatial values, x̂ = (x − μ_{n,c})/√(σ²_{n,c} + eps), y = γ_c·x̂ +
 * β_c. It equals {@link GroupNorm} with numGroups = C.
 *
 * <p>Defaults as PyTorch: eps 1e-5, momentum 0.1, <em>affine false, trackRunningStats false</em>,
 * so by default train and eval mode compute the same thing. With trackRunningStats, training also
 * updates running_mean/running_var with the batch average of the instance means and unbiased
 * variances, and eval mode normalizes with them instead (as BatchNorm's eval). Training needs more
 * than one spatial value per plane. Only batched input is accepted (PyTorch also takes unbatched).
 */
public final class InstanceNorm1d extends NormBase {
  /** InstanceNorm1d(numFeatures): eps 1e-5, momentum 0.1, no affine, no running statistics. */
  public InstanceNorm1d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, false, false);
  }

  /**
   * InstanceNorm1d with PyTorch's options.
   *
   * @param numFeatures C, the channels at dim 1
   * @param eps added to the variance (1e-5)
   * @param momentum running-average factor (0.1), or null for the cumulative average
   * @param affine whether to learn per-channel γ ({@code weight}) and β ({@code bias}) (false)
   * @param trackRunningStats whether to keep running statistics and use them in eval mode (false)
   */
  public InstanceNorm1d(
      int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    super(
        Norms.instanceConfig(
            "InstanceNorm1d", numFeatures, eps, momentum, affine, trackRunningStats),
        Statistics.perSample(numFeatures));
  }

  /** x (N, C, L) -&gt; y of the same shape. */
  @Override
  public Tensor forward(Tensor x) {
    int c = core.config().shape()[0];
    if (x.rank() != 3 || x.dim(1) != c) {
      throw new IllegalArgumentException(
          core.name() + ": expected 3D input (N, " + c + ", L), got " + Shape.str(x.shape()));
    }
    int s = x.size() / Math.max(1, x.dim(0) * c);
    if (isTraining() && s <= 1) {
      throw new IllegalArgumentException(
          core.name()
              + ": expected more than 1 spatial element when training, got input of shape "
              + Shape.str(x.shape()));
    }
    return normalize(x, x.dim(0), s);
  }

  /** Added to the variance. */
  public double eps() {
    return core.config().eps();
  }

  /** Running-average factor, or null for the cumulative average. */
  public Double momentum() {
    return core.config().momentum();
  }

  @Override
  public String toString() {
    return core.name();
  }
}
