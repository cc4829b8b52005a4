package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The transposes against the definition dst[c·rows + r] = src[r·cols + c], blocked or not; the copy
 * of runs shorter than, equal to and longer than a vector, nothing written around them.
 */
class VectorArraysTest {
  // Below, at and above the blocked rule's threshold, with rows that leave a partial block.
  private static final int[][] SHAPES = {
    {1, 1}, {3, 5}, {16, 1024}, {63, 7}, {64, 64}, {64, 576}, {77, 13}, {128, 128}, {131, 3}
  };

  @Test
  void transposeMatchesTheDefinition() {
    Random rnd = new Random(5);
    for (int[] sh : SHAPES) {
      int rows = sh[0];
      int cols = sh[1];
      int s = 3;
      int d = 5;
      float[] src = new float[s + rows * cols];
      for (int i = 0; i < src.length; i++) {
        src[i] = rnd.nextFloat();
      }
      float[] dst = new float[d + rows * cols + 2];
      VectorArrays.transpose(src, s, rows, cols, dst, d);
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          int at = r;
          int ac = c;
          assertEquals(
              src[s + r * cols + c],
              dst[d + c * rows + r],
              () -> rows + "x" + cols + ": element (" + at + ", " + ac + ")");
        }
      }
      assertEquals(0f, dst[d + rows * cols], rows + "x" + cols + ": wrote past the end");
    }
  }

  @Test
  void addTransposedAddsEachElementOnce() {
    Random rnd = new Random(6);
    for (int[] sh : SHAPES) {
      int rows = sh[0];
      int cols = sh[1];
      int s = 2;
      float[] src = new float[s + rows * cols];
      float[] dst = new float[rows * cols];
      float[] before = new float[dst.length];
      for (int i = 0; i < src.length; i++) {
        src[i] = rnd.nextFloat();
      }
      for (int i = 0; i < dst.length; i++) {
        dst[i] = rnd.nextFloat();
        before[i] = dst[i];
      }
      VectorArrays.addTransposed(src, s, rows, cols, dst);
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          int at = r;
          int ac = c;
          assertEquals(
              before[c * rows + r] + src[s + r * cols + c],
              dst[c * rows + r],
              () -> rows + "x" + cols + ": element (" + at + ", " + ac + ")");
        }
      }
    }
  }

  @Test
  void copyWritesExactlyTheRun() {
    int l = VectorGemm.L;
    for (int len = 0; len <= 3 * l + 1; len++) {
      for (int s : new int[] {0, 3}) {
        int d = 5;
        float[] src = new float[s + len + 1];
        for (int i = 0; i < src.length; i++) {
          src[i] = i + 1;
        }
        float[] dst = new float[d + len + 2];
        java.util.Arrays.fill(dst, Float.NaN);
        VectorArrays.copy(src, s, dst, d, len);
        for (int i = 0; i < dst.length; i++) {
          boolean inside = i >= d && i < d + len;
          String where = "length " + len + ", source offset " + s + ", element " + i;
          if (inside) {
            assertEquals(src[s + i - d], dst[i], 0f, where);
          } else {
            assertEquals(true, Float.isNaN(dst[i]), where + " was written");
          }
        }
      }
    }
  }
}
