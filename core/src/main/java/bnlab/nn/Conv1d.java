package bnlab.nn;

import bnlab.kernel.ConvGeometry;
import bnlab.kernel.ConvKernels;
import bnlab.kernel.ConvPlan;
import bnlab.kernel.KernelProvider;
import bnlab.tensor.Rng;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * 1-d convolution (cross-correlation) as PyTorch's {@code nn.Conv1d}, channels first: y[n,k,t] =
 * bias[k] + Σ_{c,r} weight[k,c,r] · x[n, c, t·stride − padding + r].
 *
 * <p>Shapes: x (N, inChannels, L) → y (N, outChannels, L') with L' = ⌊(L + 2·padding − kernelSize)
 * / stride⌋ + 1; weight (outChannels, inChannels, kernelSize), bias (outChannels). Same in train
 * and eval mode. Defaults: stride 1, padding 0, bias true; initialisation as PyTorch (U(±1/√fan_in)
 * for weight and bias, fan_in = inChannels·kernelSize). For Keras' channels-last layout (N, L, C)
 * see {@link bnlab.nn.keras.Conv1D}.
 */
public final class Conv1d extends Module {
  private static final ConvKernels CONV = KernelProvider.get().conv();
  private final String repr;
  private final String expected;
  private final int inChannels;
  private final int outChannels;
  private final int kernelSize;
  private final int stride;
  private final int padding;
  private final Parameter weight;
  private final Parameter bias;
  private int n;
  private int len;
  private int outLen;
  private Tensor out;
  private Tensor dX;
  private ConvGeometry geometry;
  private ConvPlan plan;
  private Tensor input;

  /** Conv1d with stride 1, no padding and a bias. */
  public Conv1d(int inChannels, int outChannels, int kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0, true);
  }

  /** Conv1d with the given stride, zero padding and optional bias. */
  public Conv1d(
      int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean bias) {
    ConvShapes.validate("Conv1d", inChannels, outChannels, kernelSize, stride, padding);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    expected = "(N, " + inChannels + ", L)";
    this.weight =
        registerParameter(
            "weight",
            new Parameter(
                Tensor.zeros(outChannels, inChannels, kernelSize), Parameter.Role.WEIGHT));
    this.bias =
        bias
            ? registerParameter(
                "bias", new Parameter(Tensor.zeros(outChannels), Parameter.Role.BIAS))
            : null;
    repr = describe();
    initParameters(Init.splitDefault());
  }

  @Override
  protected void initParameters(Rng rng) {
    int fanIn = inChannels * kernelSize;
    Init.kaimingUniformSqrt5(weight.data(), fanIn, rng);
    if (bias != null) {
      Init.biasUniform(bias.data(), fanIn, rng);
    }
  }

  /** The weight (outChannels, inChannels, kernelSize). */
  public Parameter weight() {
    return weight;
  }

  /** Input channels. */
  public int inChannels() {
    return inChannels;
  }

  /** Output channels. */
  public int outChannels() {
    return outChannels;
  }

  /** Kernel length. */
  public int kernelSize() {
    return kernelSize;
  }

  /** Stride. */
  public int stride() {
    return stride;
  }

  /** Zero padding on each side. */
  public int padding() {
    return padding;
  }

  /** The bias (outChannels), or null when built without one. */
  public Parameter bias() {
    return bias;
  }

  @Override
  public Tensor forward(Tensor x) {
    Shape.check(repr, x, expected, -1, inChannels, -1);
    n = x.dim(0);
    len = x.dim(2);
    outLen = ConvShapes.out(repr, "length", len, kernelSize, stride, padding);
    out = Tensor.ensure(out, n, outChannels, outLen);
    if (geometry == null || geometry.width() != len) {
      geometry =
          new ConvGeometry(inChannels, 1, len, outChannels, 1, kernelSize, 1, stride, 0, padding);
    }
    // The same plan until the input length, the batch or the mode changes.
    plan = CONV.plan(geometry, n, isTraining(), requiresInputGrad(), plan);
    input = x;
    plan.forward(
        x.data(), weight.data().data(), bias == null ? null : bias.data().data(), out.data());
    return out;
  }

  @Override
  public Tensor backward(Tensor dY) {
    ConvShapes.checkGrad(repr, out, dY);
    boolean needDx = ConvShapes.needInputGrad(repr, this, plan);
    if (needDx) {
      dX = Tensor.ensure(dX, n, inChannels, len);
    }
    float[] g = dY.data();
    plan.backward(
        g, input.data(), weight.data().data(), weight.grad().data(), needDx ? dX.data() : null);
    ConvShapes.addBiasGrad(bias, g, n, outChannels, outLen);
    return needDx ? dX : null;
  }

  private String describe() {
    return String.format(
        "Conv1d(%d, %d, kernel_size=(%d,), stride=(%d,), padding=(%d,)%s)",
        inChannels, outChannels, kernelSize, stride, padding, bias == null ? ", bias=False" : "");
  }

  @Override
  public String toString() {
    return repr;
  }
}
