package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Float arithmetic that stays fast next to zero. On x86 a float multiply, divide or square root
 * that reads or produces a subnormal (0 &lt; |x| &lt; 2⁻¹²⁶) takes a microcode assist: about 100
 * cycles instead of a few (measured on a Xeon under AVX2: 5.5 ns per element of a vector multiply
 * against 0.08, 43 ns per scalar one; additions and float/double conversions pay nothing). Java
 * cannot set the flush-to-zero mode, and flushing would change results anyway.
 *
 * <p>A kernel whose data decays into subnormals finds such vectors with {@link #tiny} and computes
 * them element by element with {@link #mul} and {@link #div}, in double, where no float is
 * subnormal. That gives each float operation's bits exactly: a product of two floats is exact in
 * double, and rounding first to double and then to float equals rounding once for ÷ and √ because
 * double has at least 2·24 + 2 bits (Figueroa 1995). So which vectors take this path changes the
 * speed only, never a bit. (Doing it with double vectors measured 1.4× faster again on the
 * optimizers, but C2 then inlines or boxes the conversions depending on how hot the path is, and
 * boxing allocates in the training step.)
 */
final class Subnormals {
  /**
   * Below this a value may make a product subnormal even with a factor near 1 (the optimizers'
   * moments and buffers): 2⁻¹⁰⁰ leaves 26 binary orders of magnitude for the other factor.
   */
  static final float TINY = 0x1p-100f;

  /** As {@link #TINY} for a value that is squared (Adam's gradient in v): (2⁻⁵⁰)² = 2⁻¹⁰⁰. */
  static final float TINY_SQUARED = 0x1p-50f;

  private Subnormals() {}

  /** The lanes with 0 &lt; |x| &lt; t. */
  static VectorMask<Float> tiny(FloatVector x, float t) {
    FloatVector a = x.abs();
    return a.lt(t).and(a.compare(VectorOperators.GT, 0f));
  }

  /** a·b rounded to float, through double. */
  static float mul(float a, float b) {
    return (float) ((double) a * b);
  }

  /** a/b rounded to float, through double. */
  static float div(float a, float b) {
    return (float) ((double) a / b);
  }
}
