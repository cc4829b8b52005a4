package bnlab.kernel;

/**
 * The vector convolution factory: chooses {@link ConvStrategy#DIRECT}, {@link
 * ConvStrategy#WINOGRAD} or {@link ConvStrategy#IM2COL_GEMM} per geometry by the rule of {@link
 * #strategy}, measured on this project's models; {@code -Dbnlab.conv} ({@link Mode}) overrides it.
 */
final class VectorConv implements ConvKernels {
  /**
   * Beyond this many taps per output (C·R·S) or output channels, im2col + GEMM wins: its k-blocking
   * keeps operands in L1, and the direct weight gradient makes (K/2)·(C·R·S/4) passes over the
   * images. Measured training a VGG on 32×32 inputs (3×3 kernels, padding 1; C·R·S 27 to 1,152, K
   * 32 to 128) at batch 32: 347 images/s with every layer direct, 365 with only the first (C·R·S
   * 27, K 32), 392 with none (an early build; the first layer has since measured faster direct, see
   * {@link #FIRST_OUT_CHANNELS}).
   */
  static final int MAX_TAPS = 160;

  static final int MAX_OUT_CHANNELS = 16;

  /**
   * A first layer (C·R·S ≤ {@link #FIRST_TAPS}: 3×3 on RGB, 5×5 on grey) stays DIRECT up to this
   * many output channels: with vgg's 3→32 at 32×32 on DIRECT (IM2COL_GEMM before) and its weight
   * gradient on {@link DirectWeightGrad}'s 8×2 tile, vgg-bn trained 1.036–1.044× as fast at batch
   * 128, 1.021× at batch 32 and 1.003× with AVX2 (two builds alternating in one process, AMD Zen 5,
   * two threads); the layer alone (one thread, training with its input gradient) 92.5 → 79–82 µs
   * per image.
   */
  static final int FIRST_OUT_CHANNELS = 32;

  /** See {@link #FIRST_OUT_CHANNELS}. */
  static final int FIRST_TAPS = 32;

  /** {@code -Dbnlab.conv}: which strategies the factory may choose. */
  enum Mode {
    /** The measured rule of {@link #strategy}. */
    AUTO,
    /** IM2COL_GEMM for every geometry (to measure the others against it). */
    IM2COL,
    /** WINOGRAD for every 3×3 stride-1 geometry, the rule elsewhere. */
    WINOGRAD,
    /** WINOGRAD4 for every 3×3 stride-1 geometry, the rule elsewhere. */
    WINOGRAD4,
    /** The rule without WINOGRAD. */
    NO_WINOGRAD;

    /** {@code auto}, {@code im2col}, {@code winograd} or {@code no-winograd}. */
    static Mode parse(String s) {
      return switch (s.trim()) {
        case "auto" -> AUTO;
        case "im2col" -> IM2COL;
        case "winograd" -> WINOGRAD;
        case "winograd4" -> WINOGRAD4;
        case "no-winograd" -> NO_WINOGRAD;
        default ->
            throw new IllegalArgumentException(
                "-Dbnlab.conv must be auto, im2col, winograd, winograd4 or no-winograd, got '"
                    + s
                    + "'");
      };
    }
  }

  private final GemmKernels gemm;
  private final String name;
  private final Mode mode;

  /** Vector plans chosen by {@code mode}. */
  VectorConv(GemmKernels gemm, String name, Mode mode) {
    this.gemm = gemm;
    this.name = name;
    this.mode = mode;
  }

  /**
   * DIRECT for stride 1 (padding is handled on padded copies) when C·R·S ≤ {@link #MAX_TAPS}, K ≤
   * {@link #MAX_OUT_CHANNELS} (≤ {@link #FIRST_OUT_CHANNELS} where C·R·S ≤ {@link #FIRST_TAPS}, a
   * first layer) and the output rows are at least half as wide as the padded input's (the rest of
   * each wide row is computed and thrown away); else PHASES where {@link #phasesWin} holds (stride
   * 2, outputs at least 16 wide); else WINOGRAD where {@link #winogradWins} holds (3×3 stride 1, at
   * least 16 channels in and out), WINOGRAD4 if {@link #winograd4Wins} holds too (outputs of 32×32
   * and more); else IM2COL_GEMM.
   *
   * <p>Measured in the article's network at batch 128 (2 cores, AVX-512, per step): the first layer
   * (C·R·S = 75, 32 → 28 wide) forward 0.75 ms against 2.3–2.8 ms with im2col + GEMM, weight
   * gradient 1.5 against 1.8–2.2 ms; the second (C·R·S = 150, 14 → 10 wide, so 29% of each wide row
   * is junk) forward 0.47 against 1.24 ms, backward with the input gradient 1.96 against 2.6 ms.
   */
  @Override
  public ConvStrategy strategy(ConvGeometry g) {
    if (mode == Mode.IM2COL) {
      return ConvStrategy.IM2COL_GEMM;
    }
    if (mode == Mode.WINOGRAD && Winograd.applies(g)) {
      return ConvStrategy.WINOGRAD;
    }
    if (mode == Mode.WINOGRAD4 && Winograd.applies(g)) {
      return ConvStrategy.WINOGRAD4;
    }
    // DIRECT before F(4×4) where both apply (resnet's 16→16 layers at 32×32): see winograd4Wins.
    boolean direct =
        g.strideH() == 1
            && g.strideW() == 1
            && g.crs() <= MAX_TAPS
            && (g.outChannels() <= MAX_OUT_CHANNELS
                || g.outChannels() <= FIRST_OUT_CHANNELS && g.crs() <= FIRST_TAPS)
            && 2 * g.outW() >= g.width() + 2 * g.padW();
    if (direct) {
      return ConvStrategy.DIRECT;
    }
    if (phasesWin(g)) {
      return ConvStrategy.PHASES;
    }
    if (mode == Mode.AUTO && Winograd.applies(g) && winogradWins(g)) {
      return winograd4Wins(g) ? ConvStrategy.WINOGRAD4 : ConvStrategy.WINOGRAD;
    }
    return ConvStrategy.IM2COL_GEMM;
  }

