package bnlab.kernel;

import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * The blocks of {@link Tile2} with B row p at {@code b[bj + rowOff[p]]} instead of a leading
 * dimension: the direct convolution's taps ({@link DirectConv}). Kept apart from the GEMM's blocks
 * for the reason given in {@link BroadcastGemm}'s comment (one source for both measured slower).
 * A's rows are contiguous (the weights, row i at ai + i·ars), so its indices are p plus a loop
 * constant and C2 hoists their range checks (see {@link Tile2}); the panel and pair tiles read A
 * packed by {@link DirectConv#panels} instead (four or two rows' values of column p side by side),
 * which with 16 registers keeps the loop free of spills.
 */
final class Tile2Rows {
  private Tile2Rows() {}

  static void k8x2Rows(
      int kc,
      float[] a,
      int ai,
      int ars,
      float[] b,
      int bj,
      int[] rowOff,
      float beta,
      float[] c,
      int ci,
      int ldc) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
    // Start from beta·C, so the result is stored without a second pass over C.
    if (beta == 0f) {
      c00 = FloatVector.zero(S);
      c01 = c00;
      c10 = c00;
      c11 = c00;
      c20 = c00;
      c21 = c00;
      c30 = c00;
      c31 = c00;
      c40 = c00;
      c41 = c00;
      c50 = c00;
      c51 = c00;
      c60 = c00;
      c61 = c00;
      c70 = c00;
      c71 = c00;
    } else {
      c00 = FloatVector.fromArray(S, c, ci);
      c01 = FloatVector.fromArray(S, c, ci + L);
      c10 = FloatVector.fromArray(S, c, ci + ldc);
      c11 = FloatVector.fromArray(S, c, ci + ldc + L);
      c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
      c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
      c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
      c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
      c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
      c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
      c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
      c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
      c60 = FloatVector.fromArray(S, c, ci + 6 * ldc);
      c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
      c70 = FloatVector.fromArray(S, c, ci + 7 * ldc);
      c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
      if (beta != 1f) {
        c00 = c00.mul(beta);
        c01 = c01.mul(beta);
        c10 = c10.mul(beta);
        c11 = c11.mul(beta);
        c20 = c20.mul(beta);
        c21 = c21.mul(beta);
        c30 = c30.mul(beta);
        c31 = c31.mul(beta);
        c40 = c40.mul(beta);
        c41 = c41.mul(beta);
        c50 = c50.mul(beta);
        c51 = c51.mul(beta);
        c60 = c60.mul(beta);
        c61 = c61.mul(beta);
        c70 = c70.mul(beta);
        c71 = c71.mul(beta);
      }
    }
    int r0 = ai,
        r1 = ai + ars,
        r2 = ai + 2 * ars,
        r3 = ai + 3 * ars,
        r4 = ai + 4 * ars,
        r5 = ai + 5 * ars,
        r6 = ai + 6 * ars,
        r7 = ai + 7 * ars;
    for (int p = 0; p < kc; p++) {
      int bp = bj + rowOff[p];
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector x = FloatVector.broadcast(S, a[r0 + p]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[r1 + p]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, a[r2 + p]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, a[r3 + p]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(S, a[r4 + p]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(S, a[r5 + p]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      x = FloatVector.broadcast(S, a[r6 + p]);
      c60 = x.fma(b0, c60);
      c61 = x.fma(b1, c61);
      x = FloatVector.broadcast(S, a[r7 + p]);
      c70 = x.fma(b0, c70);
      c71 = x.fma(b1, c71);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + L);
    c40.intoArray(c, ci + 4 * ldc);
    c41.intoArray(c, ci + 4 * ldc + L);
    c50.intoArray(c, ci + 5 * ldc);
    c51.intoArray(c, ci + 5 * ldc + L);
    c60.intoArray(c, ci + 6 * ldc);
    c61.intoArray(c, ci + 6 * ldc + L);
    c70.intoArray(c, ci + 7 * ldc);
    c71.intoArray(c, ci + 7 * ldc + L);
  }

  static void k6x2Rows(
      int kc,
      float[] a,
      int ai,
      int ars,
      float[] b,
      int bj,
      int[] rowOff,
      float beta,
      float[] c,
      int ci,
      int ldc) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    // Start from beta·C, so the result is stored without a second pass over C.
    if (beta == 0f) {
      c00 = FloatVector.zero(S);
      c01 = c00;
      c10 = c00;
      c11 = c00;
      c20 = c00;
      c21 = c00;
      c30 = c00;
      c31 = c00;
      c40 = c00;
      c41 = c00;
      c50 = c00;
      c51 = c00;
    } else {
      c00 = FloatVector.fromArray(S, c, ci);
      c01 = FloatVector.fromArray(S, c, ci + L);
      c10 = FloatVector.fromArray(S, c, ci + ldc);
      c11 = FloatVector.fromArray(S, c, ci + ldc + L);
      c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
      c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
      c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
      c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
      c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
      c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
      c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
      c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
      if (beta != 1f) {
        c00 = c00.mul(beta);
        c01 = c01.mul(beta);
        c10 = c10.mul(beta);
        c11 = c11.mul(beta);
        c20 = c20.mul(beta);
        c21 = c21.mul(beta);
        c30 = c30.mul(beta);
        c31 = c31.mul(beta);
        c40 = c40.mul(beta);
        c41 = c41.mul(beta);
        c50 = c50.mul(beta);
        c51 = c51.mul(beta);
      }
    }
    int r0 = ai,
        r1 = ai + ars,
        r2 = ai + 2 * ars,
        r3 = ai + 3 * ars,
        r4 = ai + 4 * ars,
        r5 = ai + 5 * ars;
    for (int p = 0; p < kc; p++) {
      int bp = bj + rowOff[p];
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector x = FloatVector.broadcast(S, a[r0 + p]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[r1 + p]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, a[r2 + p]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, a[r3 + p]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(S, a[r4 + p]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(S, a[r5 + p]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + L);
    c40.intoArray(c, ci + 4 * ldc);
    c41.intoArray(c, ci + 4 * ldc + L);
    c50.intoArray(c, ci + 5 * ldc);
    c51.intoArray(c, ci + 5 * ldc + L);
  }

  /**
   * The 4×2 tile from zero on A packed in a panel: the four rows' elements of column p at ap + 4·p
   * + (0..3) ({@link DirectConv#panels}). Every broadcast is then at a constant offset from one
   * index, which frees the registers that held the four row offsets of {@link #k4x2Rows}.
   */
  static void k4x2Panel(
      int kc, float[] a, int ap, float[] b, int bj, int[] rowOff, float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    for (int p = 0; p < kc; p++, ap += 4) {
      int bp = bj + rowOff[p];
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[ap + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, a[ap + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, a[ap + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + L);
  }

  /**
   * A 2×4 tile from zero (two rows, four vectors of columns) on A packed in row pairs: the two
   * rows' elements of column p at ap + 2·p + (0, 1) ({@link DirectConv#panels}).
   */
  static void k2x4Pair(
      int kc, float[] a, int ap, float[] b, int bj, int[] rowOff, float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c02 = c00;
    FloatVector c03 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c12 = c00;
    FloatVector c13 = c00;
    for (int p = 0; p < kc; p++, ap += 2) {
      int bp = bj + rowOff[p];
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
      FloatVector b3 = FloatVector.fromArray(S, b, bp + 3 * L);
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      c02 = x.fma(b2, c02);
      c03 = x.fma(b3, c03);
      x = FloatVector.broadcast(S, a[ap + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      c12 = x.fma(b2, c12);
      c13 = x.fma(b3, c13);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c02.intoArray(c, ci + 2 * L);
    c03.intoArray(c, ci + 3 * L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
    c12.intoArray(c, ci + ldc + 2 * L);
    c13.intoArray(c, ci + ldc + 3 * L);
  }

  /**
   * {@link #k2x4Pair} over five vectors of columns: ten sums, two broadcasts and one B vector at a
   * time (13 of 16 registers), so that ten multiply-add chains hide the latency where eight do not
   * quite. The same products in the same order for every output, so the same bits.
   */
  static void k2x5Pair(
      int kc, float[] a, int ap, float[] b, int bj, int[] rowOff, float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c02 = c00;
    FloatVector c03 = c00;
    FloatVector c04 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c12 = c00;
    FloatVector c13 = c00;
    FloatVector c14 = c00;
    for (int p = 0; p < kc; p++, ap += 2) {
      int bp = bj + rowOff[p];
      FloatVector x0 = FloatVector.broadcast(S, a[ap]);
      FloatVector x1 = FloatVector.broadcast(S, a[ap + 1]);
      FloatVector v = FloatVector.fromArray(S, b, bp);
      c00 = x0.fma(v, c00);
      c10 = x1.fma(v, c10);
      v = FloatVector.fromArray(S, b, bp + L);
      c01 = x0.fma(v, c01);
      c11 = x1.fma(v, c11);
      v = FloatVector.fromArray(S, b, bp + 2 * L);
      c02 = x0.fma(v, c02);
      c12 = x1.fma(v, c12);
      v = FloatVector.fromArray(S, b, bp + 3 * L);
      c03 = x0.fma(v, c03);
      c13 = x1.fma(v, c13);
      v = FloatVector.fromArray(S, b, bp + 4 * L);
      c04 = x0.fma(v, c04);
      c14 = x1.fma(v, c14);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c02.intoArray(c, ci + 2 * L);
    c03.intoArray(c, ci + 3 * L);
    c04.intoArray(c, ci + 4 * L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
    c12.intoArray(c, ci + ldc + 2 * L);
    c13.intoArray(c, ci + ldc + 3 * L);
    c14.intoArray(c, ci + ldc + 4 * L);
  }

  /** {@link #k2x4Pair} over two vectors of columns: a last column tile left without a pair. */
  static void k2x2Pair(
      int kc, float[] a, int ap, float[] b, int bj, int[] rowOff, float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    for (int p = 0; p < kc; p++, ap += 2) {
      int bp = bj + rowOff[p];
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[ap + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
  }

  static void k4x2Rows(
      int kc,
      float[] a,
      int ai,
      int ars,
      float[] b,
      int bj,
      int[] rowOff,
      float beta,
      float[] c,
      int ci,
      int ldc) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
    // Start from beta·C, so the result is stored without a second pass over C.
    if (beta == 0f) {
      c00 = FloatVector.zero(S);
      c01 = c00;
      c10 = c00;
      c11 = c00;
      c20 = c00;
      c21 = c00;
      c30 = c00;
      c31 = c00;
    } else {
      c00 = FloatVector.fromArray(S, c, ci);
      c01 = FloatVector.fromArray(S, c, ci + L);
      c10 = FloatVector.fromArray(S, c, ci + ldc);
      c11 = FloatVector.fromArray(S, c, ci + ldc + L);
      c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
      c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
      c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
      c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
      if (beta != 1f) {
        c00 = c00.mul(beta);
        c01 = c01.mul(beta);
        c10 = c10.mul(beta);
        c11 = c11.mul(beta);
        c20 = c20.mul(beta);
        c21 = c21.mul(beta);
        c30 = c30.mul(beta);
        c31 = c31.mul(beta);
      }
    }
    int r0 = ai, r1 = ai + ars, r2 = ai + 2 * ars, r3 = ai + 3 * ars;
    for (int p = 0; p < kc; p++) {
      int bp = bj + rowOff[p];
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector x = FloatVector.broadcast(S, a[r0 + p]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[r1 + p]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, a[r2 + p]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, a[r3 + p]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + L);
  }

  static void k2x2Rows(
      int kc,
      float[] a,
      int ai,
      int ars,
      float[] b,
      int bj,
      int[] rowOff,
      float beta,
      float[] c,
      int ci,
      int ldc) {
    FloatVector c00, c01, c10, c11;
    // Start from beta·C, so the result is stored without a second pass over C.
    if (beta == 0f) {
      c00 = FloatVector.zero(S);
      c01 = c00;
      c10 = c00;
      c11 = c00;
    } else {
      c00 = FloatVector.fromArray(S, c, ci);
      c01 = FloatVector.fromArray(S, c, ci + L);
      c10 = FloatVector.fromArray(S, c, ci + ldc);
      c11 = FloatVector.fromArray(S, c, ci + ldc + L);
      if (beta != 1f) {
        c00 = c00.mul(beta);
        c01 = c01.mul(beta);
        c10 = c10.mul(beta);
        c11 = c11.mul(beta);
      }
    }
    int r0 = ai, r1 = ai + ars;
    for (int p = 0; p < kc; p++) {
      int bp = bj + rowOff[p];
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector x = FloatVector.broadcast(S, a[r0 + p]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[r1 + p]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
  }

  static void k1x2Rows(
      int kc,
      float[] a,
      int ai,
      int ars,
      float[] b,
      int bj,
      int[] rowOff,
      float beta,
      float[] c,
      int ci,
      int ldc) {
    FloatVector c00, c01;
    // Start from beta·C, so the result is stored without a second pass over C.
    if (beta == 0f) {
      c00 = FloatVector.zero(S);
      c01 = c00;
    } else {
      c00 = FloatVector.fromArray(S, c, ci);
      c01 = FloatVector.fromArray(S, c, ci + L);
      if (beta != 1f) {
        c00 = c00.mul(beta);
        c01 = c01.mul(beta);
      }
    }
    int r0 = ai;
    for (int p = 0; p < kc; p++) {
      int bp = bj + rowOff[p];
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector x = FloatVector.broadcast(S, a[r0 + p]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
  }
}
