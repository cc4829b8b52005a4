package bnlab.kernel;

/**
 * A per-output-channel map that a {@link ConvPlan} applies to its output right after computing it,
 * while it is still in cache: an eval-mode BatchNorm (and the ReLU after it) in the convolution's
 * pass instead of a pass of its own over memory.
 *
 * <p>The plan calls {@link #apply} once for every (image, output channel) of its output, after the
 * bias was added, in ranges of its own choosing and possibly from several kernel threads at once
 * (on disjoint ranges). The map must therefore be element-wise per channel, read nothing but its
 * own range of y and its own constants, and give the same bits whichever range holds an element.
 */
@FunctionalInterface
public interface ConvEpilogue {
  /**
   * y[t, k, ·] ← f_k(y[t, k, ·]) in place for images t0 ≤ t &lt; t1 and output channels k0 ≤ k &lt;
   * k1, y (batch, K, P·Q) as the plan's forward writes it.
   */
  void apply(float[] y, int t0, int t1, int k0, int k1);
}
