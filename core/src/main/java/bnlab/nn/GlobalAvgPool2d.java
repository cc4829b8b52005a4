package bnlab.nn;

import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * Global average pooling, PyTorch's {@code nn.AdaptiveAvgPool2d(1)} followed by {@code
 * nn.Flatten()} (the head of torchvision's ResNets): y[n, c] = (1/(H·W)) Σ_{h,w} x[n, c, h, w].
 *
 * <p>Shapes: x (N, C, H, W) → y (N, C), any H, W ≥ 1. Backward spreads each gradient evenly over
 * its plane: dX[n, c, h, w] = dY[n, c] / (H·W). Each plane is summed in double, so the mean is the
 * correctly rounded float of the exact mean up to one rounding. Same in train and eval mode; no
 * parameters.
 */
public final class GlobalAvgPool2d extends Module {
  private static final String REPR = "GlobalAvgPool2d(AdaptiveAvgPool2d(output_size=1) + Flatten)";
  private int n;
  private int c;
  private int h;
  private int w;
  private Tensor out;
  private Tensor dX;

  // x (N,C,H,W) -> y (N,C)
  @Override
  public Tensor forward(Tensor x) {
    Shape.check(REPR, x, "(N, C, H, W)", -1, -1, -1, -1);
    n = x.dim(0);
    c = x.dim(1);
    h = x.dim(2);
    w = x.dim(3);
    if (h * w == 0) {
      throw new IllegalArgumentException(
          REPR + ": expected a non-empty plane, got " + Shape.str(x.shape()));
    }
    out = Tensor.ensure(out, n, c);
    float[] xs = x.data();
    float[] ys = out.data();
    int plane = h * w;
    for (int p = 0; p < n * c; p++) {
      double s = 0;
      for (int i = p * plane, end = i + plane; i < end; i++) {
        s += xs[i];
      }
      ys[p] = (float) (s / plane);
    }
    return out;
  }

  // dY (N,C) -> dX (N,C,H,W)
  @Override
  public Tensor backward(Tensor dY) {
    ConvShapes.checkGrad(REPR, out, dY);
    dX = Tensor.ensure(dX, n, c, h, w);
    float[] g = dY.data();
    float[] dx = dX.data();
    int plane = h * w;
    for (int p = 0; p < n * c; p++) {
      float v = g[p] / plane;
      java.util.Arrays.fill(dx, p * plane, (p + 1) * plane, v);
    }
    return dX;
  }

  @Override
  public String toString() {
    return REPR;
  }
}
