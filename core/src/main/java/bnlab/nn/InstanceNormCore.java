package bnlab.nn;

import bnlab.kernel.BatchNormKernel;
import bnlab.kernel.GroupNormKernel;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * State and logic shared by {@link InstanceNorm1d} and {@link InstanceNorm2d}: per (sample,
 * channel) statistics through {@link GroupNormKernel} with G = C, optional running statistics as
 * PyTorch's {@code _InstanceNorm} keeps them (the batch average of the instance means and unbiased
 * variances), used in eval mode through {@link BatchNormKernel}.
 */
final class InstanceNormCore {
  private final Module owner;
  private final String repr;
  private final int rank;
  private final int c;
  private final double eps;
  private final Double momentum;
  private final Parameter weight;
  private final Parameter bias;
  private final Tensor runningMean;
  private final Tensor runningVar;
  private final Counter numBatchesTracked;
  private final double[] chanMean;
  private final double[] chanVar;
  private final double[] chanInvstd;
  private double[] mean = new double[0];
  private double[] var = new double[0];
  private double[] invstd = new double[0];
  private Tensor out;
  private Tensor xhat;
  private Tensor dX;
  private int n;
  private int s;
  private boolean instanceStats;
  private boolean ready;

  double eps() {
    return eps;
  }

  Double momentum() {
    return momentum;
  }

  InstanceNormCore(
      Module owner,
      String kind,
      int rank,
      int numFeatures,
      double eps,
      Double momentum,
      boolean affine,
      boolean trackRunningStats) {
    repr =
        String.format(
            "%s(%d, eps=%s, momentum=%s, affine=%s, track_running_stats=%s)",
            kind,
            numFeatures,
            Norms.pythonFloat(eps),
            momentum == null ? "None" : Norms.pythonFloat(momentum),
            affine ? "True" : "False",
            trackRunningStats ? "True" : "False");
    if (numFeatures <= 0) {
      throw new IllegalArgumentException(repr + ": numFeatures must be positive");
    }
    Norms.checkEps(repr, eps);
    Norms.checkMomentum(repr, momentum);
    this.owner = owner;
    this.rank = rank;
    this.c = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.weight = affine ? Norms.parameter(owner, "weight", c) : null;
    this.bias = affine ? Norms.parameter(owner, "bias", c) : null;
    this.runningMean =
        trackRunningStats ? owner.registerBuffer("running_mean", Tensor.zeros(c)) : null;
    this.runningVar =
        trackRunningStats ? owner.registerBuffer("running_var", Tensor.zeros(c)) : null;
    this.numBatchesTracked =
        trackRunningStats ? owner.registerCounter("num_batches_tracked", new Counter()) : null;
    chanMean = new double[c];
    chanVar = new double[c];
    chanInvstd = new double[c];
    reset();
  }

  void reset() {
    if (weight != null) {
      weight.data().fill(1f);
      bias.data().fill(0f);
    }
    if (runningMean != null) {
      runningMean.fill(0f);
      runningVar.fill(1f);
      numBatchesTracked.set(0);
    }
  }

  String repr() {
    return repr;
  }

  Tensor forward(Tensor x) {
    ready = false;
    if (x.rank() != rank || x.dim(1) != c) {
      throw new IllegalArgumentException(
          repr
              + ": expected "
              + rank
              + "D input (N, "
              + c
              + (rank == 3 ? ", L)" : ", H, W)")
              + ", got "
              + Shape.str(x.shape()));
    }
    n = x.dim(0);
    s = x.size() / Math.max(1, n * c);
    boolean training = owner.isTraining();
    if (training && s <= 1) {
      throw new IllegalArgumentException(
          repr
              + ": expected more than 1 spatial element when training, got input of shape "
              + Shape.str(x.shape()));
    }
    out = Tensor.ensureLike(out, x);
    xhat = Tensor.ensureLike(xhat, x);
    instanceStats = training || runningMean == null;
    if (instanceStats) {
      forwardInstance(x, training && runningMean != null);
    } else {
      forwardRunning(x);
    }
    ready = true;
    return out;
  }

  private void forwardInstance(Tensor x, boolean update) {
    if (mean.length < n * c) {
      mean = new double[n * c];
      var = new double[n * c];
      invstd = new double[n * c];
    }
    GroupNormKernel.stats(x.data(), n, c, s, c, eps, mean, invstd, var);
    if (update) {
      updateRunning();
    }
    GroupNormKernel.normalize(
        x.data(),
        n,
        c,
        s,
        c,
        mean,
        invstd,
        Norms.data(weight),
        Norms.data(bias),
        out.data(),
        xhat.data());
  }

  // PyTorch: running ← (1 − f)·running + f·(batch average of instance mean / unbiased variance).
  private void updateRunning() {
    for (int j = 0; j < c; j++) {
      double mu = 0;
      double v = 0;
      for (int i = 0; i < n; i++) {
        mu += mean[i * c + j];
        v += var[i * c + j];
      }
      if (!Double.isFinite(mu) || !Double.isFinite(v)) {
        throw new NonFiniteException(
            repr + ": input contains NaN or infinity in channel " + j + " while training");
      }
      chanMean[j] = mu / n;
      chanVar[j] = v / n;
    }
    long count = numBatchesTracked.increment();
    double factor = momentum == null ? 1.0 / count : momentum;
    BatchNormKernel.updateRunning(
        runningMean.data(), runningVar.data(), chanMean, chanVar, c, s, factor, true);
  }

  private void forwardRunning(Tensor x) {
    for (int j = 0; j < c; j++) {
      chanMean[j] = runningMean.data()[j];
      chanVar[j] = runningVar.data()[j];
    }
    BatchNormKernel.invStd(chanVar, eps, c, chanInvstd);
    BatchNormKernel.normalize(
        x.data(),
        n,
        c,
        s,
        chanMean,
        chanInvstd,
        Norms.data(weight),
        Norms.data(bias),
        out.data(),
        xhat.data());
  }

  Tensor backward(Tensor dY) {
    Norms.checkBackward(repr, ready, out, dY);
    dX = Tensor.ensureLike(dX, dY);
    if (instanceStats) {
      GroupNormKernel.backward(
          dY.data(),
          xhat.data(),
          n,
          c,
          s,
          c,
          invstd,
          Norms.data(weight),
          dX.data(),
          Norms.grad(weight),
          Norms.grad(bias));
    } else {
      BatchNormKernel.backwardFrozen(
          dY.data(),
          xhat.data(),
          n,
          c,
          s,
          chanInvstd,
          Norms.data(weight),
          dX.data(),
          Norms.grad(weight),
          Norms.grad(bias));
    }
    return dX;
  }
}
