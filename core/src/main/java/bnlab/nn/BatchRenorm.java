package bnlab.nn;

import bnlab.kernel.NormLayout;
import bnlab.kernel.NormStats;
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
public final class BatchRenorm extends NormBase {
  private final Renorm renorm;

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
    this(
        Norms.runningConfig(
            String.format(
                "BatchRenorm(%d, eps=%s, momentum=%s, affine=%s)",
                numFeatures,
                Norms.pythonFloat(eps),
                momentum == null ? "None" : Norms.pythonFloat(momentum),
                affine ? "True" : "False"),
            numFeatures,
            eps,
            momentum,
            affine),
        new Renorm(numFeatures, rmax, dmax));
  }

  private BatchRenorm(NormCore.Config config, Renorm renorm) {
    super(config, renorm);
    this.renorm = renorm;
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
    Norms.checkChannelsFirst(core.name(), x, numFeatures());
    int n = x.dim(0);
    int s = x.size() / Math.max(1, n * numFeatures());
    if (isTraining() && (long) n * s <= 1) {
      throw new IllegalArgumentException(
          core.name() + ": expected more than 1 value per channel when training");
    }
    return normalize(x, n, s);
  }

  /** Number of channels C. */
  public int numFeatures() {
    return core.config().shape()[0];
  }

  /** The r of the last training step, per channel (a copy). */
  public double[] lastR() {
    return renorm.r.clone();
  }

  /** The d of the last training step, per channel (a copy). */
  public double[] lastD() {
    return renorm.d.clone();
  }

  /** Added to the variance. */
  public double eps() {
    return core.config().eps();
  }

  /** Weight of the new statistic in the running averages, or null for the cumulative average. */
  public Double momentum() {
    return core.config().momentum();
  }

  @Override
  public String toString() {
    return core.name();
  }

  /**
   * The batch's statistics with the renorm correction: r and d from the running statistics before
   * the update, folded into the affine transform as γ·r and γ·d + β (so x̂ itself stays BatchNorm's
   * and backward is BatchNorm's with γ·r), and dγ = r·Σ dy·x̂ + d·Σ dy.
   */
  private static final class Renorm implements Statistics {
    private final LongToDoubleFunction rmax;
    private final LongToDoubleFunction dmax;
    final double[] r;
    final double[] d;
    private final float[] gammaEff;
    private final float[] betaEff;

    Renorm(int c, LongToDoubleFunction rmax, LongToDoubleFunction dmax) {
      this.rmax = rmax;
      this.dmax = dmax;
      r = new double[c];
      d = new double[c];
      gammaEff = new float[c];
      betaEff = new float[c];
    }

    @Override
    public NormLayout layout(NormCore core, int n, int c, int s) {
      return NormLayout.perChannel(n, c, s);
    }

    @Override
    public boolean local() {
      return false;
    }

    @Override
    public void combine(NormCore core) {
      long step = core.step();
      double rm = rmax.applyAsDouble(step);
      double dm = dmax.applyAsDouble(step);
      if (!(rm >= 1) || !(dm >= 0)) {
        throw new IllegalArgumentException(
            core.name()
                + ": at step "
                + step
                + " the schedules gave rmax "
                + rm
                + " (need >= 1) and dmax "
                + dm
                + " (need >= 0)");
      }
      NormStats st = core.stats();
      float[] g = core.weight();
      float[] b = core.bias();
      float[] runMean = core.runningMean().data();
      float[] runVar = core.runningVar().data();
      double eps = core.config().eps();
      for (int j = 0; j < r.length; j++) {
        double sigma = Math.sqrt(runVar[j] + eps);
        double sigmaB = Math.sqrt(st.var()[j] + eps);
        r[j] = Math.min(rm, Math.max(1.0 / rm, sigmaB / sigma));
        d[j] = Math.min(dm, Math.max(-dm, (st.mean()[j] - runMean[j]) / sigma));
        double gj = g == null ? 1.0 : g[j];
        gammaEff[j] = (float) (gj * r[j]);
        betaEff[j] = (float) (gj * d[j] + (b == null ? 0.0 : b[j]));
      }
      core.normalizeWith(gammaEff, betaEff);
    }

    @Override
    public void gradients(
        NormCore core, float[] sumDyXhat, float[] sumDy, float[] dGamma, float[] dBeta) {
      for (int j = 0; j < r.length; j++) {
        if (dGamma != null) {
          dGamma[j] += (float) (r[j] * sumDyXhat[j] + d[j] * sumDy[j]);
        }
        if (dBeta != null) {
          dBeta[j] += sumDy[j];
        }
      }
    }
  }
}
