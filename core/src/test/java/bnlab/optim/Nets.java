package bnlab.optim;

import bnlab.nn.ReLU;
import bnlab.nn.Sequential;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;

/** Small models and a mean-squared-error training step for optimizer and checkpoint tests. */
public final class Nets {
  private Nets() {}

  /** fc1 (4→6), bn1, relu1, fc2 (6→3), seeded. */
  public static Sequential mlp(long seed) {
    return mlp(seed, 6);
  }

  /** fc1 (4→hidden), bn1, relu1, fc2 (hidden→3), seeded. */
  public static Sequential mlp(long seed, int hidden) {
    Sequential m =
        new Sequential()
            .add("fc1", new TinyLinear(4, hidden))
            .add("bn1", new TinyNorm(hidden))
            .add("relu1", new ReLU())
            .add("fc2", new TinyLinear(hidden, 3));
    m.resetParameters(new Rng(seed));
    return m;
  }

  /** A fixed random input (n, 4). */
  public static Tensor input(int n, long seed) {
    Tensor x = Tensor.zeros(n, 4);
    new Rng(seed).fillUniform(x, -1f, 1f);
    return x;
  }

  /** One training step on the loss mean((y − 0.5)²): zeroGrad, forward, backward, step. */
  public static void trainStep(Sequential model, Optimizer opt, Tensor x) {
    opt.zeroGrad();
    Tensor y = model.forward(x);
    Tensor dY = Tensor.zeros(y.shape());
    for (int i = 0; i < y.size(); i++) {
      dY.data()[i] = 2f * (y.data()[i] - 0.5f) / y.size();
    }
    model.backward(dY);
    opt.step();
  }
}
