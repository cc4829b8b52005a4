package bnlab.kernel;

/**
 * The vector convolution factory: chooses {@link ConvStrategy#DIRECT} or {@link
 * ConvStrategy#IM2COL_GEMM} per geometry by the rule of {@link #strategy}, measured on this
 * project's models.
 */
final class VectorConv implements ConvKernels {
  /**
   * Beyond this many taps per output (C·R·S) or output channels, im2col + GEMM wins: its k-blocking
   * keeps operands in L1, and the direct weight gradient makes (K/2)·(C·R·S/4) passes over the
   * images. Measured training a VGG on 32×32 inputs (3×3 kernels, padding 1; C·R·S 27 to 1,152, K
   * 32 to 128) at batch 32: 347 images/s with every layer direct, 365 with only the first (C·R·S
   * 27, K 32), 392 with none.
   */
  static final int MAX_TAPS = 160;

  static final int MAX_OUT_CHANNELS = 16;

  private final GemmKernels gemm;
  private final String name;
  private final boolean directAllowed;

  /**
   * Vector plans; {@code directAllowed} false ({@code -Dbnlab.conv=im2col}) makes every plan
   * IM2COL_GEMM, to measure against the direct kernels.
   */
  VectorConv(GemmKernels gemm, String name, boolean directAllowed) {
    this.gemm = gemm;
    this.name = name;
    this.directAllowed = directAllowed;
  }

  /**
   * DIRECT for stride 1 (padding is handled on padded copies) when C·R·S ≤ {@link #MAX_TAPS}, K ≤
   * {@link #MAX_OUT_CHANNELS} and the output rows are at least half as wide as the padded input's
   * (the rest of each wide row is computed and thrown away); else IM2COL_GEMM.
   *
   * <p>Measured in the article's network at batch 128 (2 cores, AVX-512, per step): the first layer
   * (C·R·S = 75, 32 → 28 wide) forward 0.75 ms against 2.3–2.8 ms with im2col + GEMM, weight
   * gradient 1.5 against 1.8–2.2 ms; the second (C·R·S = 150, 14 → 10 wide, so 29% of each wide row
   * is junk) forward 0.47 against 1.24 ms, backward with the input gradient 1.96 against 2.6 ms.
   */
  @Override
  public ConvStrategy strategy(ConvGeometry g) {
    boolean direct =
        directAllowed
            && g.strideH() == 1
            && g.strideW() == 1
            && g.crs() <= MAX_TAPS
            && g.outChannels() <= MAX_OUT_CHANNELS
            && 2 * g.outW() >= g.width() + 2 * g.padW();
    return direct ? ConvStrategy.DIRECT : ConvStrategy.IM2COL_GEMM;
  }

  @Override
  public ConvPlan plan(
      ConvGeometry g, int batch, boolean training, boolean inputGrad, ConvPlan previous) {
    if (BasePlan.reusable(previous, g, batch, training, inputGrad, false)) {
      return previous;
    }
    return switch (strategy(g)) {
      case DIRECT -> new DirectConvPlan(name, g, batch, training, inputGrad, previous);
      case IM2COL_GEMM -> new Im2colGemmPlan(name, g, batch, training, inputGrad, previous);
      case TAP_GEMM -> throw new IllegalStateException("TAP_GEMM is for channels-last input");
    };
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
