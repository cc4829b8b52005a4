package bnlab.nn;

import bnlab.kernel.BatchNormKernel;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.function.LongToDoubleFunction;

/**
 * Batch Renormalization (Ioffe 2017, "Batch Renormalization: Towards Reducing Minibatch Dependence
 * in Batch-Normalized Models"), over (N, C, *) input of rank 2 to 5, per channel.
 *
 * <p>Training, with batch statistics μ_B, σ_B = √(σ²_B + eps) (biased variance) and the moving ones
 * μ = running_mean, σ = √(running_var + eps) <em>before</em> this step's update:
 *
 * <pre>
 * r = clip(σ_B/σ, 1/rmax, rmax)      d = clip((μ_B − μ)/σ, −dmax, dmax)
 * x̂ = (x − μ_B)/σ_B · r + d          y = γ·x̂ + β
 * </pre>
 *
 * r and d are constants in backward (no gradient flows through them), so the gradient is
 * BatchNorm's with γ replaced by γ·r. The moving statistics then take BatchNorm's update (PyTorch
 * momentum convention, unbiased running_var; the paper updates σ itself, a difference of second
 * order). With rmax = 1 and dmax = 0 this is exactly BatchNorm; eval mode is BatchNorm's eval.
 *
 * <p>rmax and dmax are schedules over the training step t = num_batches_tracked before the step.
 * Defaults follow the paper: plain BatchNorm (rmax = 1, dmax = 0) for 5000 steps, then linearly
 * relaxed to rmax = 3 at step 40000 and dmax = 5 at step 25000; short runs pass shorter schedules
 * with {@link #linear}. Also eps 1e-5, momentum 0.1 (the paper recommends a larger momentum than BN
 * so that μ, σ track the recent weights), affine. State names as BatchNorm2d.
 */
public final class BatchRenorm extends Module {
  private final RunningBn bn;
  private final LongToDoubleFunction rmax;
  private final LongToDoubleFunction dmax;
  private final double[] mean;
  private final double[] var;
  private final double[] invstd;
  private final double[] r;
  private final double[] d;
  private final float[] gammaEff;
  private final float[] betaEff;
  private final float[] sumDyXhat;
  private final float[] sumDy;
  private boolean batchStats;
  private boolean ready;

  /** BatchRenorm with the paper's schedules, eps 1e-5, momentum 0.1, affine. */
  public BatchRenorm(int numFeatures) {
    this(numFeatures, linear(5000, 40000, 1, 3), linear(5000, 25000, 0, 5), 1e-5, 0.1, true);
  }

  /**
   * BatchRenorm with all options.
   *
   * @param numFeatures C, the channels at dim 1
   * @param rmax step → rmax ≥ 1
   * @param dmax step → dmax ≥ 0
   * @param eps added to the variances (1e-5)
   * @param momentum weight of the new statistic in the running averages (0.1), or null for the
   *     cumulative average
   * @param affine whether to learn γ ({@code weight}) and β ({@code bias})
   */
  public BatchRenorm(
      int numFeatures,
      LongToDoubleFunction rmax,
      LongToDoubleFunction dmax,
      double eps,
      Double momentum,
      boolean affine) {
    bn =
        new RunningBn(
            this,
            String.format(
                "BatchRenorm(%d, eps=%s, momentum=%s, affine=%s)",
                numFeatures,
                Norms.pythonFloat(eps),
                momentum == null ? "None" : Norms.pythonFloat(momentum),
                affine ? "True" : "False"),
            numFeatures,
            eps,
            momentum,
            affine);
    this.rmax = rmax;
    this.dmax = dmax;
    mean = new double[numFeatures];
    var = new double[numFeatures];
    invstd = new double[numFeatures];
    r = new double[numFeatures];
    d = new double[numFeatures];
    gammaEff = new float[numFeatures];
    betaEff = new float[numFeatures];
    sumDyXhat = new float[numFeatures];
    sumDy = new float[numFeatures];
  }

