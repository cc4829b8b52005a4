package bnlab.nn;

import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * 2-d average pooling as PyTorch's {@code nn.AvgPool2d} (ceil_mode false): y[n,c,p,q] = Σ window /
 * divisor, where the window is kernelSize² at (p·stride − padding, q·stride − padding) with zero
 * padding.
 *
 * <p>Shapes: x (N, C, H, W) → y (N, C, P, Q), P = ⌊(H + 2·padding − kernelSize)/stride⌋ + 1.
 * Defaults: stride = kernelSize, padding 0 (at most kernelSize/2), count_include_pad true (divisor
 * kernelSize²; with false, the number of non-padding elements). Backward spreads dY/divisor over
 * the window. Same in train and eval mode; no parameters.
 */
public final class AvgPool2d extends Module {
  private final String repr;
  private final int kernelSize;
  private final int stride;
  private final int padding;
  private final boolean countIncludePad;
  private int[] shapeIn;
  private Tensor out;
  private Tensor dX;

  /** Average pooling with stride = kernelSize and no padding. */
  public AvgPool2d(int kernelSize) {
    this(kernelSize, kernelSize, 0, true);
  }

  /** Average pooling with the given stride and padding, count_include_pad true. */
  public AvgPool2d(int kernelSize, int stride, int padding) {
    this(kernelSize, stride, padding, true);
  }

  /** Average pooling with the given stride, padding and divisor rule. */
  public AvgPool2d(int kernelSize, int stride, int padding, boolean countIncludePad) {
    ConvShapes.validateWindow("AvgPool2d", kernelSize, stride, padding);
    if (2 * padding > kernelSize) {
      throw new IllegalArgumentException(
          "AvgPool2d: padding should be at most half of kernel_size, got padding="
              + padding
              + ", kernel_size="
              + kernelSize);
    }
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    this.countIncludePad = countIncludePad;
    repr = describe();
  }

  // x (N,C,H,W) -> y (N,C,P,Q)
  @Override
  public Tensor forward(Tensor x) {
    Shape.check(repr, x, "(N, C, H, W)", -1, -1, -1, -1);
    if (shapeIn == null || !x.hasShape(shapeIn)) {
      shapeIn = x.shape();
    }
    int h = x.dim(2);
    int w = x.dim(3);
    int p = ConvShapes.out(repr, "height", h, kernelSize, stride, padding);
    int q = ConvShapes.out(repr, "width", w, kernelSize, stride, padding);
    out = Tensor.ensure(out, x.dim(0), x.dim(1), p, q);
    sweep(x.data(), out.data(), x.dim(0) * x.dim(1), h, w, p, q, true);
    return out;
  }

  @Override
  public Tensor backward(Tensor dY) {
    ConvShapes.checkGrad(repr, out, dY);
    dX = Tensor.ensure(dX, shapeIn).fill(0f);
    sweep(
        dX.data(),
        dY.data(),
        shapeIn[0] * shapeIn[1],
        shapeIn[2],
        shapeIn[3],
        out.dim(2),
        out.dim(3),
        false);
    return dX;
  }

  // forward: y[o] = Σ x[window] / div; backward: dx[window] += dy[o] / div
  private void sweep(float[] xs, float[] ys, int planes, int h, int w, int p, int q, boolean fwd) {
    int o = 0;
    for (int pl = 0; pl < planes; pl++) {
      int base = pl * h * w;
      for (int i = 0; i < p; i++) {
        int h0 = Math.max(0, i * stride - padding);
        int h1 = Math.min(h, i * stride - padding + kernelSize);
        for (int j = 0; j < q; j++, o++) {
          int w0 = Math.max(0, j * stride - padding);
          int w1 = Math.min(w, j * stride - padding + kernelSize);
          float div = countIncludePad ? kernelSize * kernelSize : (h1 - h0) * (w1 - w0);
          if (fwd) {
            float s = 0f;
            for (int r = h0; r < h1; r++) {
              for (int c = w0; c < w1; c++) {
                s += xs[base + r * w + c];
              }
            }
            ys[o] = s / div;
          } else {
            float g = ys[o] / div;
            for (int r = h0; r < h1; r++) {
              for (int c = w0; c < w1; c++) {
                xs[base + r * w + c] += g;
              }
            }
          }
        }
      }
    }
  }

  private String describe() {
    return String.format(
        "AvgPool2d(kernel_size=%d, stride=%d, padding=%d%s)",
        kernelSize, stride, padding, countIncludePad ? "" : ", count_include_pad=False");
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

  /** Whether padding zeros count in the divisor (PyTorch's count_include_pad). */
  public boolean countIncludePad() {
    return countIncludePad;
  }

  @Override
  public String toString() {
    return repr;
  }
}
