package bnlab.nn;

import bnlab.kernel.BatchNormKernel;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * The BatchNorm state that {@link GhostBatchNorm} and {@link BatchRenorm} share with BatchNorm2d
 * (same names, so checkpoints move between them): γ, β, running statistics and their counter, input
 * checks on the (N, C, S) view, and the eval-mode path, which is BatchNorm's.
 */
final class RunningBn {
  final String repr;
  final int c;
  final double eps;
  final Double momentum;
  final Parameter weight;
  final Parameter bias;
  final Tensor runningMean;
  final Tensor runningVar;
  final Counter numBatchesTracked;
  final double[] chanMean;
  final double[] chanVar;
  final double[] chanInvstd;
  Tensor out;
  Tensor xhat;
  Tensor dX;
  int n;
  int s;

  RunningBn(
      Module owner, String repr, int numFeatures, double eps, Double momentum, boolean affine) {
    this.repr = repr;
    if (numFeatures <= 0) {
      throw new IllegalArgumentException(repr + ": numFeatures must be positive");
    }
    Norms.checkEps(repr, eps);
    Norms.checkMomentum(repr, momentum);
    this.c = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.weight = affine ? Norms.parameter(owner, "weight", c) : null;
    this.bias = affine ? Norms.parameter(owner, "bias", c) : null;
    this.runningMean = owner.registerBuffer("running_mean", Tensor.zeros(c));
    this.runningVar = owner.registerBuffer("running_var", Tensor.zeros(c));
    this.numBatchesTracked = owner.registerCounter("num_batches_tracked", new Counter());
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
    runningMean.fill(0f);
    runningVar.fill(1f);
    numBatchesTracked.set(0);
  }

  /** Checks x is (N, C, *) with rank 2 to 5, sets n and s, sizes the output buffers. */
  void begin(Tensor x) {
    if (x.rank() < 2 || x.rank() > 5 || x.dim(1) != c) {
      throw new IllegalArgumentException(
          repr + ": expected input (N, " + c + ", *) of rank 2 to 5, got " + Shape.str(x.shape()));
    }
    n = x.dim(0);
    s = x.size() / Math.max(1, n * c);
    out = Tensor.ensureLike(out, x);
    xhat = Tensor.ensureLike(xhat, x);
  }

  void checkFinite(double[] mean, double[] var, int count) {
    for (int j = 0; j < count; j++) {
      if (!Double.isFinite(mean[j]) || !Double.isFinite(var[j])) {
        throw new NonFiniteException(
            repr
                + ": input contains NaN or infinity in channel "
                + j % c
                + " while training; running statistics were left unchanged");
      }
    }
  }

  /** running ← (1 − f)·running + f·(chanMean, chanVar·m/(m − 1)); counter += 1. */
  void updateRunning(long m) {
    long count = numBatchesTracked.increment();
    double factor = momentum == null ? 1.0 / count : momentum;
    BatchNormKernel.updateRunning(
        runningMean.data(), runningVar.data(), chanMean, chanVar, c, m, factor, true);
  }

  /** Eval mode: BatchNorm with the running statistics. */
  void forwardEval(Tensor x) {
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

  Tensor backwardEval(Tensor dY) {
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
    return dX;
  }

  /** Checks dY and sizes dX. */
  void beginBackward(boolean ready, Tensor dY) {
    Norms.checkBackward(repr, ready, out, dY);
    dX = Tensor.ensureLike(dX, dY);
  }
}
