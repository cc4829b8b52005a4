package bnlab.kernel;

/**
 * The batch loop the vector plans share: the images are split into {@link #chunks} fixed chunks (a
 * function of the batch, and of the geometry where a strategy chooses fewer than min(batch, {@link
 * #MAX_CHUNKS}), never of the thread count) that run on the {@link Parallel} pool, each image
 * computed by the same single-threaded kernels in any chunk. The weight gradient is summed per
 * chunk into a partial of its own, and the partials are added to dWeight in chunk order, so no
 * result depends on the thread count.
 */
abstract class ChunkedPlan extends BasePlan {
  /** At most this many chunks, whatever the thread count. */
  static final int MAX_CHUNKS = Parallel.BATCH_CHUNKS;

  /** Slot of the weight-gradient partials; strategies number their own slots from 1. */
  private static final int PARTS = 0;

  final int chunks;
  private final String kernels;
  private final Parallel.Body body = this::runClaimed;

  /** The chunk run at each claim position: see {@link #claimOrder}. */
  private final int[] order;

  // This call's arguments, cleared afterwards so the plan does not keep arrays alive.
  private boolean backwardPass;
  float[] x;
  float[] w;
  float[] bias;
  float[] y;
  float[] dy;
  float[] dx;

  /** K·C·R·S per chunk: this call's weight-gradient partials. */
  float[] parts;

  /** The usual number of chunks: one per image, at most {@link #MAX_CHUNKS}. */
  static int chunksFor(int batch) {
    return Math.min(batch, MAX_CHUNKS);
  }

  /** With {@code chunks} chunks (1 to {@link #chunksFor}(batch)). */
  ChunkedPlan(
      String kernels,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      ConvPlan previous,
      int chunks) {
    super(g, batch, training, inputGrad, false, previous);
    if (chunks < Math.min(1, batch) || chunks > chunksFor(batch)) {
      throw new IllegalArgumentException(
          "chunks must be within 1.." + chunksFor(batch) + ", got " + chunks);
    }
    this.kernels = kernels;
    this.chunks = chunks;
    this.order = claimOrder(batch, chunks);
  }

  /**
   * The chunk run at each claim position. The pool's caller claims from the front and its worker
   * from the back ({@link Parallel#forEach}), so the first half of the chunks go to the front in
   * ascending order and the second half to the back in descending order: with equal chunks each
   * thread takes the same images in every layer and job (the pooling, bias and element-wise jobs
   * split images the same way), and finds them in its own core's cache; a chunk written on one core
   * and then read or written on the other cost 3–8× the bandwidth on two cores of Zen 5. In each
   * half the larger chunks (a batch that chunks do not divide leaves some one image larger) come
   * first, at the ends, so that the smaller ones in the middle even out the threads' loads: with
   * batch 10 in 8 chunks two threads run 5 images each rather than 6 and 4. Which thread runs a
   * chunk never changes its result.
   */
  static int[] claimOrder(int batch, int chunks) {
    int[] order = new int[chunks];
    int small = batch / Math.max(1, chunks);
    int half = (chunks + 1) / 2;
    int front = 0;
    int back = chunks - 1;
    for (int pass = 0; pass < 2; pass++) {
      for (int c = 0; c < half; c++) {
        if ((chunkImages(batch, chunks, c) > small) == (pass == 0)) {
          order[front++] = c;
        }
      }
      for (int c = chunks - 1; c >= half; c--) {
        if ((chunkImages(batch, chunks, c) > small) == (pass == 0)) {
          order[back--] = c;
        }
      }
    }
    return order;
  }

  private void runClaimed(int i) {
    runChunk(order[i]);
  }

  private static int chunkImages(int batch, int chunks, int chunk) {
    return (int) ((long) (chunk + 1) * batch / chunks) - (int) ((long) chunk * batch / chunks);
  }

  @Override
  String kernels() {
    return kernels;
  }

  /** Images t0 ≤ t &lt; t1 of chunk {@code chunk}: their outputs. */
  abstract void forwardChunk(int chunk, int t0, int t1);

  /** Images t0 ≤ t &lt; t1: the partial at {@code parts[chunk·K·C·R·S]} (overwritten), and dX. */
  abstract void backwardChunk(int chunk, int t0, int t1);

  /**
   * Before the chunks of a forward run, on the calling thread: where a strategy takes its scratch
   * arrays (the chunks may run on several threads and must not grow them).
   */
  void beforeForward() {}

  /** As {@link #beforeForward}, for backward (also where the weight may be transformed). */
  void beforeBackward() {}

  /** Values per chunk in {@link #parts}: K·C·R·S unless a strategy keeps its partials elsewhere. */
  int partSize() {
    return g.weightSize();
  }

  /** dW += the chunks' partials, in chunk order, on the calling thread after every chunk ran. */
  void addPartials(float[] dw) {
    for (int c = 0; c < chunks; c++) {
      addPartial(c, dw);
    }
  }

  /** dW += partial of chunk c (stored as K·C·R·S unless a strategy says otherwise). */
  void addPartial(int c, float[] dw) {
    int size = g.weightSize();
    VectorArrays.addInto(parts, c * size, dw, 0, size);
  }

  @Override
  final void forwardBatch(float[] x, float[] w, float[] bias, float[] y) {
    this.x = x;
    this.w = w;
    this.bias = bias;
    this.y = y;
    try {
      beforeForward();
      forwardAll((long) batch * g.outChannels() * g.crs() * g.pq());
    } finally {
      clearArguments();
    }
  }

  @Override
  final void backwardBatch(float[] dy, float[] x, float[] w, float[] dw, float[] dx) {
    this.dy = dy;
    this.x = x;
    this.w = w;
    this.dx = dx;
    parts = scratch.floats(PARTS, chunks * partSize());
    try {
      beforeBackward();
      backwardAll(2L * batch * g.outChannels() * g.crs() * g.pq());
    } finally {
      clearArguments();
    }
    addPartials(dw);
  }

  /**
   * This call's forward, after {@link #beforeForward}: the chunks, on the pool when {@code work}
   * (multiply-adds) pays for it. A strategy may split the batch its own way, as long as no result
   * depends on which thread computes it.
   */
  void forwardAll(long work) {
    runChunks(false, work);
  }

  /** As {@link #forwardAll}, for backward, before {@link #addPartials}. */
  void backwardAll(long work) {
    runChunks(true, work);
  }

  private void runChunks(boolean backward, long work) {
    backwardPass = backward;
    if (work < VectorGemm.PARALLEL_MIN || Parallel.threads() == 1) {
      for (int c = 0; c < chunks; c++) {
        runChunk(c);
      }
    } else {
      Parallel.forEach(chunks, body);
    }
  }

  private void clearArguments() {
    x = w = bias = y = dy = dx = null;
  }

  private void runChunk(int chunk) {
    int t0 = (int) ((long) chunk * batch / chunks);
    int t1 = (int) ((long) (chunk + 1) * batch / chunks);
    if (backwardPass) {
      backwardChunk(chunk, t0, t1);
    } else {
      forwardChunk(chunk, t0, t1);
    }
  }

  /** Images per chunk, at most. */
  int imagesPerChunk() {
    return chunks == 0 ? 0 : (batch + chunks - 1) / chunks;
  }
}
