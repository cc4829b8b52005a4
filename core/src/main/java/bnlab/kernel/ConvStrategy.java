package bnlab.kernel;

/**
 * How a {@link ConvPlan} computes its convolution. The factory ({@link ConvKernels#strategy})
 * chooses per geometry; new algorithms (blocked layouts, Winograd, ...) become new constants and
 * new plan classes, without changes to the layers.
 */
public enum ConvStrategy {
  /**
   * Each image unfolded into its im2col matrix col (C·R·S, P·Q), then y_t = weight (K, C·R·S) ·
   * col_t; backward dWeight += dY_t · col_tᵀ and dX_t = col2im(weightᵀ · dY_t). Any geometry.
   */
  IM2COL_GEMM,

  /**
   * Direct convolution without im2col: each output plane computed "wide" so that every kernel tap
   * reads one contiguous run of the input (see {@code DirectConv}); the input gradient is a direct
   * convolution of the padded dY with the flipped weight. Stride 1 only; padded inputs are copied
   * with their zeros written in.
   */
  DIRECT,

  /**
   * Stride-2 convolution as the direct convolution over the input's four phases (x̃[2u + a, 2v +
   * b]): a stride-1 convolution of 4·C channels with ⌈R/2⌉ × ⌈S/2⌉ kernels over only the taps that
   * exist; the input is copied once instead of unfolded; the input gradient is one direct
   * convolution of the padded dY per phase, interleaved back. See {@code StridePhases}.
   */
  PHASES,

  /**
   * Channels-last 1-d convolution (Keras' layout, x (N, L, C), kernel (R, C, K)): one matrix
   * product per kernel tap r on the rows r, r + stride, ... of x. No padding.
   */
  TAP_GEMM,

  /**
   * Winograd's F(2×2, 3×3) (Lavin &amp; Gray 2016) for 3×3 stride-1 kernels: 4×4 input tiles
   * transformed (Bᵀ d B), 16 matrix products with the transformed weights (G g Gᵀ) over the
   * channels, 2×2 output tiles transformed back (Aᵀ M A); 2.25× fewer multiplications than the
   * direct sum. Backward differentiates the same algebra. See {@code Winograd}.
   */
  WINOGRAD,

  /**
   * Winograd's F(4×4, 3×3) for 3×3 stride-1 kernels: 6×6 input tiles, 36 matrix products, 4×4
   * output tiles; 4× fewer multiplications than the direct sum (1.78× fewer than F(2×2, 3×3)), at
   * the cost of larger rounding errors (transform entries up to 8). See {@code Winograd4}.
   */
  WINOGRAD4
}
