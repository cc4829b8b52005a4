package bnlab.train;

import bnlab.tensor.Tensor;

/**
 * One mini-batch: inputs (N, ...) and labels; the arrays are reused from batch to batch, so a
 * listener that wants to keep a batch must copy it.
 */
public final class Batch {
  Tensor x;
  int[] labels = new int[0];
  int n;

  /** The inputs, shape (n, item shape...). */
  public Tensor x() {
    return x;
  }

  /** The labels; only the first {@link #n()} entries belong to this batch. */
  public int[] labels() {
    return labels;
  }

  /** Number of examples in this batch. */
  public int n() {
    return n;
  }

  /** A deep copy (used by probes that keep a fixed batch). */
  public Batch copy() {
    Batch b = new Batch();
    b.x = x.copy();
    b.labels = labels.clone();
    b.n = n;
    return b;
  }
}
