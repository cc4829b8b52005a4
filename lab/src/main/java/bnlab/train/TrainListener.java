package bnlab.train;

/**
 * Hooks into the training loop; metrics, console output, probes, checkpoints and divergence checks
 * are listeners, so the loop itself stays four lines (forward, loss, backward, step). A listener
 * may stop the run by throwing {@link RunStopped}.
 */
public interface TrainListener {
  /** Before epoch {@code epoch} (from 1) starts. */
  default void onEpochStart(int epoch, int batchesPerEpoch) {}

  /** Before the forward pass of a step, with the parameters still at their pre-step values. */
  default void beforeBatch(Step s) {}

  /** After the optimizer step; {@link Step#loss()} holds the mini-batch loss. */
  default void onBatch(Step s) {}

  /** After an epoch's training and its test evaluation. */
  default void onEpoch(EpochResult r) {}
}
