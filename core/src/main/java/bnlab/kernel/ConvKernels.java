package bnlab.kernel;

/**
 * The convolution concern of a {@link KernelProvider}: a factory of {@link ConvPlan}s.
 *
 * <p>The choice of algorithm is data, made once per plan by {@link #strategy}:
 *
 * <ul>
 *   <li>scalar kernels: always {@link ConvStrategy#IM2COL_GEMM} with naive loops, the reference
 *       every faster plan is tested against;
 *   <li>vector kernels: {@link ConvStrategy#DIRECT} for stride 1 when the taps per output (C·R·S)
 *       are at most 160, the output channels at most 16 (32 for a first layer, C·R·S at most 32)
 *       and the output rows at least half as wide as the padded input rows (where it measured
 *       faster: the article's Net, resnet20's first stage, vgg's first layer), else {@link
 *       ConvStrategy#WINOGRAD} for 3×3 stride-1 kernels with at least 16 input and output channels
 *       (vgg's and resnet20's other layers; {@link ConvStrategy#WINOGRAD4} where the output is
 *       32×32 or larger), {@link ConvStrategy#PHASES} for stride 2 with outputs at least 16 wide
 *       (resnet20's 16→32 layer), else {@link ConvStrategy#IM2COL_GEMM}. {@code
 *       -Dbnlab.conv=im2col} makes every plan IM2COL_GEMM, {@code winograd} takes WINOGRAD for
 *       every 3×3 stride-1 kernel, {@code winograd4} WINOGRAD4, {@code no-winograd} neither. The
 *       rule depends on the geometry only, not on the vector width or the batch, so every width
 *       computes the same bits.
 * </ul>
 *
 * Channels-last plans are always {@link ConvStrategy#TAP_GEMM}.
 */
public interface ConvKernels {
  /** The strategy {@link #plan} takes for {@code g}. */
  ConvStrategy strategy(ConvGeometry g);

  /**
   * A channels-first plan for batches of {@code batch} images of geometry {@code g}. {@code
   * previous} (a layer's current plan, or null) is returned as it is when it was made for exactly
   * these arguments; otherwise the new plan takes over its scratch memory and {@code previous} must
   * not be used again.
   */
  ConvPlan plan(ConvGeometry g, int batch, boolean training, boolean inputGrad, ConvPlan previous);

  /**
   * As {@link #plan}, for channels-last 1-d input (Keras' {@code Conv1D}): {@code g} must have
   * height 1, kernel height 1 and no padding; its width is the sequence length.
   */
  ConvPlan planChannelsLast(
      ConvGeometry g, int batch, boolean training, boolean inputGrad, ConvPlan previous);

  /**
   * The bias gradient of channels [c0, c1): dBias[c] += Σ_i Σ_j dY[i, c, j] for dY (N, K, L), L ≥
   * 1. Order, the same for every kernel set and vector width: each row dY[i, c, ·] is summed in
   * float in {@link Reduction}'s order (its body in {@link Reduction#P} partials from zero,
   * combined by {@link Reduction#tree}, plus its tail summed in order from zero), the rows' sums
   * are added in double in row order from zero, and dBias[c] += that sum rounded to float.
   */
  void biasGrad(float[] dy, int n, int k, int l, float[] dBias, int c0, int c1);

  /**
   * {@link #biasGrad}'s rows' float sums for images [i0, i1): rows[i·K + c] = dY[i, c, ·] summed in
   * its order, for every channel. A caller that splits the batch among threads this way lets each
   * read only its own images (a split by channels reads every image on every thread, and the next
   * write to those images then waits for the other core to give them up); {@link #addRowSums} then
   * gives {@link #biasGrad}'s bits.
   */
  void biasRowSums(float[] dy, int n, int k, int l, int i0, int i1, float[] rows);

  /**
   * dBias[c] += Σ_i rows[i·K + c], added in double in image order from zero and rounded to float:
   * over rows from {@link #biasRowSums} for every image, the bits of {@link #biasGrad}.
   */
  static void addRowSums(float[] rows, int n, int k, float[] dBias) {
    BiasGradient.addRows(rows, n, k, dBias);
  }
}
