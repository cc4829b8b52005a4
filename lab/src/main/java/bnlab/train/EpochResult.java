package bnlab.train;

/**
 * One finished epoch: mean training loss over its mini-batches, test loss and accuracy in eval
 * mode, and the wall time of the training part.
 */
public record EpochResult(
    int epoch,
    long step,
    double trainLoss,
    double testLoss,
    double testAccuracy,
    double seconds,
    int trainImages) {}
