package bnlab.kernel;

/**
 * A ReLU's backward and rule for one value, without a branch. A ReLU's output is zero in about half
 * of a layer's values, in no pattern a branch predictor learns, and C2 compiles {@code out > 0f ?
 * dy : 0f} to a branch: in BatchNorm1d's backward over (128, 120) with masks that change from call
 * to call, 1.5–3.8 ns per value for the select against 0.74 for {@link #pass}. The scalar tails and
 * scatters of the vector kernels use these; the vector bodies blend.
 */
final class ReluMask {
  private ReluMask() {}

  /**
   * {@code out > 0f ? dy : +0f}, bit for bit: as ints, out &gt; 0 is exactly 1 ≤ bits(out) ≤
   * bits(+∞) (+0, −0, every negative and every NaN fall outside), so {@code drop} is all ones
   * exactly where dy must become +0, and a kept dy keeps its bits (−0, infinities and NaN payloads
   * included).
   */
  static float pass(float out, float dy) {
    int r = Float.floatToRawIntBits(out);
    int drop = ((r - 1) | (0x7F800000 - r)) >> 31;
    return Float.intBitsToFloat(Float.floatToRawIntBits(dy) & ~drop);
  }

  /**
   * {@code z <= 0f ? 0f : z}, the ReLU's rule (−0 and negatives give +0, NaN stays), bit for bit:
   * Math.max treats −0 as below +0 and returns a NaN argument, and C2 compiles it without a branch.
   */
  static float relu(float z) {
    return Math.max(z, 0f);
  }
}
