package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link VectorInterleave} against the index formulas, for runs shorter and longer than a vector.
 */
class VectorInterleaveTest {
  @Test
  void evensAndAddIntoEvensAreTheStride2GatherAndScatterAdd() {
    int n0 = VectorInterleave.N;
    java.util.Random rnd = new java.util.Random(4);
    // Runs shorter than a vector (masked), whole vectors with an overlapping last one, and runs
    // ending at the limit (element by element); sentinels of −0.0 around and between the targets
    // must keep their bits.
    for (int n = 0; n <= 2 * n0 + 3; n++) {
      for (int s0 : new int[] {0, 3}) {
        for (int slack : new int[] {0, 1, 2 * n0 + 5}) {
          float[] src = new float[s0 + 2 * n + slack];
          for (int i = 0; i < src.length; i++) {
            src[i] = (float) rnd.nextGaussian();
          }
          int limit = s0 + 2 * n + slack;
          float[] dst = new float[5 + n + 2 * n0];
          java.util.Arrays.fill(dst, -0f);
          VectorInterleave.evens(src, s0, n, dst, 5, limit);
          for (int i = 0; i < dst.length; i++) {
            float want = i >= 5 && i < 5 + n ? src[s0 + 2 * (i - 5)] : -0f;
            assertEquals(
                Float.floatToRawIntBits(want),
                Float.floatToRawIntBits(dst[i]),
                "evens n=" + n + " s=" + s0 + " slack=" + slack + " at " + i);
          }
          float[] add = new float[n + slack];
          for (int i = 0; i < add.length; i++) {
            add[i] = (float) rnd.nextGaussian();
          }
          float[] into = new float[3 + 2 * n + slack];
          for (int i = 0; i < into.length; i++) {
            into[i] = i % 3 == 0 ? -0f : (float) rnd.nextGaussian();
          }
          float[] want = into.clone();
          for (int j = 0; j < n; j++) {
            want[3 + 2 * j] += add[j];
          }
          VectorInterleave.addIntoEvens(add, 0, into, 3, n, into.length);
          for (int i = 0; i < into.length; i++) {
            assertEquals(
                Float.floatToRawIntBits(want[i]),
                Float.floatToRawIntBits(into[i]),
                "addIntoEvens n=" + n + " slack=" + slack + " at " + i);
          }
        }
      }
    }
  }

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

  /**
   * split4 gathers every fourth element into four runs and leaves N/2 zeros after each (the
   * documented spill), nothing further; merge4 puts them back.
   */
  @Test
  void split4AndMerge4AreTheStride4GatherAndScatter() {
    int n2 = 2 * VectorInterleave.N;
    for (int n = n2; n <= 3 * n2; n += n2) {
      assertTrue(VectorInterleave.quads(n));
      assertFalse(VectorInterleave.quads(n + 4), "a partial pair of vectors");
      float[] src = sequence(5 + n, 100f);
      int gap = n / 4 + VectorInterleave.N; // room for each run and its zeros, then a marker
      float[] got = sequence(3 + 4 * gap + VectorInterleave.N, 5000f);
      float[] want = got.clone();
      int[] d = {3, 3 + gap, 3 + 2 * gap, 3 + 3 * gap};
      for (int q = 0; q < 4; q++) {
        for (int j = 0; j < n / 4; j++) {
          want[d[q] + j] = src[5 + 4 * j + q];
        }
        for (int z = 0; z < VectorInterleave.N / 2; z++) {
          want[d[q] + n / 4 + z] = 0f;
        }
      }
      VectorInterleave.split4(src, 5, n, got, d[0], d[1], d[2], d[3]);
      assertArrayEquals(want, got, "split4, n = " + n);
      float[] back = sequence(n + 9, -7f);
      float[] wantBack = back.clone();
      System.arraycopy(src, 5, wantBack, 4, n);
      VectorInterleave.merge4Rows(got, 0, 0, 0, 0, d[0], d[1], d[2], d[3], back, 4, n, 1);
      assertArrayEquals(wantBack, back, "merge4Rows, one row, n = " + n);
    }
  }

  /** merge4Rows over several rows of a polyphase layout, against its index formula. */
  @Test
  void merge4RowsScattersEveryRowOfAPlane() {
    int n2 = 2 * VectorInterleave.N;
    for (int n = n2; n <= 2 * n2; n += n2) {
      int rows = 7;
      int pr0 = 1;
      int pitch = n / 4 + 1;
      int phase = (rows / 4 + 2) * pitch + VectorInterleave.N;
      int base = 2;
      int[] c = {phase, 2 * phase, 3 * phase, 1}; // as a padding of one column puts them
      float[] src = sequence(base + 16 * phase + VectorInterleave.N, 1f);
      float[] got = sequence(3 + rows * n + 5, -1f);
      float[] want = got.clone();
      for (int r = 0; r < rows; r++) {
        int pr = pr0 + r;
        int b = base + 4 * (pr & 3) * phase + (pr >> 2) * pitch;
        for (int j = 0; j < n / 4; j++) {
          for (int q = 0; q < 4; q++) {
            want[3 + r * n + 4 * j + q] = src[b + c[q] + j];
          }
        }
      }
      VectorInterleave.merge4Rows(
          src, base, phase, pitch, pr0, c[0], c[1], c[2], c[3], got, 3, n, rows);
      assertArrayEquals(want, got, "n = " + n);
    }
  }

  @Test
  void mergeAlternatesTwoRuns() {
    // Sources that end with the run (element by element at n = N) and with a vector to spare (n
    // = N by one permutation of two loads).
    for (int slack : new int[] {0, VectorInterleave.N}) {
      for (int n = 0; n <= 6 * VectorInterleave.N + 1; n++) {
        float[] a = sequence(1 + (n + 1) / 2 + slack, 1f);
        float[] b = sequence(4 + n / 2 + slack, -1f);
        float[] got = sequence(n + 3, 1000f);
        float[] want = got.clone();
        for (int c = 0; c < n; c++) {
          want[2 + c] = c % 2 == 0 ? a[1 + c / 2] : b[4 + c / 2];
        }
        VectorInterleave.merge(a, 1, b, 4, got, 2, n);
        assertArrayEquals(want, got, "n = " + n + ", slack " + slack);
      }
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
