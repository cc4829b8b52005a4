package bnlab.nn;

import bnlab.kernel.NormLayout;

/**
 * Where a normalization layer's statistics come from: the one thing in which the layers of the
 * family differ ({@link NormCore} does everything else). The core calls it at fixed points of a
 * training step with batch statistics:
 *
 * <pre>
 * forward   layout → local moments (kernel) → combine → normalize (kernel) → running statistics
 * backward  local sums (kernel) → combineSums → apply (kernel) → gradients (of γ and β)
 * </pre>
 *
 * <ul>
 *   <li>{@link #BATCH}: the batch, one statistic per channel (BatchNorm, the Keras layer);
 *   <li>{@link #perSample}: per sample and group of channels (GroupNorm, LayerNorm, InstanceNorm);
 *   <li>virtual sub-batches ({@link GhostBatchNorm}), the batch with the renorm correction ({@link
 *       BatchRenorm}), statistics merged across data-parallel replicas ({@link SyncBatchNorm}).
 * </ul>
 *
 * Eval mode with running statistics asks nothing of it: that is BatchNorm's eval for every layer.
 */
interface Statistics {
  /** Batch statistics per channel, as BatchNorm. */
  Statistics BATCH = (core, n, c, s) -> NormLayout.perChannel(n, c, s);

  /** Statistics per sample and group of c / groups channels. */
  static Statistics perSample(int groups) {
    return (core, n, c, s) -> NormLayout.perSample(n, c, s, groups);
  }

  /**
   * How the statistics group an (n, c, s) input; may reject the batch with a message naming the
   * layer ({@code core.name()}).
   */
  NormLayout layout(NormCore core, int n, int c, int s);

  /**
   * True when {@link #combine} and {@link #combineSums} do nothing, so the kernels may fuse the
   * halves of forward and of backward.
   */
  default boolean local() {
    return true;
  }

  /**
   * Forward seam, in training: {@code core.stats()} holds the moments of the local batch (mean,
   * biased variance, count); leave there the ones to normalize with and to average into the running
   * statistics. The running statistics are those before this step's update.
   */
  default void combine(NormCore core) {}

  /**
   * Backward seam: {@code core.stats()} holds the local sums Σ dx̂, Σ dx̂·x̂; leave the ones to
   * apply.
   */
  default void combineSums(NormCore core) {}

  /**
   * Turns the per-channel sums Σ dy·x̂ and Σ dy of the batch into the gradients of γ and β
   * (accumulated; either may be null when it is not learned). Called for training steps through the
   * seams ({@link #local()} false); every other step adds the sums as they are.
   */
  default void gradients(
      NormCore core, float[] sumDyXhat, float[] sumDy, float[] dGamma, float[] dBeta) {
    for (int j = 0; j < sumDy.length; j++) {
      if (dGamma != null) {
        dGamma[j] += sumDyXhat[j];
      }
      if (dBeta != null) {
        dBeta[j] += sumDy[j];
      }
    }
  }
}
