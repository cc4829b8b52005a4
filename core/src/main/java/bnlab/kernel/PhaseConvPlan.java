package bnlab.kernel;

/**
 * {@link ConvStrategy#PHASES}: a stride-2 convolution as {@link DirectConv}'s wide-row direct
 * convolution over the input's four phases ({@link StridePhases}), image by image within each chunk
 * of the batch ({@link ChunkedPlan}).
 *
 * <p>Forward: each image is split into its padded phases (one copy of the input, where im2col
 * writes C·R·S·P·Q floats, 2.25 input sizes for 3×3), then the direct kernels run over the C·R·S
 * taps that exist. Backward: a group of images' weight gradient by {@link
 * DirectConv#weightGradImages} over the same phases and taps, then each image's input gradient as
 * four direct convolutions of its padded dY, one per phase, interleaved back into dX.
 */
final class PhaseConvPlan extends ChunkedPlan {
  // Slots of per-chunk arrays (slot + chunk), then the weights laid out for the kernels.
  private static final int PHASED = 1;
  private static final int WIDE = PHASED + MAX_CHUNKS;
  private static final int DY_WIDE = WIDE + MAX_CHUNKS;
  private static final int ACC = DY_WIDE + MAX_CHUNKS;
  private static final int DY_PAD = ACC + MAX_CHUNKS;
  private static final int DX_PHASES = DY_PAD + MAX_CHUNKS;
  private static final int PANELS = DX_PHASES + MAX_CHUNKS;
  private static final int ROW_MAJOR = PANELS + 1;
  private static final int GRAD_PANELS = ROW_MAJOR + 1;
  private static final int DY_T = GRAD_PANELS + 4;
  private static final int TILE = DY_T + MAX_CHUNKS;
  private static final int KEPT = TILE + MAX_CHUNKS;

  /** The forward and weight gradient: the phases' convolution over g's taps. */
  private final DirectConv.Layout layout;

  /** Per phase, its input gradient's convolution over dY (null without the input gradient). */
  private final DirectConv.Layout[] gradLayouts;

  /** Images per weight-gradient pass ({@link DirectConv.Layout#groupImages}). */
  private final int group;

  /**
   * The weight gradient's tap offsets for {@link DirectWeightGrad}'s outer products (output
   * channels a multiple of 16), or null where {@link DirectConv#weightGradImages}' dot products run
   * it. The outer products run over the wide positions: the phases' rows are only ⌈S/2⌉ − 1 columns
   * wider than the output's.
   */
  private final int[] outerOffsets;

  // For the outer products, per chunk: an image's transposed dY, its tile sums, the chunk's sums.
  private final float[][] dyT;
  private final float[][] tile;
  private final double[][] sums;

  // This call's scratch, per chunk: the group's phases (plus a wide row of slack), the wide output
  // rows, the wide dY rows, the weight gradient's partial sums, the padded dY and dX's phases.
  private final float[][] phased;

  /**
   * In training, the batch's phases from the forward (image t at t·{@link #size}, a wide row of
   * zeros after the last), read again by the backward; x must not change in between, as for every
   * plan ({@link BasePlan#backward} takes the last forward's x).
   */
  private float[] kept;

  /** Floats of one image's phases. */
  private final int size;

  private final float[][] wide;
  private final float[][] dyWide;
  private final float[][] acc;
  private final float[][] dyPad;
  private final float[][] dxPhases;
  private final float[][][] groupSrc;
  private final int[][] groupOff;

  // This call's weight in panels for the forward, and each phase's for the input gradient.
  private float[] panels;
  private final float[][] gradPanels = new float[4][];

  PhaseConvPlan(
      String kernels,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      ConvPlan previous) {
    super(kernels, g, batch, training, inputGrad, previous, chunksFor(batch));
    if (!StridePhases.applies(g)) {
      throw new IllegalArgumentException("PHASES convolution needs stride 2, got " + g);
    }
    layout = new DirectConv.Layout(StridePhases.phased(g), StridePhases.offsets(g));
    size = layout.g.inSize();
    gradLayouts = new DirectConv.Layout[inputGrad ? 4 : 0];
    ConvGeometry gg = StridePhases.gradient(g);
    for (int phase = 0; phase < gradLayouts.length; phase++) {
      if (StridePhases.taps(g, phase) > 0) {
        gradLayouts[phase] = new DirectConv.Layout(gg, StridePhases.gradientOffsets(g, phase));
      }
    }
    boolean outer = DirectWeightGrad.applies(layout);
    outerOffsets = outer ? DirectWeightGrad.offsets(layout) : null;
    dyT = new float[chunks][];
    tile = new float[chunks][];
    sums = new double[outer ? chunks : 0][];
    for (int c = 0; c < sums.length; c++) {
      sums[c] = new double[layout.crs * g.outChannels()];
    }
    group = outer ? 1 : layout.groupImages(imagesPerChunk());
    phased = new float[chunks][];
    wide = new float[chunks][];
    dyWide = new float[chunks][];
    acc = new float[chunks][];
    dyPad = new float[chunks][];
    dxPhases = new float[chunks][];
    groupSrc = new float[chunks][group][];
    groupOff = new int[chunks][group];
  }

  @Override
  public ConvStrategy strategy() {
    return ConvStrategy.PHASES;
  }

