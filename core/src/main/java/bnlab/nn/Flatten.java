package bnlab.nn;

import bnlab.tensor.Tensor;

/**
 * Flattens every dimension after the first, as PyTorch's {@code nn.Flatten()} (start_dim 1, end_dim
 * −1): x (N, d1, ..., dk) → y (N, d1·...·dk). The output is a view over the input's array and dX a
 * view over dY's (no copy), as in PyTorch. Same in train and eval mode; no parameters.
 */
public final class Flatten extends Module {
  private int[] shapeIn;
  private Tensor out;
  private Tensor dX;

  @Override
  public Tensor forward(Tensor x) {
    if (x.rank() < 1) {
      throw new IllegalArgumentException("Flatten: expected input (N, ...), got a scalar");
    }
    if (shapeIn == null || !x.hasShape(shapeIn)) {
      shapeIn = x.shape();
    }
    int n = x.dim(0);
    int rest = n == 0 ? 0 : x.size() / n;
    // Compared without a varargs array: this runs every step.
    if (out == null
        || out.data() != x.data()
        || out.rank() != 2
        || out.dim(0) != n
        || out.dim(1) != rest) {
      out = Tensor.wrap(x.data(), n, rest);
    }
    return out;
  }

  @Override
  public Tensor backward(Tensor dY) {
    ConvShapes.checkGrad(toString(), out, dY);
    dX = view(dX, dY, shapeIn);
    return dX;
  }

  // Reuses the previous view object when it already covers the same array with the same shape.
  private static Tensor view(Tensor cached, Tensor src, int... shape) {
    if (cached != null && cached.data() == src.data() && cached.hasShape(shape)) {
      return cached;
    }
    return Tensor.wrap(src.data(), shape);
  }

  @Override
  public String toString() {
    return "Flatten(start_dim=1, end_dim=-1)";
  }
}
