package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/** {@link VectorTree#tree} against the scalar order it must follow, {@link Reduction#tree}. */
class VectorTreeTest {
  @Test
  void sameBitsAsTheScalarTree() {
    Rng rng = new Rng(11);
    float[] t = new float[3 * Reduction.P + 5];
    for (int round = 0; round < 20_000; round++) {
      for (int i = 0; i < t.length; i++) {
        // Signs and magnitudes over eight decades: any other pairing rounds differently.
        t[i] = (rng.nextFloat() - 0.5f) * (float) Math.pow(10, 8 * rng.nextFloat() - 4);
      }
      int r = round;
      int off = round % (t.length - Reduction.P + 1);
      float want = Reduction.tree(t, off);
      float got = VectorTree.tree(t, off);
      assertEquals(
          Float.floatToRawIntBits(want),
          Float.floatToRawIntBits(got),
          () -> "round " + r + " off " + off + ": scalar " + want + ", vector " + got);
    }
  }

  @Test
  void signedZerosInfinitiesAndNaN() {
    float[][] cases = {
      {-0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f},
      {-0f, 0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f},
      {1f, Float.POSITIVE_INFINITY, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f},
      {
        Float.NEGATIVE_INFINITY,
        0f,
        0f,
        0f,
        0f,
        0f,
        0f,
        0f,
        0f,
        Float.POSITIVE_INFINITY,
        0f,
        0f,
        0f,
        0f,
        0f,
        0f
      },
      {3e38f, 3e38f, 0f, 0f, -3e38f, -3e38f, 0f, 0f, 3e38f, 3e38f, 0f, 0f, 0f, 0f, 0f, 0f},
      {Float.NaN, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f},
    };
    for (float[] c : cases) {
      assertEquals(
          Float.floatToIntBits(Reduction.tree(c, 0)),
          Float.floatToIntBits(VectorTree.tree(c, 0)),
          () -> java.util.Arrays.toString(c));
    }
  }
}
