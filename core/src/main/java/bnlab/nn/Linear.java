package bnlab.nn;

import bnlab.kernel.GemmKernels;
import bnlab.kernel.GemmShape;
import bnlab.kernel.KernelProvider;
import bnlab.tensor.Rng;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * Fully connected layer as PyTorch's {@code nn.Linear}: y = x·weightᵀ + bias.
 *
 * <p>Shapes: x (N, inFeatures) → y (N, outFeatures); weight (outFeatures, inFeatures), bias
 * (outFeatures). Same in train and eval mode. Defaults: bias true; initialisation as PyTorch
 * (U(±1/√inFeatures) for weight and bias).
 */
public final class Linear extends Module {
  private static final GemmKernels GEMM = KernelProvider.get().gemm();
  private final String repr;
  private final String expected;
  private final int inFeatures;
  private final int outFeatures;
  private final Parameter weight;
  private final Parameter bias;
  private Tensor x;
  private Tensor out;
  private Tensor dX;

  // The three products for the last batch size (remade when it changes).
  private int shapesFor = -1;
  private GemmShape forwardShape;
  private GemmShape weightGradShape;
  private GemmShape inputGradShape;

  /** Linear layer with a bias. */
  public Linear(int inFeatures, int outFeatures) {
    this(inFeatures, outFeatures, true);
  }

  /** Linear layer with an optional bias. */
  public Linear(int inFeatures, int outFeatures, boolean bias) {
    if (inFeatures <= 0 || outFeatures <= 0) {
      throw new IllegalArgumentException(
          "Linear: features must be positive, got in_features="
              + inFeatures
              + ", out_features="
              + outFeatures);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    expected = "(N, " + inFeatures + ")";
    this.weight =
        registerParameter(
            "weight", new Parameter(Tensor.zeros(outFeatures, inFeatures), Parameter.Role.WEIGHT));
    this.bias =
        bias
            ? registerParameter(
                "bias", new Parameter(Tensor.zeros(outFeatures), Parameter.Role.BIAS))
            : null;
    repr = describe();
    initParameters(Init.splitDefault());
  }

  @Override
  protected void initParameters(Rng rng) {
    Init.kaimingUniformSqrt5(weight.data(), inFeatures, rng);
    if (bias != null) {
      Init.biasUniform(bias.data(), inFeatures, rng);
    }
  }

  /** The weight (outFeatures, inFeatures). */
  public Parameter weight() {
    return weight;
  }

  /** Input features. */
  public int inFeatures() {
    return inFeatures;
  }

  /** Output features. */
  public int outFeatures() {
    return outFeatures;
  }

  /** The bias (outFeatures), or null when built without one. */
  public Parameter bias() {
    return bias;
  }

  // x (N,in), w (out,in) -> y (N,out)
  @Override
  public Tensor forward(Tensor x) {
    Shape.check(repr, x, expected, -1, inFeatures);
    this.x = x;
    int n = x.dim(0);
    out = Tensor.ensure(out, n, outFeatures);
    shapes(n);
    GEMM.gemm(forwardShape, x.data(), 0, weight.data().data(), 0, 0f, out.data(), 0);
    ConvShapes.addBias(bias, out.data(), n, outFeatures, 1);
    return out;
  }

  // dY (N,out) -> dX (N,in); dWeight (out,in) += dYᵀ·x
  @Override
  public Tensor backward(Tensor dY) {
    ConvShapes.checkGrad(repr, out, dY);
    int n = dY.dim(0);
    GEMM.gemm(weightGradShape, dY.data(), 0, x.data(), 0, 1f, weight.grad().data(), 0);
    ConvShapes.addBiasGrad(bias, dY.data(), n, outFeatures, 1);
    if (!requiresInputGrad()) {
      return null;
    }
    dX = Tensor.ensure(dX, n, inFeatures);
    GEMM.gemm(inputGradShape, dY.data(), 0, weight.data().data(), 0, 0f, dX.data(), 0);
    return dX;
  }

  // y = x·Wᵀ (N,out), dW += dYᵀ·x (out,in), dX = dY·W (N,in)
  private void shapes(int n) {
    if (n != shapesFor) {
      forwardShape = GemmShape.of(false, true, n, outFeatures, inFeatures);
      weightGradShape = GemmShape.of(true, false, outFeatures, inFeatures, n);
      inputGradShape = GemmShape.of(false, false, n, inFeatures, outFeatures);
      shapesFor = n;
    }
  }

  private String describe() {
    return String.format(
        "Linear(in_features=%d, out_features=%d, bias=%s)",
        inFeatures, outFeatures, bias == null ? "False" : "True");
  }

  @Override
  public String toString() {
    return repr;
  }
}
