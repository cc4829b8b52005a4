package bnlab.kernel;

/**
 * {@link ConvStrategy#PHASES}: a stride-2 convolution as {@link DirectConv}'s wide-row direct
 * convolution over the input's four phases ({@link StridePhases}), image by image within each chunk
 * of the batch ({@link ChunkedPlan}).
 *
 * <p>Forward: each image is split into its padded phases (one copy of the input, where im2col
 * writes C·R·S·P·Q floats, 2.25 input sizes for 3×3), then the direct kernels run over the C·R·S
 * taps that exist; in training the batch's phases are kept for the backward. Backward: the weight
 * gradient over the same phases and taps ({@link WideRowsPlan}: outer products over the wide
 * positions, whose rows are only ⌈S/2⌉ − 1 columns wider than the output's, or dot products), each
 * image's input gradient as four direct convolutions of its padded dY, one per phase, interleaved
 * back into dX.
 */
final class PhaseConvPlan extends WideRowsPlan {
  // Slots of per-chunk arrays (slot + chunk), then the weights laid out for the kernels.
  private static final int PHASED = FIRST_SLOT;
  private static final int WIDE = PHASED + MAX_CHUNKS;
  private static final int DY_PAD = WIDE + MAX_CHUNKS;
  private static final int DX_PHASES = DY_PAD + MAX_CHUNKS;
  private static final int PANELS = DX_PHASES + MAX_CHUNKS;
  private static final int ROW_MAJOR = PANELS + 1;
  private static final int GRAD_PANELS = ROW_MAJOR + 1;
  private static final int KEPT = GRAD_PANELS + 4;

  /** Per phase, its input gradient's convolution over dY (null without the input gradient). */
  private final DirectConv.Layout[] gradLayouts;

  /** Floats of one image's phases. */
  private final int size;

  /**
   * In training, the batch's phases from the forward (image t at t·{@link #size}, a wide row of
   * zeros after the last), read again by the backward; x must not change in between, as for every
   * plan ({@link BasePlan#backward} takes the last forward's x).
   */
  private float[] kept;

  // This call's scratch, per chunk: a group's phases (plus a wide row of slack), the wide output
  // rows, the padded dY and dX's phases.
  private final float[][] phased;
  private final float[][] wide;
  private final float[][] dyPad;
  private final float[][] dxPhases;

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
    super(
        kernels,
        g,
        batch,
        training,
        inputGrad,
        previous,
        new DirectConv.Layout(StridePhases.phased(stride2(g)), StridePhases.offsets(g)),
        null,
        false);
    size = layout.g.inSize();
    gradLayouts = new DirectConv.Layout[inputGrad ? 4 : 0];
    ConvGeometry gg = StridePhases.gradient(g);
    for (int phase = 0; phase < gradLayouts.length; phase++) {
      if (StridePhases.taps(g, phase) > 0) {
        gradLayouts[phase] = new DirectConv.Layout(gg, StridePhases.gradientOffsets(g, phase));
      }
    }
    phased = new float[chunks][];
    wide = new float[chunks][];
    dyPad = new float[chunks][];
    dxPhases = new float[chunks][];
  }

  // g, checked before any plan state (or the previous plan's scratch) is touched.
  private static ConvGeometry stride2(ConvGeometry g) {
    if (!StridePhases.applies(g)) {
      throw new IllegalArgumentException("PHASES convolution needs stride 2, got " + g);
    }
    return g;
  }

  @Override
  public ConvStrategy strategy() {
    return ConvStrategy.PHASES;
  }

  @Override
  String details() {
    return weightGradDetails();
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
    weightGradScratch();
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
      dxPhases[c] = scratch.floats(DX_PHASES + c, size);
      java.util.Arrays.fill(dxPhases[c], 0, size, 0f);
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
  @Override
  void imageSource(int chunk, int t, int i) {
    if (training) {
      groupSrc[chunk][i] = kept;
      groupOff[chunk][i] = t * size;
    } else {
      StridePhases.split(g, x, t * g.inSize(), phased[chunk], i * size);
      groupSrc[chunk][i] = phased[chunk];
      groupOff[chunk][i] = i * size;
    }
  }

  // dX of image t: each phase's gradient from the padded dY, interleaved into dX.
  @Override
  void inputGradient(int chunk, int t) {
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
