package bnlab.kernel;

/**
 * {@link ConvStrategy#DIRECT}: the wide-row direct convolution of {@link DirectConv}, image by
 * image within each chunk of the batch ({@link ChunkedPlan}). Stride 1 only.
 *
 * <p>A padded convolution runs on copies of its images with the zeros written in (the same
 * convolution without padding on the larger input, {@link DirectConv#unpadded}). The input gradient
 * is itself a direct convolution: dY zero-padded by R−1−padH rows and S−1−padW columns convolved
 * with the flipped weight ({@link DirectConv#inputGradient}), which gives dX at once; for padding
 * wider than that, the padded image's gradient, whose edges are dropped. Unpadded layers with a
 * kernel of 3 or more, whose padded dY would be mostly zeros, add each tap's run into dX instead
 * ({@link TapsGradient}).
 *
 * <p>The backward runs a chunk's images in groups ({@link DirectConv.Layout#groupImages}): the
 * group's weight-gradient pass, then each image's input gradient while its dY is still in cache.
 */
final class DirectConvPlan extends WideRowsPlan {
  // Slots of per-chunk arrays (slot + chunk), then the flipped weight.
  private static final int PADDED = FIRST_SLOT;
  private static final int DX_PADDED = PADDED + MAX_CHUNKS;
  private static final int DY_PAD = DX_PADDED + MAX_CHUNKS;
  private static final int WIDE = DY_PAD + MAX_CHUNKS;
  private static final int PADS = WIDE + MAX_CHUNKS;
  private static final int FLIPPED = PADS + MAX_CHUNKS;
  private static final int PIXEL_W = FLIPPED + 1;
  private static final int COLS = PIXEL_W + 1;
  private static final int PANELS = COLS + MAX_CHUNKS;
  private static final int GRAD_PANELS = PANELS + 1;
  private static final int TAPS_W = GRAD_PANELS + 1;
  private static final int TAPS_DY = TAPS_W + 1;
  private static final int TAPS_DX = TAPS_DY + MAX_CHUNKS;

  /**
   * Whether the input gradient runs by taps ({@link TapsGradient}: unpadded layers with a kernel of
   * 3 or more) rather than as the convolution of {@link #gradLayout}.
   */
  private final boolean taps;

  // For the input gradient by taps: this call's packed weight and, per chunk, the wide dY and the
  // planes of dX.
  private float[] tapsWeight;
  private final float[][] tapsDy;
  private final float[][] tapsDx;

  /** The input gradient's convolution (null without the input gradient or by taps). */
  private final DirectConv.Layout gradLayout;

  /**
   * The input gradient's taps per column tile (null: all of them, no input gradient, or by taps).
   */
  private final DirectConv.Bands bands;

  /** Whether the images are copied with zero edges first (padding > 0). */
  private final boolean padIn;

  /**
   * Whether the input gradient is the padded image's, its edges then dropped: only for padding
   * wider than the kernel less one (see {@link DirectConv#inputGradient}).
   */
  private final boolean cropGrad;

  /** The geometry whose input gradient {@link #gradLayout} computes: g, or g without padding. */
  private final ConvGeometry gradGeometry;

  // This call's scratch, per chunk, for one image at a time: the padded image, its gradient, the
  // padded dY, wide output rows and a copy of an image at the very end of an array.
  private final float[][] padded;
  private final float[][] dxPadded;
  private final float[][] dyPads;
  private final float[][] wide;
  private final float[][] pads;
  private float[] flipped;

  /** This call's weight laid out for the wide forward ({@link DirectConv#panels}). */
  private float[] panels;

  /** The flipped weight laid out the same way, for the input gradient without bands. */
  private float[] gradPanels;

  /**
   * The forward's pixel bases where it runs on {@link PixelTiles} ({@link PixelTiles#pays}), else
   * null; then this call's transposed weight and, per chunk, its channel-minor outputs.
   */
  private final int[] pixelBases;

  private float[] pixelWeight;
  private final float[][] cols;

  DirectConvPlan(
      String kernels,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      ConvPlan previous) {
    this(kernels, g, batch, training, inputGrad, previous, null);
  }

  /**
   * With {@code outer} null the weight gradient's kernel is the rule's ({@link
   * DirectWeightGrad#applies}); true or false force the outer or the dot products (for the tests
   * and benchmarks, which compare both).
   */
  DirectConvPlan(
      String kernels,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      ConvPlan previous,
      Boolean outer) {
    this(kernels, g, batch, training, inputGrad, previous, outer, null);
  }

