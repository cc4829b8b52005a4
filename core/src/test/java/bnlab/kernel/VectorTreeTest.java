package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import bnlab.tensor.Rng;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorTree#tree}, {@link VectorTree#tree8} and (8 lanes) {@link VectorTree#tree4} against
 * the scalar order they must follow, {@link Reduction#tree}.
 */
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

  @Test
  void eightTreesAtOnceSameBitsAsEightScalarTrees() {
    Rng rng = new Rng(12);
    int p = Reduction.P;
    float[] t = new float[8 * p + 7];
    float[] out = new float[40];
    for (int round = 0; round < 5_000; round++) {
      for (int i = 0; i < t.length; i++) {
        t[i] = (rng.nextFloat() - 0.5f) * (float) Math.pow(10, 8 * rng.nextFloat() - 4);
      }
      int off = round % 8;
      int o0 = round % 5;
      int o1 = 4 + o0 + (round % 29);
      java.util.Arrays.fill(out, 7f);
      VectorTree.tree8(t, off, out, o0, o1);
      for (int e = 0; e < 8; e++) {
        int at = e < 4 ? o0 + e : o1 + e - 4;
        float want = Reduction.tree(t, off + e * p);
        int r = round;
        int ee = e;
        assertEquals(
            Float.floatToRawIntBits(want),
            Float.floatToRawIntBits(out[at]),
            () -> "round " + r + ", weight " + ee + ": scalar " + want + ", tree8 " + out[at]);
      }
      for (int i = 0; i < out.length; i++) {
        boolean written = (i >= o0 && i < o0 + 4) || (i >= o1 && i < o1 + 4);
        if (!written) {
          int ii = i;
          assertEquals(7f, out[i], () -> "tree8 wrote out[" + ii + "], outside its two runs");
        }
      }
    }
  }

  @Test
  void eightTreesKeepSignedZerosInfinitiesAndNaN() {
    int p = Reduction.P;
    float[] t = new float[8 * p];
    float[][] specials = {
      {-0f},
      {0f, -0f},
      {1f, Float.POSITIVE_INFINITY},
      {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY},
      {3e38f, 3e38f, -3e38f},
      {Float.NaN, 1f},
      {-0f, -0f, -0f},
      {2f, -2f}
    };
    Rng rng = new Rng(13);
    for (int round = 0; round < 200; round++) {
      for (int e = 0; e < 8; e++) {
        float[] sp = specials[(e + round) % specials.length];
        for (int i = 0; i < p; i++) {
          t[e * p + i] = round % 2 == 0 ? sp[i % sp.length] : sp[rng.nextInt(sp.length)];
        }
      }
      float[] out = new float[8];
      VectorTree.tree8(t, 0, out, 0, 4);
      for (int e = 0; e < 8; e++) {
        int ee = e;
        assertEquals(
            Float.floatToIntBits(Reduction.tree(t, e * p)),
            Float.floatToIntBits(out[e]),
            () ->
                "weight "
                    + ee
                    + ": "
                    + java.util.Arrays.toString(
                        java.util.Arrays.copyOfRange(t, ee * p, ee * p + p)));
      }
    }
  }

  @Test
  void fourTreesFromRegistersSameBitsAsFourScalarTrees() {
    assumeTrue(VectorWidth.L == 8, "tree4 is the 8-lane (256-bit) kernels' tree");
    Rng rng = new Rng(14);
    int p = Reduction.P;
    float[] t = new float[4 * p];
    float[][] specials = {{-0f}, {1f, Float.POSITIVE_INFINITY}, {3e38f, -3e38f}, {Float.NaN, 1f}};
    int[] lane = {0, 4, 2, 6};
    for (int round = 0; round < 20_000; round++) {
      for (int i = 0; i < t.length; i++) {
        t[i] =
            round % 50 == 49
                ? specials[rng.nextInt(specials.length)][i % 2 == 0 ? 0 : rng.nextInt(1)]
                : (rng.nextFloat() - 0.5f) * (float) Math.pow(10, 8 * rng.nextFloat() - 4);
      }
      FloatVector[] v = new FloatVector[8];
      for (int i = 0; i < 8; i++) {
        v[i] = FloatVector.fromArray(VectorWidth.S, t, i * 8);
      }
      FloatVector sums = VectorTree.tree4(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
      for (int e = 0; e < 4; e++) {
        float want = Reduction.tree(t, e * p);
        float got = sums.lane(lane[e]);
        float one = VectorTree.tree(v[2 * e], v[2 * e + 1]);
        int r = round;
        int ee = e;
        assertEquals(
            Float.floatToRawIntBits(want),
            Float.floatToRawIntBits(got),
            () -> "round " + r + ", run " + ee + ": scalar " + want + ", tree4 " + got);
        assertEquals(
            Float.floatToRawIntBits(want),
            Float.floatToRawIntBits(one),
            () -> "round " + r + ", run " + ee + ": scalar " + want + ", tree(lo, hi) " + one);
      }
    }
  }
}
