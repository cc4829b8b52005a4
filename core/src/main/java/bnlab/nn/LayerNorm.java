package bnlab.nn;

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
public final class LayerNorm extends NormBase {
  private final int[] normalizedShape;

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
    // Each row of M values is one group of M "channels" with S = 1, so γ, β index the M elements.
    super(config(normalizedShape.clone(), eps, elementwiseAffine), Statistics.perSample(1));
    this.normalizedShape = normalizedShape.clone();
  }

  private static NormCore.Config config(int[] shape, double eps, boolean affine) {
    String repr =
        String.format(
            "LayerNorm(%s, eps=%s, elementwise_affine=%s)",
            Shape.str(shape), Norms.pythonFloat(eps), affine ? "True" : "False");
    if (shape.length == 0 || Arrays.stream(shape).anyMatch(d -> d <= 0)) {
      throw new IllegalArgumentException(
          repr + ": normalizedShape must have at least one dimension, all positive");
    }
    Norms.checkEps(repr, eps);
    return NormCore.Config.torch(repr, shape, eps, null, affine, false);
  }

  /** x (*, normalizedShape) -&gt; y of the same shape. */
  @Override
  public Tensor forward(Tensor x) {
    int k = normalizedShape.length;
    boolean ok = x.rank() >= k;
    for (int d = 0; ok && d < k; d++) {
      ok = x.dim(x.rank() - k + d) == normalizedShape[d];
    }
    if (!ok) {
      throw new IllegalArgumentException(
          core.name()
              + ": expected input with trailing dimensions "
              + Shape.str(normalizedShape)
              + ", got "
              + Shape.str(x.shape()));
    }
    int m = Shape.size(normalizedShape);
    return normalize(x, x.size() / m, 1);
  }

  /** The normalized trailing shape (a copy). */
  public int[] normalizedShape() {
    return normalizedShape.clone();
  }

  /** The eps added to the variance. */
  public double eps() {
    return core.config().eps();
  }

  /** Whether γ and β exist. */
  public boolean elementwiseAffine() {
    return core.config().scale();
  }

  @Override
  public String toString() {
    return core.name();
  }
}
