package bnlab.train;

/**
 * The last {@code capacity} mini-batch losses in a ring, for "mean loss over the last 500
 * mini-batches" (summary.json's final_train_loss). Its contents are part of the trainer state a
 * checkpoint saves, so a resumed run reports the same figure.
 */
public final class LossWindow implements TrainListener {
  private final double[] ring;
  private long count;

  /** A window over the last {@code capacity} losses. */
  public LossWindow(int capacity) {
    ring = new double[capacity];
  }

  @Override
  public void onBatch(Step s) {
    ring[(int) (count++ % ring.length)] = s.loss();
  }

  /** Mean of the retained losses (NaN if none). */
  public double mean() {
    int n = (int) Math.min(count, ring.length);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += ring[(int) ((count - 1 - i) % ring.length)];
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** The retained losses, oldest first (for checkpoints). */
  public double[] values() {
    int n = (int) Math.min(count, ring.length);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = ring[(int) ((count - n + i) % ring.length)];
    }
    return out;
  }

  /** Restores the window from {@link #values()}. */
  public void restore(double[] oldestFirst) {
    count = 0;
    for (double v : oldestFirst) {
      ring[(int) (count++ % ring.length)] = v;
    }
  }
}
