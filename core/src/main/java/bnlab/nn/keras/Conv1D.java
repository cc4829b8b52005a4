package bnlab.nn.keras;

import bnlab.kernel.ConvGeometry;
import bnlab.kernel.ConvKernels;
import bnlab.kernel.ConvPlan;
import bnlab.kernel.KernelProvider;
import bnlab.nn.Init;
import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.tensor.Rng;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * Keras' {@code keras.layers.Conv1D(filters, kernel_size)} in its default form:
 * <b>channels-last</b> input, stride 1, "valid" padding (none), with bias: y[n,t,f] = bias[f] +
 * Σ_{r,c} kernel[r,c,f] · x[n, t + r, c].
 *
 * <p>Shapes: x (N, L, C) → y (N, L − kernelSize + 1, filters); kernel (kernelSize, C, filters),
 * bias (filters), under Keras' names "kernel" and "bias". The article's example, input (128, 256)
 * per sample into {@code Conv1D(64, 3)}, gives (126, 64). Same in train and eval mode.
 *
 * <p>Relation to PyTorch's layout: this layer equals {@code x.permute(0, 2, 1)} → {@link
 * bnlab.nn.Conv1d}(C, filters, kernelSize) → {@code permute(0, 2, 1)} with Conv1d's weight[f, c, r]
 * = kernel[r, c, f]. It computes channels-last directly (one matrix product per kernel tap, no
 * transposes), through a channels-last convolution plan made once per input length, batch size and
 * mode. Like the PyTorch-style layers it honours {@link Module#requiresInputGrad(boolean)}.
 * Initialisation follows Keras' defaults: kernel Glorot-uniform, U(±√(6/(fan_in + fan_out))) with
 * fan_in = kernelSize·C, fan_out = kernelSize·filters; bias zeros.
 *
 * <p>As in Keras, the input channel count may be left open: the two-argument constructor builds the
 * parameters at the first forward (from the generator of the last {@link #resetParameters} or
 * construction); pass {@code inputChannels} to build them at once, which an optimizer created
 * before the first forward needs.
 */
public final class Conv1D extends Module {
  private static final ConvKernels CONV = KernelProvider.get().conv();
  private final int filters;
  private final int kernelSize;
  private final String repr;
  private int channels = -1;
  private Parameter kernel;
  private Parameter bias;
  private Rng initRng;
  private Tensor x;
  private Tensor out;
  private Tensor dX;
  private ConvGeometry geometry;
  private ConvPlan plan;

  /** Conv1D whose input channel count is taken from the first input, as Keras builds layers. */
  public Conv1D(int filters, int kernelSize) {
    if (filters <= 0 || kernelSize <= 0) {
      throw new IllegalArgumentException(
          "Conv1D: filters and kernel_size must be positive, got filters="
              + filters
              + ", kernel_size="
              + kernelSize);
    }
    this.filters = filters;
    this.kernelSize = kernelSize;
    this.repr = "Conv1D(filters=" + filters + ", kernel_size=" + kernelSize + ", channels-last)";
    initParameters(Init.splitDefault());
  }

  /** Conv1D built at once for inputs with {@code inputChannels} channels (last axis). */
  public Conv1D(int filters, int kernelSize, int inputChannels) {
    this(filters, kernelSize);
    build(inputChannels);
  }

  /** Creates the kernel and bias for {@code inputChannels}; done at most once. */
  public void build(int inputChannels) {
    if (channels >= 0) {
      if (channels != inputChannels) {
        throw new IllegalArgumentException(
            this + " was built for " + channels + " input channels, got " + inputChannels);
      }
      return;
    }
    if (inputChannels <= 0) {
      throw new IllegalArgumentException("Conv1D: input channels must be positive");
    }
    channels = inputChannels;
    kernel =
        registerParameter(
            "kernel",
            new Parameter(Tensor.zeros(kernelSize, inputChannels, filters), Parameter.Role.WEIGHT));
    bias = registerParameter("bias", new Parameter(Tensor.zeros(filters), Parameter.Role.BIAS));
    initialise();
  }

  @Override
  protected void initParameters(Rng rng) {
    initRng = rng.split();
    if (channels >= 0) {
      initialise();
    }
  }

  private void initialise() {
    float limit = (float) Math.sqrt(6.0 / (kernelSize * channels + kernelSize * filters));
    initRng.fillUniform(kernel.data(), -limit, limit);
    bias.data().fill(0f);
  }

  /** The kernel (kernelSize, inputChannels, filters); null before the layer is built. */
  public Parameter kernel() {
    return kernel;
  }

  /** The bias (filters); null before the layer is built. */
  public Parameter bias() {
    return bias;
  }

  // x (N,L,C), kernel (R,C,F) -> y (N,L-R+1,F); tap r is x rows r..r+L'-1 times kernel[r]
  @Override
  public Tensor forward(Tensor x) {
    Shape.check(repr, x, "(N, L, C) channels-last", -1, -1, -1);
    build(x.dim(2));
    int n = x.dim(0);
    int len = x.dim(1);
    if (len < kernelSize) {
      throw new IllegalArgumentException(
          this + ": input length " + len + " is shorter than the kernel (valid padding)");
    }
    int outLen = len - kernelSize + 1;
    this.x = x;
    out = Tensor.ensure(out, n, outLen, filters);
    if (geometry == null || geometry.width() != len) {
      geometry = new ConvGeometry(channels, 1, len, filters, 1, kernelSize, 1, 1, 0, 0);
    }
    plan = CONV.planChannelsLast(geometry, n, isTraining(), requiresInputGrad(), plan);
    plan.forward(x.data(), kernel.data().data(), bias.data().data(), out.data());
    return out;
  }

  // dY (N,L',F) -> dX (N,L,C); dKernel[r] += x_rᵀ·dY; dX rows r.. += dY·kernel[r]ᵀ
  @Override
  public Tensor backward(Tensor dY) {
    if (out == null || !dY.hasShape(out.shape())) {
      throw new IllegalArgumentException(
          this
              + ".backward: expected dY like the last output"
              + (out == null ? " (call forward first)" : " " + Shape.str(out.shape()))
              + ", got "
              + Shape.str(dY.shape()));
    }
    int n = x.dim(0);
    int outLen = out.dim(1);
    boolean needDx = requiresInputGrad();
    if (needDx && !plan.inputGrad()) {
      throw new IllegalStateException(
          this + ".backward: requiresInputGrad was switched on after forward; call forward again");
    }
    if (needDx) {
      dX = Tensor.ensure(dX, n, x.dim(1), channels);
    }
    float[] g = dY.data();
    plan.backward(
        g, x.data(), kernel.data().data(), kernel.grad().data(), needDx ? dX.data() : null);
    float[] db = bias.grad().data();
    for (int f = 0; f < filters; f++) {
      double s = 0;
      for (int row = 0; row < n * outLen; row++) {
        s += g[row * filters + f];
      }
      db[f] += (float) s;
    }
    return needDx ? dX : null;
  }

  @Override
  public String toString() {
    return repr;
  }
}
