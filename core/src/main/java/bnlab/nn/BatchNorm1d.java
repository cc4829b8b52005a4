package bnlab.nn;

/**
 * Batch Normalization over (N, C) or (N, C, L) input, PyTorch's {@code nn.BatchNorm1d} (Ioffe &amp;
 * Szegedy 2015): per channel, statistics over the m = N (or N·L) values of the batch. Formula,
 * train/eval behaviour, momentum convention, state names, errors and numerics are {@link
 * BatchNorm}'s; defaults eps 1e-5, momentum 0.1, affine and tracking on.
 */
public final class BatchNorm1d extends BatchNorm {
  /** BatchNorm1d(numFeatures) with eps 1e-5, momentum 0.1, affine, tracking running statistics. */
  public BatchNorm1d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, true);
  }

  /**
   * BatchNorm1d with PyTorch's options; accepts x (N, C) or (N, C, L) input.
   *
   * @param numFeatures C, the number of channels (dim 1 of the input)
   * @param eps added to the variance for numerical stability (PyTorch 1e-5, Keras 1e-3)
   * @param momentum weight of the new batch statistic in the running averages (0.1); {@code null}
   *     for the cumulative moving average with factor 1/num_batches_tracked
   * @param affine whether to learn γ ({@code weight}) and β ({@code bias})
   * @param trackRunningStats whether to keep running_mean, running_var and num_batches_tracked and
   *     use them in eval mode; if false, batch statistics are used in both modes
   */
  public BatchNorm1d(
      int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    super(
        "BatchNorm1d",
        2,
        3,
        numFeatures,
        eps,
        momentum,
        affine,
        trackRunningStats,
        Statistics.BATCH);
  }
}
