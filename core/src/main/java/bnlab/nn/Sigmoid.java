package bnlab.nn;

import bnlab.tensor.Tensor;

/**
 * Logistic sigmoid, y = 1/(1 + e^(−x)), elementwise on any shape; dX = dY·y·(1 − y). Evaluated
 * without overflow for large |x|. Same in train and eval mode; no parameters.
 */
public final class Sigmoid extends Module {
  private Tensor out;
  private Tensor dX;

  @Override
  public Tensor forward(Tensor x) {
    out = Tensor.ensureLike(out, x);
    float[] xs = x.data();
    float[] ys = out.data();
    for (int i = 0, n = x.size(); i < n; i++) {
      float v = xs[i];
      if (v >= 0f) {
        ys[i] = (float) (1.0 / (1.0 + Math.exp(-v)));
      } else {
        double e = Math.exp(v);
        ys[i] = (float) (e / (1.0 + e));
      }
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
      d[i] = g[i] * ys[i] * (1f - ys[i]);
    }
    return dX;
  }

  @Override
  public String toString() {
    return "Sigmoid()";
  }
}
