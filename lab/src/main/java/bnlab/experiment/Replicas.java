package bnlab.experiment;

import bnlab.nn.Module;

/**
 * This process's part in synchronous data-parallel training of one cell (set on the {@link
 * RunContext}; null there for ordinary training). Every one of the {@link #size()} replicas runs
 * the same cell with the same configuration: the cell builds its model and hands it to {@link
 * #prepare} (which may, for instance, replace BatchNorm by {@link bnlab.nn.SyncBatchNorm}), trains
 * on part {@link #rank()} of every global batch ({@link bnlab.data.DataLoader#shard}) and calls
 * {@link #synchronize} between backward and the optimizer step, so that every replica takes the
 * same step. An implementation connects the replicas (the spark module's over TCP).
 */
public interface Replicas {
  /** This replica's index, 0 ≤ rank &lt; size; rank 0 writes the run's files. */
  int rank();

  /** Number of replicas, at least 1. */
  int size();

  /** The model this replica trains, made from the cell's {@code model}, before any step. */
  Module prepare(Module model);

  /**
   * Averages the gradients of {@code model} over the replicas (every replica receives the same
   * bits) and makes whatever else must agree agree; returns the mean of the replicas' losses.
   */
  float synchronize(Module model, float localLoss);
}
