package bnlab.nn;

import bnlab.kernel.Parallel;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * The parameter-free residual shortcut of He et al. 2016, option A ("identity mapping, with extra
 * zero entries padded for increasing dimensions", strided where the feature map shrinks): in
 * PyTorch {@code F.pad(x[:, :, ::stride, ::stride], (0, 0, 0, 0, before, after))}.
 *
 * <p>y[n, before + c, i, j] = x[n, c, i·stride, j·stride] and 0 on the padded channels, with before
 * = ⌊(outChannels − inChannels)/2⌋ and after = the rest: the zero channels are split around the
 * input's, as the common PyTorch CIFAR ResNet does (akamaster/pytorch_resnet_cifar10: {@code planes
 * // 4} on each side when the width doubles), so activations line up with it. Shapes: x (N,
 * inChannels, H, W) → y (N, outChannels, ⌈H/stride⌉, ⌈W/stride⌉), the size of a 3×3 convolution
 * with padding 1 and the same stride. Backward: dX[n, c, i·stride, j·stride] = dY[n, before + c, i,
 * j], 0 at the skipped positions; the padded channels' gradient is dropped. With {@link
 * #requiresInputGrad(boolean)} false, backward returns null. Same in train and eval mode; no
 * parameters.
 */
public final class ZeroPadShortcut extends Module {
  private final String repr;
  private final String expected;
  private final int inChannels;
  private final int outChannels;
  private final int stride;
  private final int before;
  private int n;
  private int h;
  private int w;
  private int p;
  private int q;
  private Tensor out;
  private Tensor dX;

  // This call's arrays while its images are copied, on the kernel pool in chunks of images.
  private float[] src;
  private float[] dst;
  private final Parallel.Body forwardImages = this::forwardChunk;
  private final Parallel.Body backwardImages = this::backwardChunk;

  /** Images per chunk: a copy of a few KB per image costs less than a hand-off below that. */
  private static final int IMAGES_PER_CHUNK = 8;

  /** A shortcut from {@code inChannels} to {@code outChannels} ≥ inChannels with {@code stride}. */
  public ZeroPadShortcut(int inChannels, int outChannels, int stride) {
    if (inChannels <= 0 || outChannels < inChannels || stride <= 0) {
      throw new IllegalArgumentException(
          String.format(
              "ZeroPadShortcut: need 0 < in_channels <= out_channels and stride > 0, got"
                  + " in_channels=%d, out_channels=%d, stride=%d (a narrowing shortcut needs a"
                  + " projection, option B)",
              inChannels, outChannels, stride));
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.stride = stride;
    this.before = (outChannels - inChannels) / 2;
    expected = "(N, " + inChannels + ", H, W)";
    repr =
        String.format(
            "ZeroPadShortcut(%d, %d, stride=%d, pad=(%d, %d))",
            inChannels, outChannels, stride, before, outChannels - inChannels - before);
  }

  /** Input channels. */
  public int inChannels() {
    return inChannels;
  }

  /** Output channels. */
  public int outChannels() {
    return outChannels;
  }

  /** Subsampling step in both directions. */
  public int stride() {
    return stride;
  }

  /** Zero channels put before the input's: ⌊(outChannels − inChannels)/2⌋; the rest go after. */
  public int padBefore() {
    return before;
  }

  // x (N,Cin,H,W) -> y (N,Cout,P,Q)
  @Override
  public Tensor forward(Tensor x) {
    Shape.check(repr, x, expected, -1, inChannels, -1, -1);
    n = x.dim(0);
    h = x.dim(2);
    w = x.dim(3);
    p = (h + stride - 1) / stride;
    q = (w + stride - 1) / stride;
    out = Tensor.ensure(out, n, outChannels, p, q);
    run(x.data(), out.data(), forwardImages);
    return out;
  }

  // Copies on the pool (the step's other layers keep the second core busy; this one left it idle,
  // about 1% of resnet20's step). Each element is a copy, so the split moves no bit.
  private void run(float[] from, float[] to, Parallel.Body body) {
    src = from;
    dst = to;
    try {
      Parallel.forEach((n + IMAGES_PER_CHUNK - 1) / IMAGES_PER_CHUNK, body);
    } finally {
      src = dst = null;
    }
  }

  private void forwardChunk(int chunk) {
    float[] xs = src;
    float[] ys = dst;
    int pq = p * q;
    for (int i = chunk * IMAGES_PER_CHUNK, end = Math.min(n, i + IMAGES_PER_CHUNK); i < end; i++) {
      int y0 = i * outChannels * pq;
      java.util.Arrays.fill(ys, y0, y0 + before * pq, 0f);
      for (int c = 0; c < inChannels; c++) {
        int xPlane = (i * inChannels + c) * h * w;
        int yPlane = y0 + (before + c) * pq;
        for (int r = 0; r < p; r++) {
          int xRow = xPlane + r * stride * w;
          int yRow = yPlane + r * q;
          for (int s = 0; s < q; s++) {
            ys[yRow + s] = xs[xRow + s * stride];
          }
        }
      }
      java.util.Arrays.fill(ys, y0 + (before + inChannels) * pq, y0 + outChannels * pq, 0f);
    }
  }

  // dY (N,Cout,P,Q) -> dX (N,Cin,H,W)
  @Override
  public Tensor backward(Tensor dY) {
    ConvShapes.checkGrad(repr, out, dY);
    if (!requiresInputGrad()) {
      return null;
    }
    dX = Tensor.ensure(dX, n, inChannels, h, w);
    run(dY.data(), dX.data(), backwardImages);
    return dX;
  }

  private void backwardChunk(int chunk) {
    float[] g = src;
    float[] dx = dst;
    int pq = p * q;
    int i0 = chunk * IMAGES_PER_CHUNK;
    int i1 = Math.min(n, i0 + IMAGES_PER_CHUNK);
    if (stride > 1) {
      java.util.Arrays.fill(dx, i0 * inChannels * h * w, i1 * inChannels * h * w, 0f);
    }
    for (int i = i0; i < i1; i++) {
      for (int c = 0; c < inChannels; c++) {
        int xPlane = (i * inChannels + c) * h * w;
        int yPlane = (i * outChannels + before + c) * pq;
        for (int r = 0; r < p; r++) {
          int xRow = xPlane + r * stride * w;
          int yRow = yPlane + r * q;
          for (int s = 0; s < q; s++) {
            dx[xRow + s * stride] = g[yRow + s];
          }
        }
      }
    }
  }

  @Override
  public String toString() {
    return repr;
  }
}
