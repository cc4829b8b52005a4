package bnlab.optim;

import bnlab.nn.Init;
import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;

/** Test-only fully connected layer, y = x·Wᵀ + b with x (N, in), W (out, in), b (out). */
public final class TinyLinear extends Module {
  private final int in;
  private final int out;
  private final Parameter weight;
  private final Parameter bias;
  private Tensor x;
  private Tensor y;
  private Tensor dX;

  public TinyLinear(int in, int out) {
    this.in = in;
    this.out = out;
    weight =
        registerParameter("weight", new Parameter(Tensor.zeros(out, in), Parameter.Role.WEIGHT));
    bias = registerParameter("bias", new Parameter(Tensor.zeros(out), Parameter.Role.BIAS));
    initParameters(Init.splitDefault());
  }

  public Parameter weight() {
    return weight;
  }

  public Parameter bias() {
    return bias;
  }

  @Override
  protected void initParameters(Rng rng) {
    Init.kaimingUniformSqrt5(weight.data(), in, rng);
    Init.biasUniform(bias.data(), in, rng);
  }

  @Override
  public Tensor forward(Tensor input) {
    x = input;
    int n = input.dim(0);
    y = Tensor.ensure(y, n, out);
    float[] xs = input.data();
    float[] w = weight.data().data();
    float[] b = bias.data().data();
    float[] ys = y.data();
    for (int r = 0; r < n; r++) {
      for (int o = 0; o < out; o++) {
        float s = b[o];
        for (int i = 0; i < in; i++) {
          s += xs[r * in + i] * w[o * in + i];
        }
        ys[r * out + o] = s;
      }
    }
    return y;
  }

  @Override
  public Tensor backward(Tensor dY) {
    int n = x.dim(0);
    dX = Tensor.ensure(dX, n, in);
    float[] xs = x.data();
    float[] g = dY.data();
    float[] w = weight.data().data();
    float[] dw = weight.grad().data();
    float[] db = bias.grad().data();
    float[] dx = dX.data();
    java.util.Arrays.fill(dx, 0, n * in, 0f);
    for (int r = 0; r < n; r++) {
      for (int o = 0; o < out; o++) {
        float go = g[r * out + o];
        db[o] += go;
        for (int i = 0; i < in; i++) {
          dw[o * in + i] += go * xs[r * in + i];
          dx[r * in + i] += go * w[o * in + i];
        }
      }
    }
    return dX;
  }
}
