package bnlab.data;

import bnlab.tensor.Rng;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Cuts a {@link Dataset} into mini-batches of float tensors (N, C, H, W), as PyTorch's {@code
 * DataLoader(dataset, batch_size, shuffle, drop_last)}.
 *
 * <ul>
 *   <li>Order: sequential by default; {@link #shuffle(long)} draws a new permutation per epoch from
 *       (seed, epoch) with {@link Rng}, so one seed gives one order on every machine and a resumed
 *       run ({@link #setEpoch}, {@link #epoch(int, int)}) continues exactly; {@link
 *       #classClustered} builds non-i.i.d. batches of few classes.
 *   <li>Last batch: as PyTorch's default ({@code drop_last=False}) a smaller last batch is
 *       returned; {@link #dropLast(boolean)} drops it.
 *   <li>Transforms run per image in the given order; their random draws come from (seed, epoch,
 *       batch), independent of threading.
 *   <li>Prefetch: by default a background thread prepares the next batches while the trainer works;
 *       memory is bounded by a ring of {@code prefetch + 1} reused batch buffers. A {@link Batch}
 *       is valid until the next one is requested.
 * </ul>
 *
 * <pre>{@code
 * DataLoader loader = new DataLoader(train, 128).shuffle(44)
 *     .transforms(new RandomCrop(32, 4), new RandomHorizontalFlip(), new ToTensor(),
 *                 new Normalize(mean, std));
 * for (int e = 0; e < epochs; e++) {
 *   try (DataLoader.Epoch it = loader.epoch(e)) {
 *     while (it.hasNext()) { Batch b = it.next(); model.forward(b.x()); ... }
 *   }
 * }
 * }</pre>
 */
public final class DataLoader implements Iterable<Batch> {
  private final Dataset dataset;
  private final int batchSize;
  private boolean shuffle;
  private long seed;
  private boolean dropLast;
  private int classesPerBatch;
  private int shardRank;
  private int shards = 1;
  private int prefetch = 2;
  private List<Transform> transforms = List.of();
  private int nextEpoch;
  private Epoch active;

  /** A sequential loader of batches of {@code batchSize} (PyTorch's {@code shuffle=False}). */
  public DataLoader(Dataset dataset, int batchSize) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    if (dataset.size() == 0) {
      throw new IllegalArgumentException("empty data set");
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
  }

  /** Shuffles every epoch with a permutation drawn from (seed, epoch). */
  public DataLoader shuffle(long seed) {
    this.shuffle = true;
    this.seed = seed;
    return this;
  }

  /** The seed of shuffling and random transforms (default 0). */
  public DataLoader seed(long seed) {
    this.seed = seed;
    return this;
  }

  /**
   * Class-clustered (non-i.i.d.) batches: see {@link BatchOrder#classClustered}. Implies shuffling
   * with the loader's seed; 0 turns it off.
   */
  public DataLoader classClustered(int classesPerBatch) {
    if (classesPerBatch != 0) {
      if (classesPerBatch < 0 || classesPerBatch > dataset.classes().size()) {
        throw new IllegalArgumentException(
            "classesPerBatch must be in [1, "
                + dataset.classes().size()
                + "], got "
                + classesPerBatch);
      }
      this.shuffle = true;
    }
    this.classesPerBatch = classesPerBatch;
    return this;
  }

  /** Drops the last batch when it is smaller than the batch size (default false, as PyTorch). */
  public DataLoader dropLast(boolean dropLast) {
    this.dropLast = dropLast;
    return this;
  }

  /**
   * Data-parallel sharding: every batch holds only part {@code rank} of {@code replicas} equal
   * parts of the batch the loader would otherwise return (rows [rank·n/replicas, (rank+1)·n/
   * replicas) of its n images), so replicas that share seed and batch size see disjoint parts of
   * one global batch; the number of batches is unchanged. Random transforms start their draws at
   * the part's first image (from the same (seed, epoch, batch) stream), so with random transforms a
   * part is not bit-identical to those rows of the unsharded batch. Default: one part.
   */
  public DataLoader shard(int rank, int replicas) {
    if (replicas < 1 || rank < 0 || rank >= replicas) {
      throw new IllegalArgumentException(
          "shard " + rank + " of " + replicas + ": need 0 <= rank < replicas");
    }
    this.shardRank = rank;
    this.shards = replicas;
    return this;
  }

  /** Per-image transforms, applied in order (torchvision's Compose). */
  public DataLoader transforms(Transform... transforms) {
    this.transforms = List.of(transforms);
    imageShape(); // fail now, not on the background thread, if the shapes do not fit
    return this;
  }

  /** Number of batches prepared ahead on a background thread; 0 prepares them on the caller. */
  public DataLoader prefetch(int batches) {
    if (batches < 0) {
      throw new IllegalArgumentException("prefetch must be >= 0, got " + batches);
    }
    this.prefetch = batches;
    return this;
  }

  /** Sets the epoch the next {@link #iterator()} runs (as PyTorch's {@code sampler.set_epoch}). */
  public DataLoader setEpoch(int epoch) {
    this.nextEpoch = epoch;
    return this;
  }

  /** The data set. */
  public Dataset dataset() {
    return dataset;
  }

  /** The batch size. */
  public int batchSize() {
    return batchSize;
  }

  /** Batches per epoch: floor(N / B) with dropLast, else ceil(N / B). */
  public int numBatches() {
    int n = dataset.size();
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  /** The (C, H, W) of the batches after the transforms. */
  public int[] imageShape() {
    int[] s = {dataset.channels(), dataset.height(), dataset.width()};
    for (Transform t : transforms) {
      s = t.outputShape(s[0], s[1], s[2]);
    }
    return s;
  }

  /** The order in which epoch {@code epoch} visits the data set (a permutation of its indices). */
  public int[] order(int epoch) {
    int n = dataset.size();
    if (!shuffle) {
      return BatchOrder.sequential(n);
    }
    if (classesPerBatch > 0) {
      return BatchOrder.classClustered(dataset, batchSize, classesPerBatch, seed, epoch);
    }
    return BatchOrder.shuffled(n, seed, epoch);
  }

  /** Runs the epoch set by {@link #setEpoch} (0 at first), then advances it by one. */
  @Override
  public Epoch iterator() {
    return epoch(nextEpoch++, 0);
  }

  /** The batches of epoch {@code epoch}. Close it if you stop before the end. */
  public Epoch epoch(int epoch) {
    return epoch(epoch, 0);
  }

  /**
   * The batches of epoch {@code epoch} from batch {@code startBatch} on (exact resume). Starting an
   * epoch closes the previous one of this loader, so an abandoned epoch never keeps its thread.
   */
  public Epoch epoch(int epoch, int startBatch) {
    if (startBatch < 0 || startBatch > numBatches()) {
      throw new IllegalArgumentException(
          "start batch " + startBatch + " outside [0, " + numBatches() + "]");
    }
    if (active != null) {
      active.close();
    }
    active = new Epoch(epoch, startBatch, order(epoch));
    return active;
  }

  /** Fills {@code out} with batch {@code b} of the epoch whose order is {@code order}. */
  private void fill(Batch out, int epoch, int b, int[] order, Image img, byte[] bytes) {
    int whole = Math.min(batchSize, order.length - b * batchSize);
    int start = b * batchSize + shardRank * whole / shards;
    int n = b * batchSize + (shardRank + 1) * whole / shards - start;
    out.reset(n, b, epoch);
    Rng rng = new Rng(BatchOrder.mix(BatchOrder.mix(seed, epoch), 0x5EEDL + b));
    float[] dst = out.data();
    int[] labels = out.labels();
    int[] indices = out.indices();
    int c = dataset.channels();
    int h = dataset.height();
    int w = dataset.width();
    int pos = 0;
    for (int i = 0; i < n; i++) {
      int idx = order[start + i];
      dataset.get(idx, bytes, 0);
      img.load(bytes, 0, c, h, w);
      for (Transform t : transforms) {
        t.apply(img, rng);
      }
      int size = img.channels() * img.height() * img.width();
      System.arraycopy(img.data(), 0, dst, pos, size);
      pos += size;
      labels[i] = dataset.label(idx);
      indices[i] = idx;
    }
  }

  /**
   * The batches of one epoch, in order. With prefetching it owns a background thread, stopped at
   * the end of the epoch or by {@link #close()}.
   */
  public final class Epoch implements Iterator<Batch>, AutoCloseable {
    private final int epoch;
    private final int[] order;
    private final int end;
    private int next;
    private final Prefetcher prefetcher;
    private final Batch single;
    private final Image img;
    private final byte[] bytes;

    private Epoch(int epoch, int startBatch, int[] order) {
      this.epoch = epoch;
      this.order = order;
      this.end = numBatches();
      this.next = startBatch;
      int[] shape = imageShape();
      int cap = Math.max(dataset.imageBytes(), shape[0] * shape[1] * shape[2]);
      if (prefetch > 0 && startBatch < end) {
        List<Batch> ring = new ArrayList<>();
        for (int i = 0; i <= prefetch; i++) {
          ring.add(new Batch(batchSize, shape));
        }
        prefetcher =
            new Prefetcher(
                ring,
                startBatch,
                end,
                new Prefetcher.Filler() {
                  private final Image pImg = new Image(cap);
                  private final byte[] pBytes = new byte[dataset.imageBytes()];

                  @Override
                  public void fill(Batch out, int b) {
                    DataLoader.this.fill(out, epoch, b, order, pImg, pBytes);
                  }
                });
        single = null;
        img = null;
        bytes = null;
      } else {
        prefetcher = null;
        single = new Batch(batchSize, shape);
        img = new Image(cap);
        bytes = new byte[dataset.imageBytes()];
      }
    }

    /** The epoch number. */
    public int epoch() {
      return epoch;
    }

    @Override
    public boolean hasNext() {
      return next < end;
    }

    /** The next batch; the previous one returned by this epoch becomes invalid. */
    @Override
    public Batch next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException("epoch " + epoch + " has no more batches");
      }
      int b = next++;
      if (prefetcher != null) {
        return prefetcher.take(b);
      }
      fill(single, epoch, b, order, img, bytes);
      return single;
    }

    /** Stops the background thread, if any. Safe to call more than once. */
    @Override
    public void close() {
      if (prefetcher != null) {
        prefetcher.close();
      }
    }
  }
}