  /**
   * As above; {@code byTaps} null takes the input gradient's form by the rule ({@link
   * TapsGradient#applies}), true or false force it (for the tests, which compare both).
   */
  DirectConvPlan(
      String kernels,
      ConvGeometry g,
      int batch,
      boolean training,
      boolean inputGrad,
      ConvPlan previous,
      Boolean outer,
      Boolean byTaps) {
    super(
        kernels,
        g,
        batch,
        training,
        inputGrad,
        previous,
        new DirectConv.Layout(DirectConv.unpadded(stride1(g))),
        outer,
        true);
    padIn = g.padH() > 0 || g.padW() > 0;
    cropGrad = padIn && !DirectConv.gradientFitsPadding(g);
    gradGeometry = cropGrad ? layout.g : g;
    taps = inputGrad && (byTaps != null ? byTaps && !padIn : TapsGradient.applies(g));
    boolean gather = inputGrad && !taps;
    gradLayout = gather ? new DirectConv.Layout(DirectConv.inputGradient(gradGeometry)) : null;
    bands = gather ? DirectConv.Bands.of(gradGeometry, gradLayout) : null;
    tapsDy = new float[taps ? chunks : 0][];
    tapsDx = new float[taps ? chunks : 0][];
    padded = new float[chunks][];
    dxPadded = new float[chunks][];
    dyPads = new float[chunks][];
    wide = new float[chunks][];
    pads = new float[chunks][];
    pixelBases = PixelTiles.pays(layout) ? PixelTiles.bases(layout.g) : null;
    cols = new float[chunks][];
  }

  // g, checked before any plan state (or the previous plan's scratch) is touched.
  private static ConvGeometry stride1(ConvGeometry g) {
    if (g.strideH() != 1 || g.strideW() != 1) {
      throw new IllegalArgumentException("DIRECT convolution needs stride 1, got " + g);
    }
    return g;
  }

  @Override
  public ConvStrategy strategy() {
    return ConvStrategy.DIRECT;
  }

  @Override
  String details() {
    String d = pixelBases != null ? ", forward by pixel tiles" : "";
    d += weightGradDetails();
    return taps ? d + ", input gradient by taps" : d;
  }

  @Override
  void beforeForward() {
    imageScratch(1);
    if (pixelBases == null) {
      panels = scratch.floats(PANELS, g.weightSize());
      DirectConv.panels(w, 0, g.outChannels(), g.crs(), panels);
    } else {
      pixelWeight = scratch.floats(PIXEL_W, g.weightSize());
      PixelTiles.transposeWeight(layout.g, w, pixelWeight);
      for (int c = 0; c < chunks; c++) {
        cols[c] = scratch.floats(COLS + c, PixelTiles.colsSize(layout.g));
      }
    }
  }

  @Override
  void beforeBackward() {
    imageScratch(group);
    weightGradScratch();
    if (dx == null) {
      return;
    }
    if (taps) {
      tapsWeight = scratch.floats(TAPS_W, g.weightSize());
      TapsGradient.packWeight(g, w, tapsWeight);
      for (int c = 0; c < chunks; c++) {
        tapsDy[c] = scratch.floats(TAPS_DY + c, TapsGradient.dySize(g));
        tapsDx[c] = scratch.floats(TAPS_DX + c, TapsGradient.dxSize(g));
      }
      return;
    }
    flipped = scratch.floats(FLIPPED, g.weightSize());
    DirectConv.flipWeight(g, w, flipped);
    if (bands != null) {
      bands.weights(flipped);
    } else {
      gradPanels = scratch.floats(GRAD_PANELS, g.weightSize());
      DirectConv.panels(flipped, 0, g.channels(), gradLayout.crs, gradPanels);
    }
    for (int c = 0; c < chunks; c++) {
      if (cropGrad) {
        dxPadded[c] = scratch.floats(DX_PADDED + c, layout.g.inSize());
      }
      dyPads[c] = scratch.floats(DY_PAD + c, gradLayout.reach);
      wide[c] = scratch.floats(WIDE + c, Math.max(wide[c].length, gradLayout.wideSize()));
      pads[c] = scratch.floats(PADS + c, Math.max(pads[c].length, gradLayout.reach));
    }
  }

  // Room for `images` images per chunk (padded copies and read-ahead copies), one wide output.
  private void imageScratch(int images) {
    for (int c = 0; c < chunks; c++) {
      if (padIn) {
        // Copies of the images, plus a wide row of slack so no read runs off the end.
        padded[c] = scratch.floats(PADDED + c, images * layout.g.inSize() + layout.reach);
      }
      wide[c] = scratch.floats(WIDE + c, layout.wideSize());
      pads[c] = scratch.floats(PADS + c, images * layout.reach);
    }
  }

  // x (N,C,H,W), w (K,C,R,S) -> y (N,K,P,Q)
  @Override
  void forwardChunk(int chunk, int t0, int t1) {
    if (batch == 1
        && pixelBases == null
        && Parallel.threads() > 1
        && splitWork() >= ONE_IMAGE_SPLIT_MIN) {
      forwardOneImage();
      return;
    }
    int kq = g.outSize();
    for (int t = t0; t < t1; t++) {
      float[] src = x;
      int off = t * g.inSize();
      if (padIn) {
        DirectConv.padImage(g, x, off, padded[chunk], 0);
        src = padded[chunk];
        off = 0;
      }
      if (pixelBases != null) {
        PixelTiles.forward(
            layout.g,
            layout.rowOff,
            pixelBases,
            pixelWeight,
            src,
            off,
            bias,
            y,
            t * kq,
            cols[chunk]);
      } else {
        DirectConv.forward(layout, src, off, panels, bias, y, t * kq, wide[chunk], pads[chunk]);
      }
      finish(y, t, t + 1, 0, g.outChannels());
    }
  }

