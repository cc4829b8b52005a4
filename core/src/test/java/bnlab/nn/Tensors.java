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
}
