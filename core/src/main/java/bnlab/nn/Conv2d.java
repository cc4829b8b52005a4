package bnlab.nn;

import bnlab.kernel.ConvEpilogue;
import bnlab.kernel.ConvGeometry;
import bnlab.kernel.ConvKernels;
import bnlab.kernel.ConvPlan;
import bnlab.kernel.KernelProvider;
import bnlab.tensor.Rng;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * 2-d convolution (cross-correlation) as PyTorch's {@code nn.Conv2d} with square kernel, stride and
 * zero padding: y[n,k,p,q] = bias[k] + Σ_{c,r,s} weight[k,c,r,s] · x[n, c, p·stride − padding + r,
 * q·stride − padding + s].
 *
 * <p>Shapes: x (N, inChannels, H, W) → y (N, outChannels, P, Q) with P = ⌊(H + 2·padding −
 * kernelSize) / stride⌋ + 1 and Q likewise; weight (outChannels, inChannels, kernelSize,
 * kernelSize), bias (outChannels). Same in train and eval mode. Defaults: stride 1, padding 0, bias
 * true; initialisation as PyTorch: weight Kaiming-uniform with a = √5, i.e. U(±1/√fan_in), bias
 * U(±1/√fan_in), fan_in = inChannels·kernelSize². Computed by a convolution plan made once per
 * input size, batch size and mode (direct for the small stride-1 layers of the article's network,
 * Winograd F(2×2, 3×3) for 3×3 stride-1 layers of 16 channels and more, im2col + matrix products
 * elsewhere; {@code -Dbnlab.conv=auto|im2col|winograd|winograd4|no-winograd} overrides the choice).
 */
public final class Conv2d extends Module {
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
  private int h;
  private int w;
  private int p;
  private int q;
  private Tensor out;
  private Tensor dX;
  private ConvGeometry geometry;
  private ConvPlan plan;
  private Tensor input;

  /** The tensor the last forward wrote: its own output, or a fused layer's. */
  private Tensor last;

