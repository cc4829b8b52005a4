package bnlab.kernel;

/**
 * The per-statistic numbers a normalization layer passes between its kernels, one entry per slot of
 * its {@link NormLayout}, all in double: the moments (mean, biased variance, 1/√(var + eps)) that
 * forward computes and normalizes with, the two backward sums, and the number of values behind each
 * statistic. Owned by the layer and sized once per input shape ({@link #ensure}).
 *
 * <p>{@link #count} is the layout's {@link NormLayout#count()} for statistics of the local batch;
 * statistics combined across data-parallel replicas set it to the global count, which the backward
 * formula then divides by.
 */
public final class NormStats {
  private double[] mean = new double[0];
  private double[] var = new double[0];
  private double[] invstd = new double[0];
  private double[] sumDxhat = new double[0];
  private double[] sumDxhatXhat = new double[0];
  private long count;

  /** Grows the arrays to at least {@code slots} entries (no allocation once large enough). */
  public void ensure(int slots) {
    if (mean.length < slots) {
      mean = new double[slots];
      var = new double[slots];
      invstd = new double[slots];
      sumDxhat = new double[slots];
      sumDxhatXhat = new double[slots];
    }
  }

  /** Per-slot mean μ. */
  public double[] mean() {
    return mean;
  }

  /** Per-slot biased variance σ² (÷count). */
  public double[] var() {
    return var;
  }

  /** Per-slot 1/√(σ² + eps). */
  public double[] invstd() {
    return invstd;
  }

  /** Backward: per-slot Σ dx̂ with dx̂ = γ_j·dy. */
  public double[] sumDxhat() {
    return sumDxhat;
  }

  /** Backward: per-slot Σ dx̂·x̂. */
  public double[] sumDxhatXhat() {
    return sumDxhatXhat;
  }

  /** Values behind each statistic (m in the formulas). */
  public long count() {
    return count;
  }

  /** Sets the values behind each statistic. */
  public void count(long count) {
    this.count = count;
  }
}
