package bnlab.nn;

import bnlab.tensor.Tensor;

/**
 * Hyperbolic tangent, y = tanh(x), elementwise on any shape; dX = dY·(1 − y²). Same in train and
 * eval mode; no parameters.
 */
public final class Tanh extends Module {
  private Tensor out;
  private Tensor dX;

  @Override
  public Tensor forward(Tensor x) {
    out = Tensor.ensureLike(out, x);
    float[] xs = x.data();
    float[] ys = out.data();
    for (int i = 0, n = x.size(); i < n; i++) {
      ys[i] = (float) Math.tanh(xs[i]);
    }
    return out;
  }

  @Override
  public Tensor backward(Tensor dY) {
    ConvShapes.checkGrad(toString(), out, dY);
    dX = Tensor.ensureLike(dX, dY);
    float[] ys = out.data();
    float[] g = dY.data();
    float[] d = dX.data();
    for (int i = 0, n = dY.size(); i < n; i++) {
      d[i] = g[i] * (1f - ys[i] * ys[i]);
    }
    return dX;
  }

  @Override
  public String toString() {
    return "Tanh()";
  }
}
