package bnlab.train;

import bnlab.data.Batch;

/**
 * The state of the training loop at one mini-batch, handed to {@link TrainListener}s. One mutable
 * instance is reused for every step (no allocation per step); copy what you keep.
 */
public final class Step {
  int epoch;
  long step;
  int batchInEpoch;
  int batchesPerEpoch;
  float loss;
  Batch batch;

  /** Epoch, from 1. */
  public int epoch() {
    return epoch;
  }

  /** Mini-batches since the start of the run, from 1. */
  public long step() {
    return step;
  }

  /** Mini-batch index within the epoch, from 1 (the article's {@code i + 1}). */
  public int batchInEpoch() {
    return batchInEpoch;
  }

  /** Mini-batches per epoch. */
  public int batchesPerEpoch() {
    return batchesPerEpoch;
  }

  /** This step's mean mini-batch loss (only valid in {@link TrainListener#onBatch}). */
  public float loss() {
    return loss;
  }

  /** This step's batch, valid only during this step (the loader reuses its buffers). */
  public Batch batch() {
    return batch;
  }
}
