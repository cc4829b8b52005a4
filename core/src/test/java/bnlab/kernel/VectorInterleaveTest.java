package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link VectorInterleave} against the index formulas, for runs shorter and longer than a vector.
 */
class VectorInterleaveTest {
  @Test
  void splitTakesEvenAndOddElements() {
    for (int pairs = 0; pairs <= 3 * VectorInterleave.N + 1; pairs++) {
      float[] src = sequence(3 + 2 * pairs, 100f);
      float[] got = new float[5 + 2 * pairs];
      float[] want = new float[got.length];
      for (int j = 0; j < pairs; j++) {
        want[2 + j] = src[3 + 2 * j];
        want[2 + pairs + 1 + j] = src[3 + 2 * j + 1];
      }
      VectorInterleave.split(src, 3, pairs, got, 2, 2 + pairs + 1);
      assertArrayEquals(want, got, "pairs = " + pairs);
    }
  }

  @Test
  void mergeAlternatesTwoRuns() {
    for (int n = 0; n <= 6 * VectorInterleave.N + 1; n++) {
      float[] a = sequence(1 + (n + 1) / 2, 1f);
      float[] b = sequence(4 + n / 2, -1f);
      float[] got = sequence(n + 3, 1000f);
      float[] want = got.clone();
      for (int c = 0; c < n; c++) {
        want[2 + c] = c % 2 == 0 ? a[1 + c / 2] : b[4 + c / 2];
      }
      VectorInterleave.merge(a, 1, b, 4, got, 2, n);
      assertArrayEquals(want, got, "n = " + n);
    }
  }

  private static float[] sequence(int n, float step) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = step * (i + 1);
    }
    return x;
  }
}
