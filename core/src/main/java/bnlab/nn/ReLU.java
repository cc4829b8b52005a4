package bnlab.nn;

import bnlab.tensor.Tensor;

/**
 * Rectified linear unit, y = max(0, x), elementwise on any shape; dX = dY where x &gt; 0, else 0
 * (PyTorch's convention of a zero gradient at x = 0). Same in train and eval mode; no parameters.
 */
public final class ReLU extends Module {
  private Tensor out;
  private Tensor dX;

  @Override
  public Tensor forward(Tensor x) {
    out = Tensor.ensure(out, x.shape());
    float[] xs = x.data();
    float[] ys = out.data();
    for (int i = 0, n = x.size(); i < n; i++) {
      ys[i] = xs[i] > 0f ? xs[i] : 0f;
    }
    return out;
  }

  @Override
  public Tensor backward(Tensor dY) {
    if (out == null || !dY.hasShape(out.shape())) {
      throw new IllegalStateException("ReLU.backward: call forward first with the matching shape");
    }
    dX = Tensor.ensure(dX, dY.shape());
    float[] ys = out.data();
    float[] g = dY.data();
    float[] d = dX.data();
    for (int i = 0, n = dY.size(); i < n; i++) {
      d[i] = ys[i] > 0f ? g[i] : 0f;
    }
    return dX;
  }
}
