package bnlab.tensor;

import java.util.Arrays;

/** Shape arithmetic and the checks that name expected and actual shapes in their messages. */
public final class Shape {
  private Shape() {}

  /** Product of the dimensions; rejects negative dimensions and int overflow. */
  public static int size(int... shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + str(shape));
      }
      n *= d;
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("shape " + str(shape) + " has too many elements");
      }
    }
    return (int) n;
  }

  /** PyTorch-style rendering: (10, 3, 32, 32). */
  public static String str(int... shape) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.append(shape.length == 1 ? ",)" : ")").toString();
  }

  /** Replaces a single -1 in {@code shape} so that it holds {@code size} elements. */
  static int[] infer(int size, int... shape) {
    int[] out = shape.clone();
    int unknown = -1;
    long known = 1;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == -1) {
        if (unknown >= 0) {
          throw new IllegalArgumentException("only one -1 allowed in shape " + str(shape));
        }
        unknown = i;
      } else {
        known *= out[i];
      }
    }
    if (unknown >= 0 && known > 0 && size % known == 0) {
      out[unknown] = (int) (size / known);
    }
    if (size(out) != size) {
      throw new IllegalArgumentException(
          "cannot view " + size + " elements as shape " + str(shape));
    }
    return out;
  }

  static int offset(int[] shape, int[] index) {
    if (index.length != shape.length) {
      throw new IllegalArgumentException(
          "index " + Arrays.toString(index) + " does not match shape " + str(shape));
    }
    int off = 0;
    for (int i = 0; i < shape.length; i++) {
      if (index[i] < 0 || index[i] >= shape[i]) {
        throw new IndexOutOfBoundsException(
            "index " + Arrays.toString(index) + " out of bounds for shape " + str(shape));
      }
      off = off * shape[i] + index[i];
    }
    return off;
  }

  /** {@link #check(String, Tensor, String, int...)} for rank 2, without a varargs array. */
  public static void check(String who, Tensor t, String expectedText, int e0, int e1) {
    if (t.rank() != 2 || !fits(e0, t.dim(0)) || !fits(e1, t.dim(1))) {
      check(who, t, expectedText, new int[] {e0, e1});
    }
  }

  /** {@link #check(String, Tensor, String, int...)} for rank 3, without a varargs array. */
  public static void check(String who, Tensor t, String expectedText, int e0, int e1, int e2) {
    if (t.rank() != 3 || !fits(e0, t.dim(0)) || !fits(e1, t.dim(1)) || !fits(e2, t.dim(2))) {
      check(who, t, expectedText, new int[] {e0, e1, e2});
    }
  }

  /** {@link #check(String, Tensor, String, int...)} for rank 4, without a varargs array. */
  public static void check(
      String who, Tensor t, String expectedText, int e0, int e1, int e2, int e3) {
    if (t.rank() != 4
        || !fits(e0, t.dim(0))
        || !fits(e1, t.dim(1))
        || !fits(e2, t.dim(2))
        || !fits(e3, t.dim(3))) {
      check(who, t, expectedText, new int[] {e0, e1, e2, e3});
    }
  }

  private static boolean fits(int expected, int actual) {
    return expected < 0 || expected == actual;
  }

  /**
   * Checks that {@code t} has rank {@code rank} and, where {@code expected[i] >= 0}, that
   * dimension. Use -1 for "any". The message shows both shapes, e.g. {@code conv1: expected input
   * (N, 3, H, W), got (10, 1, 28, 28)}.
   */
  public static void check(String who, Tensor t, String expectedText, int... expected) {
    boolean ok = t.rank() == expected.length;
    for (int i = 0; ok && i < expected.length; i++) {
      ok = expected[i] < 0 || expected[i] == t.dim(i);
    }
    if (!ok) {
      throw new IllegalArgumentException(
          who + ": expected input " + expectedText + ", got " + str(t.shape()));
    }
  }
}