  /** Conv2d with stride 1, no padding and a bias. */
  public Conv2d(int inChannels, int outChannels, int kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0, true);
  }

  /** Conv2d with the given stride, zero padding and optional bias. */
  public Conv2d(
      int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean bias) {
    ConvShapes.validate("Conv2d", inChannels, outChannels, kernelSize, stride, padding);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    expected = "(N, " + inChannels + ", H, W)";
    this.weight =
        registerParameter(
            "weight",
            new Parameter(
                Tensor.zeros(outChannels, inChannels, kernelSize, kernelSize),
                Parameter.Role.WEIGHT));
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
    int fanIn = inChannels * kernelSize * kernelSize;
    Init.kaimingUniformSqrt5(weight.data(), fanIn, rng);
    if (bias != null) {
      Init.biasUniform(bias.data(), fanIn, rng);
    }
  }

  /** The weight (outChannels, inChannels, kernelSize, kernelSize). */
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

  /** Side of the square kernel. */
  public int kernelSize() {
    return kernelSize;
  }

  /** Stride in both directions. */
  public int stride() {
    return stride;
  }

  /** Zero padding on every side. */
  public int padding() {
    return padding;
  }

  /** The bias (outChannels), or null when built without one. */
  public Parameter bias() {
    return bias;
  }

  /**
   * The convolution plan the last forward ran, e.g. {@code ConvPlan[DIRECT on vector-256bit: ...;
   * batch 128, training, input gradient]}, or {@code "none"} before the first forward: which
   * algorithm was chosen for this geometry, batch and mode.
   */
  public String planDescription() {
    return plan == null ? "none" : plan.toString();
  }

  @Override
  public Tensor forward(Tensor x) {
    prepare(x);
    out = Tensor.ensure(out, n, outChannels, p, q);
    input = x;
    last = out;
    plan.forward(x.data(), weights(), biases(), out.data());
    return out;
  }

  /**
   * relu(forward(x)) with the ReLU in this layer's pass ({@link ReLU#forwardAfter}), and then
   * {@code pool} (unless null) too: its output is returned then.
   */
  Tensor forwardRectified(Tensor x, ReLU relu, MaxPool2d pool) {
    prepare(x);
    Tensor y = relu.convOutput(n, outChannels, p, q);
    return run(x, y, relu.convEpilogue(), pool);
  }

  // The plan's forward into y with the epilogue, and pool's after it; y or the pooled output.
  private Tensor run(Tensor x, Tensor y, ConvEpilogue epilogue, MaxPool2d pool) {
    input = x;
    last = y;
    if (pool == null) {
      plan.forward(x.data(), weights(), biases(), y.data(), epilogue);
      return y;
    }
    Tensor pooled = pool.convOutput(y, epilogue);
    plan.forward(x.data(), weights(), biases(), y.data(), pool.convEpilogue());
    return pooled;
  }

  /** Whether {@code pool} can pool this layer's output for x in its pass (see MaxPool2d). */
  boolean poolsInPass(Tensor x, MaxPool2d pool) {
    if (x.rank() != 4 || x.dim(1) != inChannels) {
      return false;
    }
    int hp = x.dim(2) + 2 * padding - kernelSize;
    int wp = x.dim(3) + 2 * padding - kernelSize;
    return hp >= 0 && wp >= 0 && pool.poolsAfterConv(hp / stride + 1, wp / stride + 1);
  }

  /**
   * This layer and then {@code norm} (and a ReLU, with {@code relu}, and {@code pool} unless null)
   * in one pass, where the normalization can run in the convolution's epilogue (eval mode with
   * running statistics; see {@link BatchNorm#forwardAfter}): the normalized (pooled) output, or
   * null when it cannot, having changed nothing but this layer's plan.
   */
  Tensor forwardNormalized(Tensor x, NormCore norm, boolean relu, MaxPool2d pool) {
    prepare(x);
    Tensor y = norm.convOutput(this, x, n, p, q, relu);
    if (y == null) {
      return null;
    }
    Tensor result = run(x, y, norm.convEpilogue(), pool);
    norm.convDone();
    return result;
  }

  private float[] weights() {
    return weight.data().data();
  }

  private float[] biases() {
    return bias == null ? null : bias.data().data();
  }

  // Checks x and sets the sizes, the geometry and the plan for it.
  private void prepare(Tensor x) {
    Shape.check(repr, x, expected, -1, inChannels, -1, -1);
    n = x.dim(0);
    h = x.dim(2);
    w = x.dim(3);
    p = ConvShapes.out(repr, "height", h, kernelSize, stride, padding);
    q = ConvShapes.out(repr, "width", w, kernelSize, stride, padding);
    if (geometry == null || geometry.height() != h || geometry.width() != w) {
      geometry =
          new ConvGeometry(
              inChannels,
              h,
              w,
              outChannels,
              kernelSize,
              kernelSize,
              stride,
              stride,
              padding,
              padding);
    }
    // The same plan until the input size, the batch or the mode changes.
    plan = CONV.plan(geometry, n, isTraining(), requiresInputGrad(), plan);
  }

  @Override
  public Tensor backward(Tensor dY) {
    ConvShapes.checkGrad(repr, last, dY);
    boolean needDx = ConvShapes.needInputGrad(repr, this, plan);
    if (needDx) {
      dX = Tensor.ensure(dX, n, inChannels, h, w);
    }
    float[] g = dY.data();
    plan.backward(g, input.data(), weights(), weight.grad().data(), needDx ? dX.data() : null);
    ConvShapes.addBiasGrad(bias, g, n, outChannels, p * q);
    return needDx ? dX : null;
  }

  private String describe() {
    return String.format(
        "Conv2d(%d, %d, kernel_size=(%d, %d), stride=(%d, %d), padding=(%d, %d)%s)",
        inChannels,
        outChannels,
        kernelSize,
        kernelSize,
        stride,
        stride,
        padding,
        padding,
        bias == null ? ", bias=False" : "");
  }

  @Override
  public String toString() {
    return repr;
  }
}