  @Override
  void beforeForward() {
    phasedScratch(1);
    if (training) {
      kept = scratch.floats(KEPT, batch * size + layout.reach);
      java.util.Arrays.fill(kept, batch * size, batch * size + layout.reach, 0f);
    }
    panels = scratch.floats(PANELS, g.weightSize());
    DirectConv.panels(w, 0, g.outChannels(), g.crs(), panels);
  }

  @Override
  void beforeBackward() {
    phasedScratch(training ? 0 : group);
    for (int c = 0; c < chunks; c++) {
      if (outerOffsets != null) {
        dyT[c] = scratch.floats(DY_T + c, DirectWeightGrad.transposedSize(layout));
        tile[c] = scratch.floats(TILE + c, DirectWeightGrad.tileSize(layout));
      } else {
        dyWide[c] = scratch.floats(DY_WIDE + c, group * layout.dyWideSize());
        acc[c] = scratch.floats(ACC + c, layout.accSize());
      }
    }
    if (dx == null) {
      return;
    }
    float[] rowMajor = scratch.floats(ROW_MAJOR, g.weightSize());
    int reach = 0;
    int wideSize = layout.wideSize();
    for (int phase = 0; phase < 4; phase++) {
      DirectConv.Layout gl = gradLayouts[phase];
      if (gl == null) {
        continue;
      }
      int taps = StridePhases.taps(g, phase);
      StridePhases.gradientWeight(g, w, phase, rowMajor);
      gradPanels[phase] = scratch.floats(GRAD_PANELS + phase, g.channels() * taps);
      DirectConv.panels(rowMajor, 0, g.channels(), taps, gradPanels[phase]);
      reach = Math.max(reach, gl.reach);
      wideSize = Math.max(wideSize, gl.wideSize());
    }
    for (int c = 0; c < chunks; c++) {
      dyPad[c] = scratch.floats(DY_PAD + c, reach);
      // Phases without taps (a kernel of 1 in a direction) stay zero.
      dxPhases[c] = scratch.floats(DX_PHASES + c, layout.g.inSize());
      java.util.Arrays.fill(dxPhases[c], 0, layout.g.inSize(), 0f);
      wide[c] = scratch.floats(WIDE + c, wideSize);
    }
  }

  // Room for `images` images' phases per chunk, plus a wide row of slack that stays finite (the
  // weight gradient's zero junk columns meet it), and one wide output.
  private void phasedScratch(int images) {
    for (int c = 0; c < chunks; c++) {
      phased[c] = scratch.floats(PHASED + c, images * size + layout.reach);
      java.util.Arrays.fill(phased[c], images * size, images * size + layout.reach, 0f);
      wide[c] = scratch.floats(WIDE + c, layout.wideSize());
    }
  }

  @Override
  void forwardChunk(int chunk, int t0, int t1) {
    int kq = g.outSize();
    for (int t = t0; t < t1; t++) {
      float[] src = training ? kept : phased[chunk];
      int off = training ? t * size : 0;
      StridePhases.split(g, x, t * g.inSize(), src, off);
      // The phases' scratch holds the reach, so the forward never takes its read-ahead copy.
      DirectConv.forward(layout, src, off, panels, bias, y, t * kq, wide[chunk], null);
      finish(y, t, t + 1, 0, g.outChannels());
    }
  }

  // Where the backward reads image t's phases, into slot i of the chunk's group: the forward's
  // (training), else split again into the chunk's scratch.
  private void imageSource(int chunk, int t, int i) {
    if (training) {
      groupSrc[chunk][i] = kept;
      groupOff[chunk][i] = t * size;
    } else {
      StridePhases.split(g, x, t * g.inSize(), phased[chunk], i * size);
      groupSrc[chunk][i] = phased[chunk];
      groupOff[chunk][i] = i * size;
    }
  }

  @Override
  String details() {
    return training && outerOffsets != null ? ", weight gradient by outer products" : "";
  }

  @Override
  void backwardChunk(int chunk, int t0, int t1) {
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

  // The weight gradient by DirectWeightGrad's outer products over the wide positions, image by
  // image, each image's dX right after its sums while its dY is in cache.
  private void backwardOuter(int chunk, int t0, int t1) {
    double[] sum = sums[chunk];
    for (int t = t0; t < t1; t++) {
      imageSource(chunk, t, 0);
      DirectWeightGrad.transpose(layout, dy, t * g.outSize(), dyT[chunk], false);
      DirectWeightGrad.image(
          layout,
          outerOffsets,
          groupSrc[chunk][0],
          groupOff[chunk][0],
          dyT[chunk],
          tile[chunk],
          false);
      DirectWeightGrad.add(layout, tile[chunk], sum, t == t0);
      if (dx != null) {
        inputGradient(chunk, t);
      }
    }
    DirectWeightGrad.finish(layout, sum, parts, chunk * g.weightSize());
  }

  // dX of image t: each phase's gradient from the padded dY, interleaved into dX.
  private void inputGradient(int chunk, int t) {
    StridePhases.padGradient(g, dy, t, dyPad[chunk]);
    int plane = g.channels() * layout.g.height() * layout.g.width();
    for (int phase = 0; phase < 4; phase++) {
      DirectConv.Layout gl = gradLayouts[phase];
      if (gl != null) {
        DirectConv.forward(
            gl,
            dyPad[chunk],
            0,
            gradPanels[phase],
            null,
            dxPhases[chunk],
            phase * plane,
            wide[chunk],
            null);
      }
    }
    StridePhases.merge(g, dxPhases[chunk], dx, t * g.inSize());
  }
}
