package bnlab.optim;

import bnlab.nn.Counter;
import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.tensor.Tensor;

/**
 * Test-only stand-in for a normalization layer over (N, C): y = (x − running_mean)·γ + β. It has
 * BN's parameter roles, buffers and counter names, and in training mode moves running_mean towards
 * the batch mean and counts batches, so checkpoints have state beyond parameters to carry.
 */
public final class TinyNorm extends Module {
  private final int c;
  private final Parameter weight;
  private final Parameter bias;
  private final Tensor runningMean;
  private final Tensor runningVar;
  private final Counter batches;
  private Tensor x;
  private Tensor y;
  private Tensor dX;

  public TinyNorm(int c) {
    this.c = c;
    weight =
        registerParameter("weight", new Parameter(Tensor.zeros(c).fill(1f), Parameter.Role.NORM));
    bias = registerParameter("bias", new Parameter(Tensor.zeros(c), Parameter.Role.NORM));
    runningMean = registerBuffer("running_mean", Tensor.zeros(c));
    runningVar = registerBuffer("running_var", Tensor.zeros(c).fill(1f));
    batches = registerCounter("num_batches_tracked", new Counter());
  }

  @Override
  public Tensor forward(Tensor input) {
    x = input;
    int n = input.dim(0);
    float[] xs = input.data();
    float[] rm = runningMean.data();
    if (isTraining()) {
      batches.increment();
      for (int k = 0; k < c; k++) {
        float mean = 0;
        for (int r = 0; r < n; r++) {
          mean += xs[r * c + k];
        }
        rm[k] = 0.9f * rm[k] + 0.1f * (mean / n);
        runningVar.data()[k] += 0.01f;
      }
    }
    y = Tensor.ensure(y, n, c);
    float[] ys = y.data();
    float[] w = weight.data().data();
    float[] b = bias.data().data();
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < c; k++) {
        ys[r * c + k] = (xs[r * c + k] - rm[k]) * w[k] + b[k];
      }
    }
    return y;
  }

  @Override
  public Tensor backward(Tensor dY) {
    int n = x.dim(0);
    dX = Tensor.ensure(dX, n, c);
    float[] xs = x.data();
    float[] g = dY.data();
    float[] rm = runningMean.data();
    float[] w = weight.data().data();
    float[] dx = dX.data();
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < c; k++) {
        float go = g[r * c + k];
        weight.grad().data()[k] += go * (xs[r * c + k] - rm[k]);
        bias.grad().data()[k] += go;
        dx[r * c + k] = go * w[k];
      }
    }
    return dX;
  }
}