  /**
   * Where PHASES measured faster than IM2COL_GEMM: stride 2 with outputs at least 16 wide, whose
   * phases' rows are one column wider than the output's (resnet20's 16→32 layer). Per layer, one
   * thread, batch 128, training forward + backward µs per image, medians of 5 launches, AMD Zen 5
   * (docs/performance.md, "Zen 5, a ninth time"): 16→32 from 32×32 78.4 against 103.1 (AVX-512),
   * 134.2 against 138.9 (AVX2); 32→64 from 32×32 358.7 against 404.5 and 428.9 against 444.0. On
   * 8×8 outputs (32→64 from 16×16) a wide row of 71 positions takes three 32-column tiles for 64
   * outputs at 512 bits: 90.6 against 88.2 (AVX-512), 130.6 against 116.1 (AVX2), so those stay on
   * IM2COL_GEMM. The rule depends on the geometry only, so every width gives the same bits.
   */
  static boolean phasesWin(ConvGeometry g) {
    return StridePhases.applies(g) && g.outW() >= 16;
  }

  /**
   * Where WINOGRAD measured faster than IM2COL_GEMM (a 3×3 stride-1 geometry that DIRECT does not
   * take): at least 16 input and output channels. Measured per layer on vgg's and resnet20's
   * geometries, one thread, batches 32 and 128 (docs/performance.md, "Winograd F(2×2, 3×3)"):
   * training forward + backward 1.2–2.2× faster on AVX2 and AVX-512 at 16×16 and 32×32; on 8×8
   * outputs (a tile row of 4 tiles and a junk one) 1.3–2.0× faster at batch 128 and on AVX2, within
   * ±15% at batch 32 with AVX-512. With 3 input channels the transforms cost more than the 27-long
   * products they save (1.5–2.5× slower). The rule depends on the geometry only, never on the
   * vector width, so every width runs the same strategy and gives the same bits.
   */
  static boolean winogradWins(ConvGeometry g) {
    return g.channels() >= 16 && g.outChannels() >= 16;
  }

  /**
   * Where WINOGRAD4 (F(4×4, 3×3)) measured faster than WINOGRAD (F(2×2, 3×3)): outputs of 32×32 and
   * more. Per layer, one thread, AVX2, training forward + backward ms at batch 32 / 128
   * (docs/performance.md, "Winograd F(4×4, 3×3)"): vgg's 32→32 at 32×32 37.4 / 125.1 → 30.2 /
   * 101.2; at 16×16 within −6 to +5% (64→64, 32→32); at 8×8 24–45% slower (a row of 2 tiles and a
   * junk one). Its mean error is 4–11× im2col's (F(2×2): 1–3×), so it is not taken where it does
   * not pay. Where DIRECT applies too (resnet's 16→16 layers at 32×32) DIRECT is taken: it is as
   * accurate as im2col, and which of the two is faster depends on the CPU. On AMD Zen 3 (AVX2)
   * F(4×4)'s training step of that layer took 22.0 against 24.8 ms at batch 128 on two threads and
   * resnet20 trained 7–12% faster with it; on a Xeon it measured 2–7% faster; on AMD Zen 5
   * (AVX-512, full-width FMA units) DIRECT's step took 90–95 against 113–171 µs per image on two
   * threads (129 against 146 on one) and resnet20 trained 10–13% faster with DIRECT at batch 10, 32
   * and 128 (docs/performance.md, "Zen 3, a ninth time" and "Zen 5, a third time"). The choice
   * cannot follow the CPU without giving up the same bits on every CPU. {@code
   * -Dbnlab.conv=winograd4} takes F(4×4) there.
   */
  static boolean winograd4Wins(ConvGeometry g) {
    return g.outH() >= 32 && g.outW() >= 32;
  }

  @Override
  public ConvPlan plan(
      ConvGeometry g, int batch, boolean training, boolean inputGrad, ConvPlan previous) {
    if (BasePlan.reusable(previous, g, batch, training, inputGrad, false)) {
      return previous;
    }
    return switch (strategy(g)) {
      case DIRECT -> new DirectConvPlan(name, g, batch, training, inputGrad, previous);
      case PHASES -> new PhaseConvPlan(name, g, batch, training, inputGrad, previous);
      case IM2COL_GEMM -> new Im2colGemmPlan(name, g, batch, training, inputGrad, previous);
      case WINOGRAD -> new WinogradPlan(name, g, batch, training, inputGrad, previous);
      case WINOGRAD4 -> new WinogradPlan(name, g, batch, training, inputGrad, previous, 4);
      case TAP_GEMM -> throw new IllegalStateException("TAP_GEMM is for channels-last input");
    };
  }

  @Override
  public void biasGrad(float[] dy, int n, int k, int l, float[] dBias, int c0, int c1) {
    VectorBiasGradient.sums(dy, n, k, l, dBias, c0, c1);
  }

  @Override
  public void biasRowSums(float[] dy, int n, int k, int l, int i0, int i1, float[] rows) {
    VectorBiasGradient.rowSums(dy, n, k, l, i0, i1, rows);
  }

  @Override
  public ConvPlan planChannelsLast(
      ConvGeometry g, int batch, boolean training, boolean inputGrad, ConvPlan previous) {
    if (BasePlan.reusable(previous, g, batch, training, inputGrad, true)) {
      return previous;
    }
    return new TapGemmPlan(gemm, name, g, batch, training, inputGrad, previous);
  }
}
