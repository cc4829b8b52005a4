package bnlab.nn;

import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * Group Normalization, PyTorch's {@code nn.GroupNorm} (Wu &amp; He 2018, "Group Normalization"):
 * the C channels are split into G = numGroups groups of C/G consecutive channels, and each sample's
 * group is normalized with its own statistics over its (C/G)·S values:
 *
 * <pre>
 * x̂ = (x − μ_{n,g}) / √(σ²_{n,g} + eps)   (biased variance)
 * y = γ_c·x̂ + β_c                          (per channel)
 * </pre>
 *
 * <p>Shapes: x (N, C, *) with C = numChannels → y of the same shape; weight and bias (C). Same
 * computation in train and eval mode (no running statistics), so it does not depend on the batch
 * size. numGroups = 1 is LayerNorm over (C, *) with per-channel affine; numGroups = C is
 * InstanceNorm. Defaults eps 1e-5, affine true (γ = 1, β = 0).
 */
public final class GroupNorm extends NormBase {
  private final int numGroups;

  /** GroupNorm with eps 1e-5 and a learnable per-channel affine transform. */
  public GroupNorm(int numGroups, int numChannels) {
    this(numGroups, numChannels, 1e-5, true);
  }

  /**
   * GroupNorm with PyTorch's options.
   *
   * @param numGroups G, must divide numChannels
   * @param numChannels C, the channels at dim 1 of the input
   * @param eps added to the variance (1e-5)
   * @param affine whether to learn per-channel γ ({@code weight}) and β ({@code bias})
   */
  public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
    super(config(numGroups, numChannels, eps, affine), Statistics.perSample(numGroups));
    this.numGroups = numGroups;
  }

  private static NormCore.Config config(int groups, int channels, double eps, boolean affine) {
    String repr =
        String.format(
            "GroupNorm(%d, %d, eps=%s, affine=%s)",
            groups, channels, Norms.pythonFloat(eps), affine ? "True" : "False");
    if (groups <= 0 || channels <= 0 || channels % groups != 0) {
      throw new IllegalArgumentException(
          repr
              + ": numChannels must be a positive multiple of numGroups (choose numGroups among"
              + " the divisors of "
              + channels
              + ")");
    }
    Norms.checkEps(repr, eps);
    return NormCore.Config.torch(repr, new int[] {channels}, eps, null, affine, false);
  }

  /** x (N, C, *) -&gt; y of the same shape. */
  @Override
  public Tensor forward(Tensor x) {
    if (x.rank() < 2 || x.dim(1) != numChannels()) {
      throw new IllegalArgumentException(
          core.name()
              + ": expected input (N, "
              + numChannels()
              + ", *), got "
              + Shape.str(x.shape()));
    }
    return normalize(x, x.dim(0), x.size() / Math.max(1, x.dim(0) * numChannels()));
  }

  /** Number of groups G. */
  public int numGroups() {
    return numGroups;
  }

  /** Number of channels C. */
  public int numChannels() {
    return core.config().shape()[0];
  }

  /** The eps added to the variance. */
  public double eps() {
    return core.config().eps();
  }

  /** Whether γ and β exist. */
  public boolean affine() {
    return core.config().scale();
  }

  @Override
  public String toString() {
    return core.name();
  }
}