  /**
   * With batch 1 there is one chunk and the other kernel threads would wait: the image's wide
   * output is computed in column ranges on the pool, then copied out in output-channel ranges (with
   * row tiles, in row ranges straight into y, then only the epilogue by channels). Every element is
   * computed by the serial path's code, so the split moves no bit.
   */
  private void forwardOneImage() {
    imageSrc = x;
    imageOff = 0;
    rowTiles = bias == null && layout.rowTiles;
    if (padIn) {
      DirectConv.padImage(g, x, 0, padded[0], 0);
      imageSrc = padded[0];
    }
    if (!rowTiles && DirectConv.needsReadAhead(layout, imageSrc, imageOff)) {
      DirectConv.readAhead(layout, imageSrc, imageOff, pads[0]);
      imageSrc = pads[0];
    }
    compacting = false;
    Parallel.forEach(IMAGE_PARTS, imageBody);
    compacting = true;
    Parallel.forEach(IMAGE_PARTS, imageBody);
    imageSrc = null;
  }

  /**
   * Multiply-adds of one image's forward from which it is split: 2M. The article's convolutions
   * (0.35–0.4M) measured 2–4% slower split at batch 1, the hand-offs costing about what the second
   * thread saves; resnet20's 16→16 layers (2.5M) gain.
   */
  static final long ONE_IMAGE_SPLIT_MIN = 1L << 21;

  private long splitWork() {
    return (long) g.outChannels() * g.crs() * layout.widePad;
  }

  private static final int IMAGE_PARTS = 4;
  private float[] imageSrc;
  private int imageOff;
  private boolean compacting;
  private boolean rowTiles;
  private final Parallel.Body imageBody = this::imagePart;

  private void imagePart(int i) {
    if (compacting) {
      int kk = g.outChannels();
      int k0 = i * kk / IMAGE_PARTS;
      int k1 = (i + 1) * kk / IMAGE_PARTS;
      if (!rowTiles) {
        DirectConv.compact(layout, wide[0], bias, y, 0, k0, k1);
      }
      finish(y, 0, 1, k0, k1);
    } else if (rowTiles) {
      int p = layout.p;
      DirectConv.rows(
          layout, panels, imageSrc, imageOff, y, 0, i * p / IMAGE_PARTS, (i + 1) * p / IMAGE_PARTS);
    } else {
      int n = DirectConv.columnTiles(layout);
      DirectConv.columns(
          layout,
          panels,
          imageSrc,
          imageOff,
          wide[0],
          i * n / IMAGE_PARTS,
          (i + 1) * n / IMAGE_PARTS);
    }
  }

  @Override
  void beginChunk(int chunk) {
    if (taps && dx != null) {
      // On the chunk's own thread, so that its scratch stays in that core's cache.
      TapsGradient.begin(g, tapsDy[chunk]);
    }
  }

  // dX of image t: by taps (TapsGradient), or the flipped weight over its zero-padded dY
  // (DirectConv.inputGradient); where the padding is wider than the kernel less one, the padded
  // image's gradient, edges dropped.
  @Override
  void inputGradient(int chunk, int t) {
    if (taps) {
      TapsGradient.inputGradient(
          g, dy, t * g.outSize(), tapsWeight, tapsDy[chunk], tapsDx[chunk], dx, t * g.inSize());
      return;
    }
    DirectConv.padGradient(gradGeometry, dy, t, dyPads[chunk]);
    float[] dst = cropGrad ? dxPadded[chunk] : dx;
    int dOff = cropGrad ? 0 : t * g.inSize();
    if (bands != null) {
      DirectConv.forwardBands(
          gradLayout, bands, dyPads[chunk], 0, dst, dOff, wide[chunk], pads[chunk]);
    } else {
      DirectConv.forward(
          gradLayout, dyPads[chunk], 0, gradPanels, null, dst, dOff, wide[chunk], pads[chunk]);
    }
    if (cropGrad) {
      DirectConv.cropImage(g, dxPadded[chunk], dx, t * g.inSize());
    }
  }

  // Where the weight gradient reads image t from, into slot i of the chunk's group: x itself, its
  // padded copy (slot i of the padded scratch) or a copy with room after it for the wide rows'
  // reads (see DirectConv.needsReadAhead).
  @Override
  void imageSource(int chunk, int t, int i) {
    int off = t * g.inSize();
    float[] src = x;
    if (padIn) {
      int stride = layout.g.inSize();
      DirectConv.padImage(g, x, off, padded[chunk], i * stride);
      src = padded[chunk];
      off = i * stride;
    } else if (DirectConv.needsReadAhead(layout, x, off)) {
      DirectConv.readAhead(layout, x, off, pads[chunk], i * layout.reach);
      src = pads[chunk];
      off = i * layout.reach;
    }
    groupSrc[chunk][i] = src;
    groupOff[chunk][i] = off;
  }
}
