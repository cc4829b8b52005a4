package bnlab.nn;

import bnlab.kernel.GroupNormKernel;
import bnlab.tensor.Rng;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;
import java.util.Arrays;

/**
 * Layer Normalization, PyTorch's {@code nn.LayerNorm} (Ba, Kiros &amp; Hinton 2016): each sample is
 * normalized over its trailing dimensions equal to {@code normalizedShape} (M values):
 *
 * <pre>
 * x̂ = (x − μ) / √(σ² + eps)   (μ, biased σ² over the M trailing values)
 * y = γ ⊙ x̂ + β               (elementwise, γ and β of shape normalizedShape)
 * </pre>
 *
 * <p>Shapes: x (*, normalizedShape) → y of the same shape; weight and bias have shape
 * normalizedShape. Same in train and eval mode. Defaults eps 1e-5, elementwiseAffine true (γ = 1, β
 * = 0). For CNN features (N, C, H, W), {@code new LayerNorm(C, H, W)} normalizes each image.
 */
public final class LayerNorm extends Module {
  private final String repr;
  private final int[] normalizedShape;
  private final int m;
  private final double eps;
  private final Parameter weight;
  private final Parameter bias;
  private double[] mean = new double[0];
  private double[] invstd = new double[0];
  private Tensor out;
  private Tensor xhat;
  private Tensor dX;
  private int rows;
  private boolean ready;

  /** LayerNorm over the trailing dims {@code normalizedShape}, eps 1e-5, elementwise affine. */
  public LayerNorm(int... normalizedShape) {
    this(normalizedShape, 1e-5, true);
  }

  /**
   * LayerNorm with PyTorch's options.
   *
   * @param normalizedShape the trailing dimensions normalized together (at least one, positive)
   * @param eps added to the variance (1e-5)
   * @param elementwiseAffine whether to learn γ ({@code weight}) and β ({@code bias}) of shape
   *     normalizedShape
   */
  public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
    this.normalizedShape = normalizedShape.clone();
    repr =
        String.format(
            "LayerNorm(%s, eps=%s, elementwise_affine=%s)",
            Shape.str(normalizedShape),
            Norms.pythonFloat(eps),
            elementwiseAffine ? "True" : "False");
    if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d <= 0)) {
      throw new IllegalArgumentException(
          repr + ": normalizedShape must have at least one dimension, all positive");
    }
    Norms.checkEps(repr, eps);
    this.m = Shape.size(normalizedShape);
    this.eps = eps;
    this.weight = elementwiseAffine ? Norms.parameter(this, "weight", normalizedShape) : null;
    this.bias = elementwiseAffine ? Norms.parameter(this, "bias", normalizedShape) : null;
    initParameters(null);
  }

  @Override
  protected void initParameters(Rng rng) {
    if (weight != null) {
      weight.data().fill(1f);
      bias.data().fill(0f);
    }
  }

  /** x (*, normalizedShape) -&gt; y of the same shape. */
  @Override
  public Tensor forward(Tensor x) {
    ready = false;
    checkTrailing(x);
    rows = x.size() / m;
    if (mean.length < rows) {
      mean = new double[rows];
      invstd = new double[rows];
    }
    out = Tensor.ensureLike(out, x);
    xhat = Tensor.ensureLike(xhat, x);
    // Each sample is one group of M "channels" with S = 1, so γ, β index the M elements.
    GroupNormKernel.stats(x.data(), rows, m, 1, 1, eps, mean, invstd, null);
    GroupNormKernel.normalize(
        x.data(),
        rows,
        m,
        1,
        1,
        mean,
        invstd,
        Norms.data(weight),
        Norms.data(bias),
        out.data(),
        xhat.data());
    ready = true;
    return out;
  }

  private void checkTrailing(Tensor x) {
    int k = normalizedShape.length;
    boolean ok = x.rank() >= k;
    for (int d = 0; ok && d < k; d++) {
      ok = x.dim(x.rank() - k + d) == normalizedShape[d];
    }
    if (!ok) {
      throw new IllegalArgumentException(
          repr
              + ": expected input with trailing dimensions "
              + Shape.str(normalizedShape)
              + ", got "
              + Shape.str(x.shape()));
    }
  }

  @Override
  public Tensor backward(Tensor dY) {
    Norms.checkBackward(repr, ready, out, dY);
    dX = Tensor.ensureLike(dX, dY);
    GroupNormKernel.backward(
        dY.data(),
        xhat.data(),
        rows,
        m,
        1,
        1,
        invstd,
        Norms.data(weight),
        dX.data(),
        Norms.grad(weight),
        Norms.grad(bias));
    return dX;
  }

  /** The normalized trailing shape (a copy). */
  public int[] normalizedShape() {
    return normalizedShape.clone();
  }

  /** The eps added to the variance. */
  public double eps() {
    return eps;
  }

  /** Whether γ and β exist. */
  public boolean elementwiseAffine() {
    return weight != null;
  }

  @Override
  public String toString() {
    return repr;
  }
}
