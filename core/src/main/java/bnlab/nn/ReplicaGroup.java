package bnlab.nn;

/**
 * The replicas of a data-parallel training job, as {@link SyncBatchNorm} talks to them: PyTorch's
 * process group, reduced to the two collectives synchronized BatchNorm needs. Each replica holds
 * one ReplicaGroup object with its own {@link #rank()}; an implementation may connect threads
 * (tests), processes or machines.
 *
 * <p><b>Contract.</b>
 *
 * <ul>
 *   <li><b>Synchronous and blocking:</b> a call returns when every replica has made the same call
 *       and the result is in place.
 *   <li><b>Same calls in the same order on every replica</b>, with arrays of the same length
 *       (SyncBatchNorm guarantees this when every replica runs the same model in the same mode on
 *       batches of the same rank; batch sizes may differ).
 *   <li><b>Deterministic:</b> values are combined in rank order 0, 1, …, size − 1, so every replica
 *       receives bit-identical results, and the same inputs give the same results on every run.
 *   <li><b>Failure:</b> if a peer fails, disconnects or does not arrive within the implementation's
 *       timeout, the call throws an unchecked exception whose message names that peer (its rank,
 *       and its address where there is one) on every replica that can tell; a call never blocks
 *       without bound. The group is then unusable.
 *   <li>No allocation is required of the caller per call; implementations should not allocate per
 *       call either, since SyncBatchNorm calls them every training step.
 * </ul>
 */
public interface ReplicaGroup {
  /** This replica's index, 0 ≤ rank &lt; size. */
  int rank();

  /** Number of replicas, at least 1. */
  int size();

  /**
   * Element-wise sum over all replicas, written into {@code values} on every replica: values[k] =
   * ((v₀[k] + v₁[k]) + v₂[k]) + … in rank order.
   */
  void allReduce(double[] values);

  /**
   * Every replica's {@code local} (all of the same length n), concatenated in rank order into
   * {@code out} (length size·n): out[r·n + k] = local of rank r, [k].
   */
  void allGather(double[] local, double[] out);
}
