package bnlab.lab;

import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.nn.ReLU;
import bnlab.nn.Sequential;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import bnlab.train.Optim;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-only building blocks so the lab's tests run in seconds: a tiny MLP registered in the zoo as
 * "tiny" and SGD with momentum registered as "sgd-test".
 */
final class TinyModels {
  private TinyModels() {}

  static synchronized void register() {
    ModelZoo.register(
        new ModelZoo.Entry(
            "tiny",
            "none",
            "test MLP",
            (shape, classes, seed) -> {
              int in = 1;
              for (int d : shape) {
                in *= d;
              }
              Sequential s =
                  new Sequential()
                      .add("flatten", new Flatten())
                      .add("fc1", new Dense(in, 8))
                      .add("relu1", new ReLU())
                      .add("fc2", new Dense(8, classes));
              s.resetParameters(new Rng(seed));
              return s;
            }));
    Optimizers.register("sgd-test", (model, lr) -> new Momentum(model.parameters(), lr, 0.9));
  }

  /** (N, ...) -> (N, rest) view. */
  static final class Flatten extends Module {
    private int[] inShape;

    @Override
    public Tensor forward(Tensor x) {
      inShape = x.shape();
      return x.reshape(x.dim(0), x.size() / x.dim(0));
    }

    @Override
    public Tensor backward(Tensor dY) {
      return dY.reshape(inShape);
    }
  }

  /** y = x W^T + b, W (out, in). */
  static final class Dense extends Module {
    private final int in;
    private final int out;
    private final Parameter w;
    private final Parameter b;
    private Tensor x;
    private Tensor y;
    private Tensor dX;

    Dense(int in, int out) {
      this.in = in;
      this.out = out;
      w = registerParameter("weight", new Parameter(Tensor.zeros(out, in), Parameter.Role.WEIGHT));
      b = registerParameter("bias", new Parameter(Tensor.zeros(out), Parameter.Role.BIAS));
    }

    @Override
    protected void initParameters(Rng rng) {
      float bound = (float) (1 / Math.sqrt(in));
      rng.fillUniform(w.data(), -bound, bound);
      rng.fillUniform(b.data(), -bound, bound);
    }

    @Override
    public Tensor forward(Tensor input) {
      x = input;
      int n = input.dim(0);
      y = Tensor.ensure(y, n, out);
      float[] xs = input.data();
      float[] ws = w.data().data();
      float[] ys = y.data();
      for (int i = 0; i < n; i++) {
        for (int o = 0; o < out; o++) {
          float s = b.data().data()[o];
          for (int k = 0; k < in; k++) {
            s += xs[i * in + k] * ws[o * in + k];
          }
          ys[i * out + o] = s;
        }
      }
      return y;
    }

    @Override
    public Tensor backward(Tensor dY) {
      int n = dY.dim(0);
      dX = Tensor.ensure(dX, n, in);
      float[] g = dY.data();
      float[] xs = x.data();
      float[] ws = w.data().data();
      float[] dw = w.grad().data();
      float[] db = b.grad().data();
      float[] dx = dX.data();
      java.util.Arrays.fill(dx, 0, n * in, 0f);
      for (int i = 0; i < n; i++) {
        for (int o = 0; o < out; o++) {
          float go = g[i * out + o];
          db[o] += go;
          for (int k = 0; k < in; k++) {
            dw[o * in + k] += go * xs[i * in + k];
            dx[i * in + k] += go * ws[o * in + k];
          }
        }
      }
      return dX;
    }
  }

  /** SGD with momentum (PyTorch's form: v = m v + g; w -= lr v). */
  static final class Momentum implements Optim {
    private final List<Parameter> params;
    private final double lr;
    private final double m;
    private final Map<String, Tensor> buf = new LinkedHashMap<>();

    Momentum(List<Parameter> params, double lr, double m) {
      this.params = params;
      this.lr = lr;
      this.m = m;
      for (int i = 0; i < params.size(); i++) {
        buf.put("state." + i + ".momentum_buffer", Tensor.zeros(params.get(i).data().shape()));
      }
    }

    @Override
    public void step() {
      for (int i = 0; i < params.size(); i++) {
        float[] v = buf.get("state." + i + ".momentum_buffer").data();
        float[] g = params.get(i).grad().data();
        float[] w = params.get(i).data().data();
        for (int j = 0; j < w.length; j++) {
          v[j] = (float) (m * v[j] + g[j]);
          w[j] -= (float) (lr * v[j]);
        }
      }
    }

    @Override
    public Map<String, Tensor> tensors() {
      Map<String, Tensor> c = new LinkedHashMap<>();
      buf.forEach((k, t) -> c.put(k, t.copy()));
      return c;
    }

    @Override
    public Map<String, Long> counters() {
      return Map.of();
    }

    @Override
    public void load(Map<String, Tensor> tensors, Map<String, Long> counters) {
      if (!tensors.keySet().equals(buf.keySet())) {
        throw new IllegalArgumentException("optimizer state names differ: " + tensors.keySet());
      }
      tensors.forEach((k, t) -> buf.get(k).copyFrom(t));
    }
  }
}
