package bnlab.train;

/**
 * Stops a run whose loss is NaN or infinite, or (when {@code factor} &gt; 0) exceeds factor times
 * the first mini-batch's loss: the sweep's definition of divergence. The message names the model,
 * seed, epoch and step.
 */
public final class DivergenceGuard implements TrainListener {
  private final String model;
  private final long seed;
  private final double factor;
  private double initial = Double.NaN;

  /** A guard for {@code model}/{@code seed}; {@code factor} 0 checks only for NaN/Inf. */
  public DivergenceGuard(String model, long seed, double factor) {
    this.model = model;
    this.seed = seed;
    this.factor = factor;
  }

  @Override
  public void onBatch(Step s) {
    float loss = s.loss();
    if (!Float.isFinite(loss)) {
      throw new RunStopped("diverged", where(s) + ": the loss is " + loss + "; try a smaller --lr");
    }
    if (Double.isNaN(initial)) {
      initial = loss;
    } else if (factor > 0 && loss > factor * initial) {
      throw new RunStopped(
          "diverged",
          String.format(
              java.util.Locale.ROOT,
              "%s: the loss %.4g exceeds %.4g x the initial loss %.4g",
              where(s),
              loss,
              factor,
              initial));
    }
  }

  /** The first mini-batch's loss (NaN before the first step), saved in checkpoints. */
  public double initial() {
    return initial;
  }

  /** Restores the first loss of a resumed run. */
  public void restoreInitial(double value) {
    initial = value;
  }

  private String where(Step s) {
    return "model " + model + ", seed " + seed + ", epoch " + s.epoch() + ", step " + s.step();
  }
}
