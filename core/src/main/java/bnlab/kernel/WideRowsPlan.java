package bnlab.kernel;

/**
 * The part that {@link DirectConvPlan} and {@link PhaseConvPlan} share: a convolution run as {@link
 * DirectConv}'s wide rows over a tap list ({@link #layout}), and its weight gradient per chunk,
 * either by {@link DirectWeightGrad}'s outer products image by image (output channels a multiple of
 * 16) or by {@link DirectConv#weightGradImages}' dot products over groups of images ({@link
 * DirectConv.Layout#groupImages}), each image's input gradient right after its group's sums while
 * its dY is still in cache. A plan says where an image's input is read from ({@link #imageSource})
 * and how its input gradient is made ({@link #inputGradient}).
 */
abstract class WideRowsPlan extends ChunkedPlan {
  // Slots of per-chunk arrays (slot + chunk); a plan numbers its own from FIRST_SLOT.
  private static final int DY_WIDE = 1;
  private static final int ACC = DY_WIDE + MAX_CHUNKS;
  private static final int DY_T = ACC + MAX_CHUNKS;
  private static final int TILE = DY_T + MAX_CHUNKS;
  private static final int SHIFTED = TILE + MAX_CHUNKS;

  /** The first scratch slot a plan may use for itself. */
  static final int FIRST_SLOT = SHIFTED + MAX_CHUNKS;

  /** The convolution as run: its wide rows and taps. */
  final DirectConv.Layout layout;

  /** Images per weight-gradient pass: 1 for the outer products. */
  final int group;

  /**
   * The weight gradient's tap offsets for the outer products, or null where the dot products run
   * it.
   */
  private final int[] outerOffsets;

  /**
   * Whether the outer products sum over the output positions only, from {@link
   * DirectWeightGrad#shift}'s copies ({@link DirectWeightGrad#compact}).
   */
  private final boolean compact;

  // Per chunk: the dot products' wide dY rows and partial sums; the outer products' transposed dY,
  // tile sums, the chunk's sums and the shifted copies of an image.
  private final float[][] dyWide;
  private final float[][] acc;
  private final float[][] dyT;
  private final float[][] tile;
  private final double[][] sums;
  private final float[][] shifted;

  /** Per chunk, where each image of a group is read from ({@link #imageSource} fills them). */
  final float[][][] groupSrc;

  final int[][] groupOff;

  /**
   * With {@code outer} null the weight gradient takes the outer products wherever they apply
   * ({@link DirectWeightGrad#applies}), true or false force them or the dot products; {@code
   * mayCompact} lets the outer products run over the outputs' positions where the rule says so (a
   * layout of g's own taps only).
   */
  WideRowsPlan(
      String kernels,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      ConvPlan previous,
      DirectConv.Layout layout,
      Boolean outer,
      boolean mayCompact) {
    super(kernels, g, batch, training, inputGrad, previous, chunksFor(batch));
    this.layout = layout;
    boolean outerProducts = outer != null ? outer : DirectWeightGrad.applies(layout);
    compact = outerProducts && mayCompact && DirectWeightGrad.compact(layout);
    outerOffsets =
        !outerProducts
            ? null
            : compact ? DirectWeightGrad.compactOffsets(layout) : DirectWeightGrad.offsets(layout);
    dyWide = new float[chunks][];
    acc = new float[chunks][];
    dyT = new float[chunks][];
    tile = new float[chunks][];
    shifted = new float[compact ? chunks : 0][];
    sums = new double[outerProducts ? chunks : 0][];
    for (int c = 0; c < sums.length; c++) {
      sums[c] = new double[layout.crs * g.outChannels()];
    }
    group = outerProducts ? 1 : layout.groupImages(imagesPerChunk());
    groupSrc = new float[chunks][group][];
    groupOff = new int[chunks][group];
  }

  /** The weight gradient's kernel, for {@link #details}. */
  final String weightGradDetails() {
    if (!training || outerOffsets == null) {
      return "";
    }
    return compact
        ? ", weight gradient by outer products over the outputs' positions"
        : ", weight gradient by outer products";
  }

  /** The weight gradient's scratch, from {@link #beforeBackward}. */
  final void weightGradScratch() {
    for (int c = 0; c < chunks; c++) {
      if (outerOffsets != null) {
        dyT[c] = scratch.floats(DY_T + c, DirectWeightGrad.transposedSize(layout));
        tile[c] = scratch.floats(TILE + c, DirectWeightGrad.tileSize(layout));
        if (compact) {
          shifted[c] = scratch.floats(SHIFTED + c, DirectWeightGrad.shiftedSize(layout));
        }
      } else {
        dyWide[c] = scratch.floats(DY_WIDE + c, group * layout.dyWideSize());
        acc[c] = scratch.floats(ACC + c, layout.accSize());
      }
    }
  }

  /** Image t's input into slot i of the chunk's group: sets groupSrc[chunk][i], groupOff. */
  abstract void imageSource(int chunk, int t, int i);

  /** dX of image t (called only when dX is wanted). */
  abstract void inputGradient(int chunk, int t);

  /** Before a chunk's backward, on its own thread. */
  void beginChunk(int chunk) {}

  // dY (N,K,P,Q) -> partial (K,C,R,S), dX (N,C,H,W); a group of images at a time, so that their x
  // and dY are still in the caches when the input gradient reads dY again.
  @Override
  final void backwardChunk(int chunk, int t0, int t1) {
    beginChunk(chunk);
    if (outerOffsets != null) {
      backwardOuter(chunk, t0, t1);
      return;
    }
    float[][] srcs = groupSrc[chunk];
    int[] offs = groupOff[chunk];
    DirectConv.weightGradBegin(layout, dyWide[chunk], Math.min(group, t1 - t0));
    for (int t = t0; t < t1; t += group) {
      int n = Math.min(group, t1 - t);
      for (int i = 0; i < n; i++) {
        imageSource(chunk, t + i, i);
        DirectConv.wideGradient(layout, dy, (t + i) * g.outSize(), dyWide[chunk], i);
      }
      float[] last = t + n == t1 ? parts : null;
      DirectConv.weightGradImages(
          layout, n, srcs, offs, dyWide[chunk], acc[chunk], t == t0, last, chunk * g.weightSize());
      if (dx != null) {
        for (int i = 0; i < n; i++) {
          inputGradient(chunk, t + i);
        }
      }
    }
  }

  // The weight gradient by DirectWeightGrad's outer products, image by image, each image's dX
  // right after its sums while its dY is in cache.
  private void backwardOuter(int chunk, int t0, int t1) {
    double[] sum = sums[chunk];
    for (int t = t0; t < t1; t++) {
      imageSource(chunk, t, 0);
      float[] src = groupSrc[chunk][0];
      int off = groupOff[chunk][0];
      if (compact) {
        DirectWeightGrad.shift(layout, src, off, shifted[chunk]);
        src = shifted[chunk];
        off = 0;
      }
      DirectWeightGrad.transpose(layout, dy, t * g.outSize(), dyT[chunk], compact);
      DirectWeightGrad.image(layout, outerOffsets, src, off, dyT[chunk], tile[chunk], compact);
      DirectWeightGrad.add(layout, tile[chunk], sum, t == t0);
      if (dx != null) {
        inputGradient(chunk, t);
      }
    }
    DirectWeightGrad.finish(layout, sum, parts, chunk * g.weightSize());
  }
}
