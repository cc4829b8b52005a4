package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorTree#tree}, {@link VectorTree#tree8} and (8 lanes) DotGemm8's trees from registers
 * against the scalar order they must follow, {@link Reduction#tree}.
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

  /**
   * DotGemm8 writes {@link VectorTree}'s tree out for its 2×2 blocks (four trees side by side) and
   * for single elements: products of k = P, one partial per product, so each C element must be the
   * scalar tree of its P products (each rounded once, as the kernel's fused multiply-add onto +0).
   */
  @Test
  void dotGemm8TreesFromRegistersSameBitsAsScalarTrees() {
    assumeTrue(VectorWidth.L == 8, "DotGemm8 is the 8-lane (256-bit) kernels' product");
    Rng rng = new Rng(14);
    int p = Reduction.P;
    int m = 3; // rows 0 and 1 go through the 2×2 block, row 2 through the single dot product
    int n = 2;
    float[] a = new float[m * p];
    float[] b = new float[n * p];
    float[] c = new float[m * n];
    float[] q = new float[p];
    float[][] specials = {{-0f}, {1f, Float.POSITIVE_INFINITY}, {3e38f, -3e38f}, {Float.NaN, 1f}};
    GemmShape shape = GemmShape.of(false, true, m, n, p);
    for (int round = 0; round < 20_000; round++) {
      for (int i = 0; i < a.length; i++) {
        a[i] =
            round % 50 == 49
                ? specials[rng.nextInt(specials.length)][i % 2 == 0 ? 0 : rng.nextInt(1)]
                : (rng.nextFloat() - 0.5f) * (float) Math.pow(10, 8 * rng.nextFloat() - 4);
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = round % 50 == 49 ? (i % 3 == 0 ? -1f : 1f) : rng.nextFloat() - 0.5f;
      }
      DotGemm8.dots(shape, a, 0, b, 0, 0f, c, 0, 0, m, 0, n);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          for (int t = 0; t < p; t++) {
            q[t] = Math.fma(a[i * p + t], b[j * p + t], 0f);
          }
          float want = Reduction.tree(q, 0) + 0f;
          float got = c[i * n + j];
          int r = round;
          int ii = i;
          int jj = j;
          assertEquals(
              Float.floatToRawIntBits(want),
              Float.floatToRawIntBits(got),
              () ->
                  "round "
                      + r
                      + ", C["
                      + ii
                      + "]["
                      + jj
                      + "]: scalar tree "
                      + want
                      + ", got "
                      + got);
        }
      }
    }
  }
}
