package bnlab.train;

/**
 * One finished epoch: mean training loss over its mini-batches, test loss and accuracy in eval
 * mode, the wall time of the training part, and whether it is the last epoch of this {@link
 * Trainer#fit} call (its last epoch number, or the step limit of {@link Trainer#stopAfter}).
 */
public record EpochResult(
    int epoch,
    long step,
    double trainLoss,
    double testLoss,
    double testAccuracy,
    double seconds,
    int trainImages,
    boolean last) {}
