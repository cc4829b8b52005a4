package bnlab.nn;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;

/** Small tensor helpers for tests. */
public final class Tensors {
  private Tensors() {}

  /** A tensor of the given shape, uniform in [-1, 1) from {@code seed}. */
  public static Tensor uniform(long seed, int... shape) {
    Tensor t = Tensor.zeros(shape);
    new Rng(seed).fillUniform(t, -1f, 1f);
    return t;
  }

  /** A tensor holding 0, 1, 2, ... in row-major order. */
  public static Tensor arange(int... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) {
      t.data()[i] = i;
    }
    return t;
  }

  /**
   * Fails at the first entry whose bits differ (so −0 against +0 and one NaN against another
   * count), naming {@code what}, the index and both values.
   */
  public static void assertSameBits(float[] want, float[] got, String what) {
    if (want.length != got.length) {
      throw new AssertionError(what + ": lengths differ: " + want.length + " vs " + got.length);
    }
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        throw new AssertionError(what + " at " + i + ": want " + want[i] + ", got " + got[i]);
      }
    }
  }

  /** Fails with the first differing entry when |a − b| > atol + rtol·|b| anywhere. */
  public static void assertClose(float[] expected, float[] actual, double rtol, double atol) {
    if (expected.length != actual.length) {
      throw new AssertionError("lengths differ: " + expected.length + " vs " + actual.length);
    }
    for (int i = 0; i < expected.length; i++) {
      double tol = atol + rtol * Math.abs(expected[i]);
      if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
        throw new AssertionError(
            "entry "
                + i
                + ": expected "
                + expected[i]
                + ", got "
                + actual[i]
                + " (tol "
                + tol
                + ")");
      }
    }
  }

  /**
   * Fails at the first parameter gradient or buffer of {@code got} whose bits differ from {@code
   * want}'s (the two modules having the same state names), naming it and {@code what}.
   */
  public static void assertSameState(Module want, Module got, String what) {
    java.util.Map<String, Parameter> params = got.namedParameters();
    if (!want.namedParameters().keySet().equals(params.keySet())) {
      throw new AssertionError(
          what
              + ": parameters differ: "
              + want.namedParameters().keySet()
              + " vs "
              + params.keySet());
    }
    want.namedParameters()
        .forEach(
            (n, p) ->
                assertSameBits(
                    p.grad().toArray(), params.get(n).grad().toArray(), n + ", " + what));
    java.util.Map<String, Tensor> buffers = got.namedBuffers();
    want.namedBuffers()
        .forEach((n, b) -> assertSameBits(b.toArray(), buffers.get(n).toArray(), n + ", " + what));
  }
}