  /**
   * A schedule that holds {@code from} up to step {@code start}, then moves linearly to {@code to}
   * at step {@code end} and stays there.
   */
  public static LongToDoubleFunction linear(long start, long end, double from, double to) {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException(
          "BatchRenorm.linear: need 0 <= start <= end, got " + start + ", " + end);
    }
    return t -> {
      if (t <= start) {
        return from;
      }
      if (t >= end) {
        return to;
      }
      return from + (to - from) * (t - start) / (double) (end - start);
    };
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
    long m = (long) bn.n * bn.s;
    if (m <= 1) {
      throw new IllegalArgumentException(
          bn.repr + ": expected more than 1 value per channel when training");
    }
    long step = bn.numBatchesTracked.get();
    double rm = rmax.applyAsDouble(step);
    double dm = dmax.applyAsDouble(step);
    if (!(rm >= 1) || !(dm >= 0)) {
      throw new IllegalArgumentException(
          bn.repr
              + ": at step "
              + step
              + " the schedules gave rmax "
              + rm
              + " (need >= 1) and dmax "
              + dm
              + " (need >= 0)");
    }
    BatchNormKernel.meanVar(x.data(), bn.n, bn.c, bn.s, mean, var);
    bn.checkFinite(mean, var, bn.c);
    BatchNormKernel.invStd(var, bn.eps, bn.c, invstd);
    corrections(rm, dm);
    System.arraycopy(mean, 0, bn.chanMean, 0, bn.c);
    System.arraycopy(var, 0, bn.chanVar, 0, bn.c);
    bn.updateRunning(m);
    BatchNormKernel.normalize(
        x.data(), bn.n, bn.c, bn.s, mean, invstd, gammaEff, betaEff, bn.out.data(), bn.xhat.data());
  }

  // r, d from the running statistics before the update; folded into γ·r and γ·d + β.
  private void corrections(double rm, double dm) {
    float[] g = Norms.data(bn.weight);
    float[] b = Norms.data(bn.bias);
    for (int j = 0; j < bn.c; j++) {
      double sigma = Math.sqrt(bn.runningVar.data()[j] + bn.eps);
      double sigmaB = 1.0 / invstd[j];
      r[j] = Math.min(rm, Math.max(1.0 / rm, sigmaB / sigma));
      d[j] = Math.min(dm, Math.max(-dm, (mean[j] - bn.runningMean.data()[j]) / sigma));
      double gj = g == null ? 1.0 : g[j];
      gammaEff[j] = (float) (gj * r[j]);
      betaEff[j] = (float) (gj * d[j] + (b == null ? 0.0 : b[j]));
    }
  }

  @Override
  public Tensor backward(Tensor dY) {
    bn.beginBackward(ready, dY);
    if (!batchStats) {
      return bn.backwardEval(dY);
    }
    java.util.Arrays.fill(sumDyXhat, 0f);
    java.util.Arrays.fill(sumDy, 0f);
    // The cached x̂ is (x − μ_B)/σ_B; the kernel's γ is γ·r, so dx is right and the sums it
    // accumulates are Σdy·x̂₀ and Σdy, from which dγ = r·Σdy·x̂₀ + d·Σdy.
    BatchNormKernel.backwardTrain(
        dY.data(),
        bn.xhat.data(),
        bn.n,
        bn.c,
        bn.s,
        invstd,
        gammaEff,
        bn.dX.data(),
        sumDyXhat,
        sumDy);
    float[] dGamma = Norms.grad(bn.weight);
    float[] dBeta = Norms.grad(bn.bias);
    for (int j = 0; j < bn.c; j++) {
      if (dGamma != null) {
        dGamma[j] += (float) (r[j] * sumDyXhat[j] + d[j] * sumDy[j]);
      }
      if (dBeta != null) {
        dBeta[j] += sumDy[j];
      }
    }
    return bn.dX;
  }

  @Override
  protected void initParameters(Rng rng) {
    bn.reset();
  }

  /** Number of channels C. */
  public int numFeatures() {
    return bn.c;
  }

  /** The r of the last training step, per channel (a copy). */
  public double[] lastR() {
    return r.clone();
  }

  /** The d of the last training step, per channel (a copy). */
  public double[] lastD() {
    return d.clone();
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
