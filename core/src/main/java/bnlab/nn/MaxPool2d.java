package bnlab.nn;

import bnlab.kernel.ConvEpilogue;
import bnlab.kernel.KernelProvider;
import bnlab.kernel.PoolActivationKernels;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * 2-d max pooling as PyTorch's {@code nn.MaxPool2d} (dilation 1, ceil_mode false): y[n,c,p,q] = max
 * over the kernelSize² window at (p·stride − padding, q·stride − padding), padding counting as −∞.
 *
 * <p>Shapes: x (N, C, H, W) → y (N, C, P, Q), P = ⌊(H + 2·padding − kernelSize)/stride⌋ + 1.
 * Defaults: stride = kernelSize, padding 0 (at most kernelSize/2, as PyTorch requires). Backward
 * routes each dY to the first maximal element of its window (PyTorch's tie rule; a NaN counts as
 * the maximum so it propagates). Same in train and eval mode; no parameters.
 */
public final class MaxPool2d extends Module {
  private static final PoolActivationKernels POOL = KernelProvider.get().poolActivation();
  private final String repr;
  private final int kernelSize;
  private final int stride;
  private final int padding;
  private int[] shapeIn;
  private int[] argmax = new int[0];
  private Tensor out;
  private Tensor dX;

  // In a convolution's pass: the map before the pooling, and the pooled planes' size.
  private ConvEpilogue before;
  private int channels;
  private int height;
  private int width;

  private final ConvEpilogue convEpilogue =
      (y, t0, t1, k0, k1) -> {
        before.apply(y, t0, t1, k0, k1);
        for (int t = t0; t < t1; t++) {
          POOL.maxPool2x2Planes(
              y, t * channels + k0, t * channels + k1, height, width, out.data(), argmax);
        }
      };

  /** Max pooling with stride = kernelSize and no padding. */
  public MaxPool2d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  /** Max pooling with the given stride and padding. */
  public MaxPool2d(int kernelSize, int stride, int padding) {
    ConvShapes.validateWindow("MaxPool2d", kernelSize, stride, padding);
    if (2 * padding > kernelSize) {
      throw new IllegalArgumentException(
          "MaxPool2d: padding should be at most half of kernel_size, got padding="
              + padding
              + ", kernel_size="
              + kernelSize);
    }
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    repr = describe();
  }

  // x (N,C,H,W) -> y (N,C,P,Q), argmax holds the flat input index of each output
  @Override
  public Tensor forward(Tensor x) {
    prepare(x);
    before = null;
    int planes = x.dim(0) * x.dim(1);
    int h = x.dim(2);
    int w = x.dim(3);
    int p = out.dim(2);
    int q = out.dim(3);
    float[] xs = x.data();
    float[] ys = out.data();
    if (isTwoByTwo()) {
      POOL.maxPool2x2(xs, planes, h, w, ys, argmax);
      return out;
    }
    int o = 0;
    for (int pl = 0; pl < planes; pl++) {
      int base = pl * h * w;
      for (int i = 0; i < p; i++) {
        int h0 = Math.max(0, i * stride - padding);
        int h1 = Math.min(h, i * stride - padding + kernelSize);
        for (int j = 0; j < q; j++) {
          int w0 = Math.max(0, j * stride - padding);
          int w1 = Math.min(w, j * stride - padding + kernelSize);
          int best = base + h0 * w + w0;
          float m = Float.NEGATIVE_INFINITY;
          // Branch-free (conditional moves): activations' random order defeats the branch
          // predictor. A NaN is taken only while m is not NaN yet, so the first NaN wins and
          // stays; otherwise only a strictly greater value replaces m (first max wins ties).
          for (int r = h0; r < h1; r++) {
            for (int s = w0; s < w1; s++) {
              int idx = base + r * w + s;
              float v = xs[idx];
              boolean take = v > m | (v != v & m == m);
              m = take ? v : m;
              best = take ? idx : best;
            }
          }
          ys[o] = m;
          argmax[o++] = best;
        }
      }
    }
    return out;
  }

  // Checks x, sets the output and argmax for it.
  private void prepare(Tensor x) {
    Shape.check(repr, x, "(N, C, H, W)", -1, -1, -1, -1);
    if (shapeIn == null || !x.hasShape(shapeIn)) {
      shapeIn = x.shape();
    }
    int p = ConvShapes.out(repr, "height", x.dim(2), kernelSize, stride, padding);
    int q = ConvShapes.out(repr, "width", x.dim(3), kernelSize, stride, padding);
    out = Tensor.ensure(out, x.dim(0), x.dim(1), p, q);
    if (argmax.length < out.size()) {
      argmax = new int[out.size()];
    }
  }

  private boolean isTwoByTwo() {
    return kernelSize == 2 && stride == 2 && padding == 0;
  }

  /**
   * Whether this layer can pool a convolution's output (n, c, h, w) in the convolution's pass
   * ({@link #convEpilogue}): 2×2 windows with stride 2, and at least one output.
   */
  boolean poolsAfterConv(int h, int w) {
    return isTwoByTwo() && h >= 2 && w >= 2;
  }

  /**
   * Prepares this layer to pool {@code x}, the tensor a convolution's epilogue {@code before}
   * writes, in the convolution's pass; returns the output the epilogue returned by {@link
   * #convEpilogue} fills. The bits and argmax of {@link #forward} on the finished x.
   */
  Tensor convOutput(Tensor x, ConvEpilogue before) {
    prepare(x);
    this.before = before;
    channels = x.dim(1);
    height = x.dim(2);
    width = x.dim(3);
    return out;
  }

  ConvEpilogue convEpilogue() {
    return convEpilogue;
  }

  /** Whether the last forward ran in a convolution's pass. */
  boolean ranInConv() {
    return before != null;
  }

  @Override
  public Tensor backward(Tensor dY) {
    return backward(dY, false);
  }

  /**
   * relu.backward(backward(dY)) where {@code relu}'s output was this layer's input, in one pass:
   * the gradient can be nonzero only at the windows' argmaxes, where the ReLU's output is this
   * layer's own output, so the ReLU's mask comes from the pooled values instead of a pass over its
   * output. The same bits as the two backward passes; {@link Sequential} uses it for a ReLU
   * followed by a MaxPool2d when no listener is installed (the ReLU's own backward is then not
   * called).
   */
  Tensor backwardThroughRelu(Tensor dY) {
    return backward(dY, true);
  }

  private Tensor backward(Tensor dY, boolean throughRelu) {
    ConvShapes.checkGrad(repr, out, dY);
    dX = Tensor.ensure(dX, shapeIn);
    int planes = dY.dim(0) * dY.dim(1);
    float[] pooled = throughRelu ? out.data() : null;
    if (isTwoByTwo()) {
      // Windows that do not overlap: written window by window, no fill and scatter.
      POOL.maxPool2x2Backward(dY.data(), pooled, argmax, planes, shapeIn[2], shapeIn[3], dX.data());
      return dX;
    }
    POOL.maxPoolBackward(
        dY.data(),
        pooled,
        argmax,
        planes,
        dY.dim(2) * dY.dim(3),
        shapeIn[2] * shapeIn[3],
        dX.data());
    return dX;
  }

  private String describe() {
    return String.format(
        "MaxPool2d(kernel_size=%d, stride=%d, padding=%d)", kernelSize, stride, padding);
  }

  /** Window size (square). */
  public int kernelSize() {
    return kernelSize;
  }

  /** Stride. */
  public int stride() {
    return stride;
  }

  /** Padding on each side. */
  public int padding() {
    return padding;
  }

  @Override
  public String toString() {
    return repr;
  }
}
