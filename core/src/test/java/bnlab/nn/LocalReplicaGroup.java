package bnlab.nn;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An in-process {@link ReplicaGroup} for tests: the replicas are threads that meet at a barrier.
 * Each collective publishes the caller's array, waits for every replica, combines the published
 * arrays in rank order, and waits again before anyone may reuse its array. A replica that does not
 * arrive within the timeout makes the others throw, naming it.
 */
final class LocalReplicaGroup implements ReplicaGroup {
  private final Shared shared;
  private final int rank;
  private long calls;

  private static final class Shared {
    final CyclicBarrier barrier;
    final double[][] published;
    final AtomicLongArray arrivals;
    final long timeoutMillis;

    Shared(int size, long timeoutMillis) {
      barrier = new CyclicBarrier(size);
      published = new double[size][];
      arrivals = new AtomicLongArray(size);
      this.timeoutMillis = timeoutMillis;
    }
  }

  private LocalReplicaGroup(Shared shared, int rank) {
    this.shared = shared;
    this.rank = rank;
  }

  /** The {@code size} members of one group, by rank. */
  static LocalReplicaGroup[] create(int size, long timeoutMillis) {
    Shared shared = new Shared(size, timeoutMillis);
    LocalReplicaGroup[] group = new LocalReplicaGroup[size];
    for (int r = 0; r < size; r++) {
      group[r] = new LocalReplicaGroup(shared, r);
    }
    return group;
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return shared.published.length;
  }

  @Override
  public void allReduce(double[] values) {
    shared.published[rank] = values;
    await("allReduce");
    double[] sum = new double[values.length];
    for (double[] other : shared.published) {
      if (other.length != values.length) {
        throw new IllegalStateException("allReduce: arrays of different lengths");
      }
      for (int k = 0; k < sum.length; k++) {
        sum[k] += other[k];
      }
    }
    await("allReduce");
    System.arraycopy(sum, 0, values, 0, sum.length);
  }

  @Override
  public void allGather(double[] local, double[] out) {
    shared.published[rank] = local;
    await("allGather");
    int n = local.length;
    for (int r = 0; r < size(); r++) {
      System.arraycopy(shared.published[r], 0, out, r * n, n);
    }
    await("allGather");
  }

  private void await(String what) {
    calls++;
    shared.arrivals.set(rank, calls);
    try {
      shared.barrier.await(shared.timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | BrokenBarrierException e) {
      throw new IllegalStateException(
          "replica " + rank + ": " + what + " failed, " + missing() + " did not arrive", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("replica " + rank + ": interrupted in " + what, e);
    }
  }

  private String missing() {
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < size(); r++) {
      if (shared.arrivals.get(r) < calls) {
        sb.append(sb.length() == 0 ? "replica " : ", ").append(r);
      }
    }
    return sb.length() == 0 ? "a peer" : sb.toString();
  }
}
