package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvKernels#biasGrad}: the vector kernel gives the scalar twin's bits and the bits of the
 * documented order written out here independently (per row P partials by position mod P, the
 * pairwise tree, the tail; rows in double), and agrees with a float64 sum. core's pom runs this
 * class at 256 and 128 bits too.
 */
class BiasGradientTest {
  // n, k, l: rows of one value (Linear-like), shorter than P, exactly P, with tails, the article's
  // 28×28 and 10×10 layers, a 32×32 layer with a tail of 3.
  private static final int[][] SHAPES = {
    {3, 4, 1}, {2, 3, 5}, {1, 2, 16}, {3, 5, 17}, {4, 6, 100}, {2, 6, 784}, {3, 3, 1027}
  };

  @Test
  void vectorScalarAndTheWrittenOrderAgreeBitForBit() {
    Rng rng = new Rng(17);
    for (int[] d : SHAPES) {
      int n = d[0], k = d[1], l = d[2];
      float[] dy = VectorGemmTest.random(rng, n * k * l + 7);
      float[] start = VectorGemmTest.random(rng, k);
      float[] want = plusWrittenOrder(start, dy, n, k, l);
      float[] scalar = start.clone();
      new ScalarConv().biasGrad(dy, n, k, l, scalar, 0, k);
      float[] vector = start.clone();
      VectorBiasGradient.sums(dy, n, k, l, vector, 0, k);
      // Channel by channel too: each channel's sum depends on that channel only.
      float[] split = start.clone();
      for (int c = 0; c < k; c++) {
        VectorBiasGradient.sums(dy, n, k, l, split, c, c + 1);
      }
      String shape = n + "x" + k + "x" + l + " (" + VectorWidth.name() + ")";
      assertBits(want, scalar, "scalar, " + shape);
      assertBits(want, vector, "vector, " + shape);
      assertBits(want, split, "vector by channel, " + shape);
      for (int c = 0; c < k; c++) {
        double exact = start[c];
        double size = 0;
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < l; j++) {
            exact += dy[(i * k + c) * l + j];
            size += Math.abs(dy[(i * k + c) * l + j]);
          }
        }
        double tol = 1e-6 * (size + Math.abs(exact));
        assertTrue(
            Math.abs(vector[c] - exact) <= tol,
            shape + " channel " + c + ": " + vector[c] + " against float64 " + exact);
      }
    }
  }

  @Test
  void rowSumsOverAnySplitOfTheImagesGiveTheBiasGradientsBits() {
    Rng rng = new Rng(23);
    for (int[] d : SHAPES) {
      int n = d[0], k = d[1], l = d[2];
      float[] dy = VectorGemmTest.random(rng, n * k * l + 7);
      float[] start = VectorGemmTest.random(rng, k);
      float[] want = plusWrittenOrder(start, dy, n, k, l);
      String shape = n + "x" + k + "x" + l + " (" + VectorWidth.name() + ")";
      for (int parts = 1; parts <= n; parts++) {
        float[] scalarRows = new float[n * k + 3];
        float[] vectorRows = new float[n * k + 3];
        for (int part = 0; part < parts; part++) {
          int i0 = part * n / parts;
          int i1 = (part + 1) * n / parts;
          new ScalarConv().biasRowSums(dy, n, k, l, i0, i1, scalarRows);
          VectorBiasGradient.rowSums(dy, n, k, l, i0, i1, vectorRows);
        }
        float[] scalar = start.clone();
        ConvKernels.addRowSums(scalarRows, n, k, scalar);
        float[] vector = start.clone();
        ConvKernels.addRowSums(vectorRows, n, k, vector);
        assertBits(want, scalar, "scalar rows in " + parts + " parts, " + shape);
        assertBits(want, vector, "vector rows in " + parts + " parts, " + shape);
      }
    }
  }

  @Test
  void badShapesAreRefusedBeforeAnyWrite() {
    float[] dy = new float[24];
    float[] db = {1f, 2f, 3f};
    float[] before = db.clone();
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> VectorBiasGradient.sums(dy, 2, 3, 5, db, 0, 3));
    assertTrue(e.getMessage().contains("(2, 3, 5)"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> new ScalarConv().biasGrad(dy, 2, 3, 4, db, 2, 4));
    assertThrows(
        IllegalArgumentException.class, () -> VectorBiasGradient.sums(dy, 2, 3, 0, db, 0, 3));
    assertArrayEquals(before, db);
    float[] rows = {1f, 2f, 3f, 4f, 5f};
    float[] rowsBefore = rows.clone();
    var r =
        assertThrows(
            IllegalArgumentException.class,
            () -> VectorBiasGradient.rowSums(dy, 2, 3, 4, 0, 2, rows));
    assertTrue(r.getMessage().contains("5 row sums for 3 channels"), r.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new ScalarConv().biasRowSums(dy, 2, 3, 4, 1, 3, new float[6]));
    assertThrows(
        IllegalArgumentException.class,
        () -> VectorBiasGradient.rowSums(dy, 2, 3, 5, 0, 1, new float[6]));
    assertThrows(
        IllegalArgumentException.class, () -> ConvKernels.addRowSums(rows, 2, 3, new float[3]));
    assertArrayEquals(rowsBefore, rows);
  }

  // start[c] + each channel's sum in the written order, rounded to float
  private static float[] plusWrittenOrder(float[] start, float[] dy, int n, int k, int l) {
    float[] want = start.clone();
    for (int c = 0; c < k; c++) {
      want[c] += (float) writtenOrder(dy, n, k, l, c);
    }
    return want;
  }

  // The order of ConvKernels#biasGrad, written without Reduction: row body value j into partial
  // j mod 16, the partials combined 8 apart, then 4, 2, 1; the tail from zero in order; the row's
  // float sum added to a double in row order.
  private static double writtenOrder(float[] dy, int n, int k, int l, int c) {
    double sum = 0;
    int body = l / 16 * 16;
    for (int i = 0; i < n; i++) {
      int off = (i * k + c) * l;
      float[] p = new float[16];
      for (int j = 0; j < body; j++) {
        p[j % 16] += dy[off + j];
      }
      for (int half = 8; half >= 1; half /= 2) {
        for (int q = 0; q < half; q++) {
          p[q] += p[q + half];
        }
      }
      float tail = 0f;
      for (int j = body; j < l; j++) {
        tail += dy[off + j];
      }
      sum += p[0] + tail;
    }
    return sum;
  }

  private static void assertBits(float[] want, float[] got, String what) {
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        fail(what + ": dBias[" + i + "] = " + got[i] + ", the written order gives " + want[i]);
      }
    }
  }
}
