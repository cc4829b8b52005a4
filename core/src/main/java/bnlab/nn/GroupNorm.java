package bnlab.nn;

import bnlab.kernel.GroupNormKernel;
import bnlab.tensor.Rng;
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
public final class GroupNorm extends Module {
  private final String repr;
  private final int numGroups;
  private final int numChannels;
  private final double eps;
  private final Parameter weight;
  private final Parameter bias;
  private double[] mean = new double[0];
  private double[] invstd = new double[0];
  private Tensor out;
  private Tensor xhat;
  private Tensor dX;
  private int n;
  private int s;
  private boolean ready;

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
    repr =
        String.format(
            "GroupNorm(%d, %d, eps=%s, affine=%s)",
            numGroups, numChannels, Norms.pythonFloat(eps), affine ? "True" : "False");
    if (numGroups <= 0 || numChannels <= 0 || numChannels % numGroups != 0) {
      throw new IllegalArgumentException(
          repr
              + ": numChannels must be a positive multiple of numGroups (choose numGroups among"
              + " the divisors of "
              + numChannels
              + ")");
    }
    Norms.checkEps(repr, eps);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = eps;
    this.weight = affine ? Norms.parameter(this, "weight", numChannels) : null;
    this.bias = affine ? Norms.parameter(this, "bias", numChannels) : null;
    initParameters(null);
  }

  @Override
  protected void initParameters(Rng rng) {
    if (weight != null) {
      weight.data().fill(1f);
      bias.data().fill(0f);
    }
  }

  /** x (N, C, *) -&gt; y of the same shape. */
  @Override
  public Tensor forward(Tensor x) {
    ready = false;
    if (x.rank() < 2 || x.dim(1) != numChannels) {
      throw new IllegalArgumentException(
          repr + ": expected input (N, " + numChannels + ", *), got " + Shape.str(x.shape()));
    }
    n = x.dim(0);
    s = x.size() / Math.max(1, n * numChannels);
    if (mean.length < n * numGroups) {
      mean = new double[n * numGroups];
      invstd = new double[n * numGroups];
    }
    out = Tensor.ensureLike(out, x);
    xhat = Tensor.ensureLike(xhat, x);
    GroupNormKernel.stats(x.data(), n, numChannels, s, numGroups, eps, mean, invstd, null);
    GroupNormKernel.normalize(
        x.data(),
        n,
        numChannels,
        s,
        numGroups,
        mean,
        invstd,
        Norms.data(weight),
        Norms.data(bias),
        out.data(),
        xhat.data());
    ready = true;
    return out;
  }

  @Override
  public Tensor backward(Tensor dY) {
    Norms.checkBackward(repr, ready, out, dY);
    dX = Tensor.ensureLike(dX, dY);
    GroupNormKernel.backward(
        dY.data(),
        xhat.data(),
        n,
        numChannels,
        s,
        numGroups,
        invstd,
        Norms.data(weight),
        dX.data(),
        Norms.grad(weight),
        Norms.grad(bias));
    return dX;
  }

  /** Number of groups G. */
  public int numGroups() {
    return numGroups;
  }

  /** Number of channels C. */
  public int numChannels() {
    return numChannels;
  }

  /** The eps added to the variance. */
  public double eps() {
    return eps;
  }

  /** Whether γ and β exist. */
  public boolean affine() {
    return weight != null;
  }

  @Override
  public String toString() {
    return repr;
  }
}
