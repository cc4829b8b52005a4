package bnlab.nn;

/**
 * A 64-bit integer buffer, such as BatchNorm's {@code num_batches_tracked}; saved in checkpoints as
 * an int64 scalar as PyTorch does.
 */
public final class Counter {
  private long value;

  /** The current value. */
  public long get() {
    return value;
  }

  /** Replaces the value. */
  public void set(long value) {
    this.value = value;
  }

  /** Adds one and returns the new value. */
  public long increment() {
    return ++value;
  }
}
