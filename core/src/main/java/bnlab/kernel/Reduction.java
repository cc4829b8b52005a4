package bnlab.kernel;

/**
 * The one summation order the reduction kernels follow whatever the vector width, so that they give
 * the same bits on 128-, 256- and 512-bit registers (see the package documentation): a run of
 * values is split into a <em>body</em> of full blocks of {@link #P} values and a <em>tail</em> of
 * the last {@code len mod P}; body value j goes to partial sum {@code j mod P} (lane j of a 512-bit
 * register, lane j mod 8 of the (j / 8)-th of two 256-bit accumulators, of the (j / 4)-th of four
 * 128-bit ones), the P partials are combined by {@link #tree}, and the tail is summed in order on
 * its own.
 */
final class Reduction {
  /** Partial sums per reduction: the lanes of the widest register (AVX-512, 16 floats). */
  static final int P = 16;

  private Reduction() {}

  /** The body length of a run of {@code len} values: its full blocks of {@link #P}. */
  static int body(int len) {
    return len & -P;
  }

  /**
   * t[off, off + P) summed by a fixed pairwise tree: t[i] += t[i + 8] for i &lt; 8, then + 4, + 2,
   * + 1 (in place; the result is t[off]).
   */
  static float tree(float[] t, int off) {
    for (int h = P / 2; h >= 1; h /= 2) {
      for (int i = 0; i < h; i++) {
        t[off + i] += t[off + i + h];
      }
    }
    return t[off];
  }
}
