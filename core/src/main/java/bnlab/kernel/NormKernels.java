package bnlab.kernel;

/**
 * The normalization kernels, for every layer of the family: x is viewed as (n, c, s) and its values
 * are grouped into statistics ("slots") by a {@link NormLayout}. Per slot r with m = {@link
 * NormStats#count()} values and per channel j:
 *
 * <pre>
 * forward   μ_r = Σ x / m     σ²_r = Σ (x − μ_r)² / m     invstd_r = 1/√(σ²_r + eps)
 *           x̂ = (x − μ_r)·invstd_r      y = γ_j·x̂ + β_j
 * backward  dx̂ = γ_j·dy
 *           sums:  A_r = Σ dx̂,  B_r = Σ dx̂·x̂          dγ_j += Σ dy·x̂,  dβ_j += Σ dy
 *           apply: dx = invstd_r·(dx̂ − A_r/m − x̂·B_r/m)
 * constant statistics (eval mode): dx = γ_j·invstd_r·dy
 * </pre>
 *
 * {@link ScalarNormKernels} holds these formulas as naive loops; the Vector API twin computes the
 * same values to float rounding. Both keep the statistics accurate for inputs with a large offset
 * and a small spread (1000 ± 0.01): reductions run in double, two-pass or merged with Chan et al.'s
 * update.
 *
 * <p>Forward and backward come in two halves so that something can happen between them — the
 * moments of several data-parallel replicas merged before {@link #normalize}, their sums added
 * before {@link #apply} — and fused ({@link #momentsNormalize}, {@link #backward}), which gives the
 * same values and may read each channel from memory once.
 *
 * <p>{@code gamma}/{@code beta} may be null (γ = 1, β = 0). Backward reads x̂ from {@code src}: the
 * stored x̂, or with {@code fromInput} the input x, from which it recomputes x̂ exactly as {@link
 * #normalize} computed it (only where {@link #recomputesXhat} says so). The per-channel outputs
 * {@code dGamma} (Σ dy·x̂) and {@code dBeta} (Σ dy) are accumulated into ({@code +=}) and skipped
 * when null.
 */
public interface NormKernels {
  /** Per slot: mean and biased variance into {@code st}. x (n,c,s) -&gt; st.mean, st.var (slots) */
  void moments(float[] x, NormLayout v, NormStats st);

  /**
   * x̂ = (x − μ)·invstd, y = γ·x̂ + β with st's mean and invstd; stores x̂ if {@code xhat} is not
   * null. x (n,c,s) -&gt; y (n,c,s), xhat (n,c,s)?
   */
  default void normalize(
      float[] x, NormLayout v, NormStats st, float[] gamma, float[] beta, float[] y, float[] xhat) {
    normalize(x, v, st, gamma, beta, y, xhat, false);
  }

  /**
   * {@link #normalize}, and with {@code relu} the ReLU after it in the same pass: y = relu(γ·x̂ +
   * β), the bits of {@link PoolActivationKernels#relu} on the normalized values (x̂ unrectified).
   * Only for layouts that {@link #fusesRelu} takes.
   */
  void normalize(
      float[] x,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat,
      boolean relu);

  /**
   * {@link #moments}, invstd = 1/√(var + eps) and {@link #normalize} in one call, with the same
   * values.
   */
  default void momentsNormalize(
      float[] x,
      NormLayout v,
      double eps,
      NormStats st,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat) {
    momentsNormalize(x, v, eps, st, gamma, beta, y, xhat, false);
  }

  /** {@link #momentsNormalize}, with {@code relu} as in {@link #normalize}'s fused form. */
  void momentsNormalize(
      float[] x,
      NormLayout v,
      double eps,
      NormStats st,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat,
      boolean relu);

  /**
   * {@link #normalize} (with {@code relu} as there) in place on samples t0 ≤ i &lt; t1 and channels
   * j0 ≤ j &lt; j1 of y only, on the calling thread, for a per-channel layout of one block (slot j:
   * BatchNorm with its running statistics): what a convolution's {@link ConvEpilogue} applies to an
   * image while it is in cache. Every element gets the bits {@link #normalize} gives it.
   *
   * @throws IllegalArgumentException for another layout
   */
  void normalizeInPlace(
      float[] y,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] beta,
      int t0,
      int t1,
      int j0,
      int j1,
      boolean relu);

  /** Whether {@link #normalizeInPlace} takes this layout: one statistic per channel, one block. */
  static boolean normalizesInPlace(NormLayout v) {
    return v.groupSize() == 1 && v.blocks() == 1;
  }

  /** Throws unless {@link #normalizesInPlace} takes {@code v}. */
  static void checkInPlace(NormLayout v) {
    if (!normalizesInPlace(v)) {
      throw new IllegalArgumentException(
          "normalizeInPlace takes one statistic per channel over one block, got " + v);
    }
  }

  /**
   * Whether the fused-ReLU forms of {@link #normalize}, {@link #momentsNormalize} and {@link
   * #backward} take this layout; a layer normalizes and rectifies in two passes where not.
   */
  boolean fusesRelu(NormLayout v);

  /**
   * Whether backward can recompute x̂ from the input for this layout, so forward need not store it.
   */
  boolean recomputesXhat(NormLayout v);

  /**
   * Backward, first half: per slot A = Σ dx̂ and B = Σ dx̂·x̂ into {@code st}; per channel dγ += Σ
   * dy·x̂, dβ += Σ dy.
   */
  void sums(
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dGamma,
      float[] dBeta);

  /** Backward, second half: dx = invstd·(dx̂ − A/m − x̂·B/m) with st's sums and count m. */
  void apply(
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dx);

  /**
   * With {@code train}, {@link #sums} then {@link #apply} (the same values, the sums left in {@code
   * st}); without, backward through constant statistics: dx = γ·invstd·dy and the same dγ, dβ.
   */
  default void backward(
      boolean train,
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    backward(train, dy, null, src, fromInput, v, st, gamma, dx, dGamma, dBeta);
  }

  /**
   * {@link #backward} through a ReLU after the normalization: with {@code relu} not null (the fused
   * forward's output y), dy counts only where y &gt; 0, as {@link
   * PoolActivationKernels#reluBackward} would have passed it on; the bits of that pass followed by
   * {@link #backward}. Only for layouts that {@link #fusesRelu} takes when {@code relu} is not
   * null.
   */
  void backward(
      boolean train,
      float[] dy,
      float[] relu,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta);
}
