package bnlab.train;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;

/**
 * Mini-batches over a {@link Dataset} in PyTorch DataLoader order: with shuffling, a seeded random
 * permutation per epoch; the last partial batch is kept (drop_last=False).
 *
 * <p>The permutation of epoch e depends only on (seed, e), not on how many epochs ran before in
 * this process, so a resumed run sees exactly the order an uninterrupted run would have seen.
 */
public final class BatchLoader {
  private final Dataset data;
  private final int batchSize;
  private final boolean shuffle;
  private final long seed;
  private final int[] order;
  private final int itemSize;
  private final int[] fullShape;
  private final int[] lastShape;
  private int cursor;

  /** A loader over {@code data}; {@code seed} fixes the shuffled order of every epoch. */
  public BatchLoader(Dataset data, int batchSize, boolean shuffle, long seed) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    this.data = data;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.order = new int[data.size()];
    int s = 1;
    for (int d : data.itemShape()) {
      s *= d;
    }
    this.itemSize = s;
    int[] item = data.itemShape();
    this.fullShape = new int[item.length + 1];
    System.arraycopy(item, 0, fullShape, 1, item.length);
    this.lastShape = fullShape.clone();
    fullShape[0] = batchSize;
    lastShape[0] = data.size() % batchSize == 0 ? batchSize : data.size() % batchSize;
    startEpoch(1);
  }

  /** Mini-batches per epoch (the last one may be partial). */
  public int batchesPerEpoch() {
    return (data.size() + batchSize - 1) / batchSize;
  }

  /** The data set. */
  public Dataset dataset() {
    return data;
  }

  /** Rewinds to the start of epoch {@code epoch} (from 1) with that epoch's order. */
  public void startEpoch(int epoch) {
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (shuffle) {
      new Rng(seed * 0x9E3779B97F4A7C15L + epoch).shuffle(order);
    }
    cursor = 0;
  }

  /** Fills {@code b} with the next batch; false at the end of the epoch. */
  public boolean next(Batch b) {
    if (cursor >= order.length) {
      return false;
    }
    int n = Math.min(batchSize, order.length - cursor);
    b.x = Tensor.ensure(b.x, n == batchSize ? fullShape : lastShape);
    if (b.labels.length < n) {
      b.labels = new int[batchSize];
    }
    float[] dst = b.x.data();
    for (int i = 0; i < n; i++) {
      int idx = order[cursor + i];
      data.copyItem(idx, dst, i * itemSize);
      b.labels[i] = data.label(idx);
    }
    b.n = n;
    cursor += n;
    return true;
  }
}
