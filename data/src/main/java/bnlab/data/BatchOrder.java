package bnlab.data;

import bnlab.tensor.Rng;
import java.util.Arrays;

/**
 * The order in which a {@link DataLoader} visits a data set in one epoch: a permutation of {0, ...,
 * N-1} that the loader cuts into consecutive batches. Every order visits every index exactly once
 * per epoch and depends only on (seed, epoch), so a run resumes exactly and gives the same batches
 * on every machine.
 */
public final class BatchOrder {
  private BatchOrder() {}

  /** 0, 1, ..., n-1. */
  public static int[] sequential(int n) {
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    return order;
  }

  /** A uniformly random permutation (Fisher-Yates with {@link Rng}) for (seed, epoch). */
  public static int[] shuffled(int n, long seed, int epoch) {
    int[] order = sequential(n);
    epochRng(seed, epoch).shuffle(order);
    return order;
  }

  /**
   * A class-clustered (non-i.i.d.) order: classes are shuffled and grouped {@code classesPerBatch}
   * at a time, the images of each group are shuffled together and laid end to end, the sequence is
   * cut into batches of {@code batchSize}, and the full batches are shuffled (a last partial batch
   * stays last). A batch therefore holds images of {@code classesPerBatch} classes, or up to twice
   * as many where it straddles two groups. With {@code classesPerBatch} = number of classes this is
   * an ordinary shuffle up to the batch order.
   */
  public static int[] classClustered(
      Dataset ds, int batchSize, int classesPerBatch, long seed, int epoch) {
    int k = ds.classes().size();
    if (classesPerBatch < 1 || classesPerBatch > k) {
      throw new IllegalArgumentException(
          "classesPerBatch must be in [1, " + k + "], got " + classesPerBatch);
    }
    Rng rng = epochRng(seed, epoch);
    int[][] byClass = Subsets.indicesByClass(ds);
    int[] classes = sequential(k);
    rng.shuffle(classes);
    int[] seq = new int[ds.size()];
    int pos = 0;
    for (int g = 0; g < k; g += classesPerBatch) {
      int start = pos;
      for (int c = g; c < Math.min(k, g + classesPerBatch); c++) {
        int[] members = byClass[classes[c]];
        System.arraycopy(members, 0, seq, pos, members.length);
        pos += members.length;
      }
      shuffleRange(seq, start, pos, rng);
    }
    return shuffleFullBatches(seq, batchSize, rng);
  }

  private static int[] shuffleFullBatches(int[] seq, int batchSize, Rng rng) {
    int full = seq.length / batchSize;
    int[] batchOrder = sequential(full);
    rng.shuffle(batchOrder);
    int[] out = new int[seq.length];
    for (int b = 0; b < full; b++) {
      System.arraycopy(seq, batchOrder[b] * batchSize, out, b * batchSize, batchSize);
    }
    System.arraycopy(seq, full * batchSize, out, full * batchSize, seq.length - full * batchSize);
    return out;
  }

  private static void shuffleRange(int[] a, int from, int to, Rng rng) {
    for (int i = to - 1; i > from; i--) {
      int j = from + rng.nextInt(i - from + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** The generator for one epoch's order: depends only on (seed, epoch). */
  static Rng epochRng(long seed, int epoch) {
    return new Rng(mix(seed, epoch));
  }

  /** Mixes two numbers into a well-spread seed (one SplitMix64 step over their combination). */
  static long mix(long a, long b) {
    return new Rng(a ^ Long.rotateLeft(b * 0x9E3779B97F4A7C15L, 29) ^ 0xD1B54A32D192ED03L)
        .nextLong();
  }
}
