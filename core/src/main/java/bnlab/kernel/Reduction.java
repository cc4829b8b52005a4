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
   * + 1 (t itself is left unchanged).
   */
  static float tree(float[] t, int off) {
    // Unrolled into registers: the loop form kept every level in memory, a chain of stores and
    // reloads that cost as much as the dot products themselves on short runs (DirectConv's
    // weight gradient). Same additions in the same order, so the same bits.
    float a0 = t[off] + t[off + 8];
    float a1 = t[off + 1] + t[off + 9];
    float a2 = t[off + 2] + t[off + 10];
    float a3 = t[off + 3] + t[off + 11];
    float a4 = t[off + 4] + t[off + 12];
    float a5 = t[off + 5] + t[off + 13];
    float a6 = t[off + 6] + t[off + 14];
    float a7 = t[off + 7] + t[off + 15];
    a0 += a4;
    a1 += a5;
    a2 += a6;
    a3 += a7;
    a0 += a2;
    a1 += a3;
    return a0 + a1;
  }
}
