package bnlab.nn;

import bnlab.kernel.BatchNormKernel;
import bnlab.kernel.GhostBatchNormKernel;
import bnlab.tensor.Rng;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * Ghost Batch Normalization (Hoffer, Hubara &amp; Soudry 2017, "Train longer, generalize better"):
 * in training, the batch of N samples is split into V = N / virtualBatchSize consecutive virtual
 * batches, and each is batch-normalized with its own statistics (x̂ = (x − μ_b)/√(σ²_b + eps), y =
 * γ·x̂ + β, per channel, over virtualBatchSize·S values). This keeps BN's regularizing noise of a
 * small batch while the step uses a large one. Input (N, C, *) of rank 2 to 5, output the same
 * shape.
 *
 * <p>virtualBatchSize must divide N in training (an error otherwise). Running statistics are
 * updated once per step, as Keras's {@code BatchNormalization(virtual_batch_size=...)} does, with
 * the mean over the virtual batches of their means and of their unbiased variances (PyTorch's
 * convention, so virtualBatchSize = N is exactly {@link BatchNorm2d}): running ← (1 − momentum)·
 * running + momentum·mean_b(stat_b). Eval mode is BatchNorm's eval (running statistics, any N).
 * Defaults eps 1e-5, momentum 0.1 (PyTorch convention), affine; state names as BatchNorm2d (weight,
 * bias, running_mean, running_var, num_batches_tracked).
 */
public final class GhostBatchNorm extends Module {
  private final RunningBn bn;
  private final int virtualBatchSize;
  private double[] mean = new double[0];
  private double[] var = new double[0];
  private double[] invstd = new double[0];
  private int v;
  private boolean batchStats;
  private boolean ready;

  /** GhostBatchNorm with eps 1e-5, momentum 0.1 and a learnable affine transform. */
  public GhostBatchNorm(int numFeatures, int virtualBatchSize) {
    this(numFeatures, virtualBatchSize, 1e-5, 0.1, true);
  }

  /**
   * GhostBatchNorm with all options.
   *
   * @param numFeatures C, the channels at dim 1
   * @param virtualBatchSize samples per virtual batch; must divide the training batch size
   * @param eps added to the variance (1e-5)
   * @param momentum weight of the new statistic in the running averages (0.1), or null for the
   *     cumulative average
   * @param affine whether to learn γ ({@code weight}) and β ({@code bias})
   */
  public GhostBatchNorm(
      int numFeatures, int virtualBatchSize, double eps, Double momentum, boolean affine) {
    bn =
        new RunningBn(
            this,
            String.format(
                "GhostBatchNorm(%d, virtual_batch_size=%d, eps=%s, momentum=%s, affine=%s)",
                numFeatures,
                virtualBatchSize,
                Norms.pythonFloat(eps),
                momentum == null ? "None" : Norms.pythonFloat(momentum),
                affine ? "True" : "False"),
            numFeatures,
            eps,
            momentum,
            affine);
    if (virtualBatchSize <= 0) {
      throw new IllegalArgumentException(bn.repr + ": virtualBatchSize must be positive");
    }
    this.virtualBatchSize = virtualBatchSize;
  }

  /** x (N, C, *) -&gt; y of the same shape. */
  @Override
  public Tensor forward(Tensor x) {
    ready = false;
    bn.begin(x);
    batchStats = isTraining();
    if (batchStats) {
      forwardTrain(x);
    } else {
      bn.forwardEval(x);
    }
    ready = true;
    return bn.out;
  }

  private void forwardTrain(Tensor x) {
    if (bn.n % virtualBatchSize != 0) {
      throw new IllegalArgumentException(
          bn.repr
              + ": the batch size "
              + bn.n
              + " is not a multiple of virtualBatchSize (input "
              + Shape.str(x.shape())
              + "); choose a batch size divisible by "
              + virtualBatchSize
              + " or drop the last incomplete batch");
    }
    long m = (long) virtualBatchSize * bn.s;
    if (m <= 1) {
      throw new IllegalArgumentException(
          bn.repr + ": expected more than 1 value per channel in each virtual batch when training");
    }
    v = bn.n / virtualBatchSize;
    if (mean.length < v * bn.c) {
      mean = new double[v * bn.c];
      var = new double[v * bn.c];
      invstd = new double[v * bn.c];
    }
    GhostBatchNormKernel.meanVar(x.data(), v, virtualBatchSize, bn.c, bn.s, mean, var);
    bn.checkFinite(mean, var, v * bn.c);
    averageOverVirtualBatches();
    bn.updateRunning(m);
    BatchNormKernel.invStd(var, bn.eps, v * bn.c, invstd);
    GhostBatchNormKernel.normalize(
        x.data(),
        v,
        virtualBatchSize,
        bn.c,
        bn.s,
        mean,
        invstd,
        Norms.data(bn.weight),
        Norms.data(bn.bias),
        bn.out.data(),
        bn.xhat.data());
  }

  private void averageOverVirtualBatches() {
    for (int j = 0; j < bn.c; j++) {
      double mu = 0;
      double vr = 0;
      for (int b = 0; b < v; b++) {
        mu += mean[b * bn.c + j];
        vr += var[b * bn.c + j];
      }
      bn.chanMean[j] = mu / v;
      bn.chanVar[j] = vr / v;
    }
  }

  @Override
  public Tensor backward(Tensor dY) {
    bn.beginBackward(ready, dY);
    if (!batchStats) {
      return bn.backwardEval(dY);
    }
    GhostBatchNormKernel.backwardTrain(
        dY.data(),
        bn.xhat.data(),
        v,
        virtualBatchSize,
        bn.c,
        bn.s,
        invstd,
        Norms.data(bn.weight),
        bn.dX.data(),
        Norms.grad(bn.weight),
        Norms.grad(bn.bias));
    return bn.dX;
  }

  @Override
  protected void initParameters(Rng rng) {
    bn.reset();
  }

  /** Samples per virtual batch. */
  public int virtualBatchSize() {
    return virtualBatchSize;
  }

  /** Number of channels C. */
  public int numFeatures() {
    return bn.c;
  }

  /** Added to the variance. */
  public double eps() {
    return bn.eps;
  }

  /** Weight of the new statistic in the running averages, or null for the cumulative average. */
  public Double momentum() {
    return bn.momentum;
  }

  @Override
  public String toString() {
    return bn.repr;
  }
}
