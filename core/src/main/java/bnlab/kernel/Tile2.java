package bnlab.kernel;

import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * The two-vector register tiles of {@link BroadcastGemm}: MR rows × 2 vectors of C in 2·MR
 * accumulators, plus the 2 B vectors and one broadcast A element: 8×2 (19 registers) where there
 * are 32 vector registers, 6×2 (15, the shape of BLIS's Haswell kernel) where there are 16, and the
 * 4-, 2- and 1-row tails ({@link VectorWidth} chooses; where the tile has 8 rows, {@link
 * BroadcastGemm} runs a last 1–3 rows through the 8×2 tile on a padded copy instead). Per C element
 * the same fused multiply-adds in the same order as every other tile, so all tiles give
 * bit-identical C. Generated from one pattern, hence the repetition; {@link Tile2Rows} holds the
 * same blocks with B's rows found through an offset table (the direct convolution).
 *
 * <p>Each tile has two k loops. Where A's rows are contiguous (acs = 1, the usual case) every A
 * index is p plus a loop constant, so C2 hoists their range checks out of the loop; elsewhere the
 * offsets still run by addition, not by a multiplication per k. With a variable stride (ldb, acs)
 * C2 can hoist no range check, and on 256-bit vectors with 16 registers these checks and
 * multiplications, not the FMAs, set the pace: one thread, CPU time, -XX:UseAVX=2 (Xeon family 6
 * model 207, JDK 25), the convolution GEMM shapes went from 42-51 to 47-70 GFLOP/s (16×1024×144: 45
 * → 65), 512³ from 54 to 69; with 512-bit vectors 0-23% faster.
 */
final class Tile2 {
  private Tile2() {}

  static void k8x2(
      int kc,
      float[] a,
      int ai,
      int ars,
      int acs,
      float[] b,
      int bj,
      int ldb,
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
    int bp = bj;
    if (acs == 1) {
      int r0 = ai,
          r1 = ai + ars,
          r2 = ai + 2 * ars,
          r3 = ai + 3 * ars,
          r4 = ai + 4 * ars,
          r5 = ai + 5 * ars,
          r6 = ai + 6 * ars,
          r7 = ai + 7 * ars;
      for (int p = 0; p < kc; p++, bp += ldb) {
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
    } else {
      for (int p = 0, ap = ai; p < kc; p++, bp += ldb, ap += acs) {
        FloatVector b0 = FloatVector.fromArray(S, b, bp);
        FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
        FloatVector x = FloatVector.broadcast(S, a[ap]);
        c00 = x.fma(b0, c00);
        c01 = x.fma(b1, c01);
        x = FloatVector.broadcast(S, a[ap + ars]);
        c10 = x.fma(b0, c10);
        c11 = x.fma(b1, c11);
        x = FloatVector.broadcast(S, a[ap + 2 * ars]);
        c20 = x.fma(b0, c20);
        c21 = x.fma(b1, c21);
        x = FloatVector.broadcast(S, a[ap + 3 * ars]);
        c30 = x.fma(b0, c30);
        c31 = x.fma(b1, c31);
        x = FloatVector.broadcast(S, a[ap + 4 * ars]);
        c40 = x.fma(b0, c40);
        c41 = x.fma(b1, c41);
        x = FloatVector.broadcast(S, a[ap + 5 * ars]);
        c50 = x.fma(b0, c50);
        c51 = x.fma(b1, c51);
        x = FloatVector.broadcast(S, a[ap + 6 * ars]);
        c60 = x.fma(b0, c60);
        c61 = x.fma(b1, c61);
        x = FloatVector.broadcast(S, a[ap + 7 * ars]);
        c70 = x.fma(b0, c70);
        c71 = x.fma(b1, c71);
      }
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

  static void k6x2(
      int kc,
      float[] a,
      int ai,
      int ars,
      int acs,
      float[] b,
      int bj,
      int ldb,
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
    int bp = bj;
    if (acs == 1) {
      int r0 = ai,
          r1 = ai + ars,
          r2 = ai + 2 * ars,
          r3 = ai + 3 * ars,
          r4 = ai + 4 * ars,
          r5 = ai + 5 * ars;
      for (int p = 0; p < kc; p++, bp += ldb) {
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
    } else {
      for (int p = 0, ap = ai; p < kc; p++, bp += ldb, ap += acs) {
        FloatVector b0 = FloatVector.fromArray(S, b, bp);
        FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
        FloatVector x = FloatVector.broadcast(S, a[ap]);
        c00 = x.fma(b0, c00);
        c01 = x.fma(b1, c01);
        x = FloatVector.broadcast(S, a[ap + ars]);
        c10 = x.fma(b0, c10);
        c11 = x.fma(b1, c11);
        x = FloatVector.broadcast(S, a[ap + 2 * ars]);
        c20 = x.fma(b0, c20);
        c21 = x.fma(b1, c21);
        x = FloatVector.broadcast(S, a[ap + 3 * ars]);
        c30 = x.fma(b0, c30);
        c31 = x.fma(b1, c31);
        x = FloatVector.broadcast(S, a[ap + 4 * ars]);
        c40 = x.fma(b0, c40);
        c41 = x.fma(b1, c41);
        x = FloatVector.broadcast(S, a[ap + 5 * ars]);
        c50 = x.fma(b0, c50);
        c51 = x.fma(b1, c51);
      }
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

  static void k4x2(
      int kc,
      float[] a,
      int ai,
      int ars,
      int acs,
      float[] b,
      int bj,
      int ldb,
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
    int bp = bj;
    if (acs == 1) {
      int r0 = ai, r1 = ai + ars, r2 = ai + 2 * ars, r3 = ai + 3 * ars;
      for (int p = 0; p < kc; p++, bp += ldb) {
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
    } else {
      for (int p = 0, ap = ai; p < kc; p++, bp += ldb, ap += acs) {
        FloatVector b0 = FloatVector.fromArray(S, b, bp);
        FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
        FloatVector x = FloatVector.broadcast(S, a[ap]);
        c00 = x.fma(b0, c00);
        c01 = x.fma(b1, c01);
        x = FloatVector.broadcast(S, a[ap + ars]);
        c10 = x.fma(b0, c10);
        c11 = x.fma(b1, c11);
        x = FloatVector.broadcast(S, a[ap + 2 * ars]);
        c20 = x.fma(b0, c20);
        c21 = x.fma(b1, c21);
        x = FloatVector.broadcast(S, a[ap + 3 * ars]);
        c30 = x.fma(b0, c30);
        c31 = x.fma(b1, c31);
      }
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

  static void k2x2(
      int kc,
      float[] a,
      int ai,
      int ars,
      int acs,
      float[] b,
      int bj,
      int ldb,
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
    int bp = bj;
    if (acs == 1) {
      int r0 = ai, r1 = ai + ars;
      for (int p = 0; p < kc; p++, bp += ldb) {
        FloatVector b0 = FloatVector.fromArray(S, b, bp);
        FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
        FloatVector x = FloatVector.broadcast(S, a[r0 + p]);
        c00 = x.fma(b0, c00);
        c01 = x.fma(b1, c01);
        x = FloatVector.broadcast(S, a[r1 + p]);
        c10 = x.fma(b0, c10);
        c11 = x.fma(b1, c11);
      }
    } else {
      for (int p = 0, ap = ai; p < kc; p++, bp += ldb, ap += acs) {
        FloatVector b0 = FloatVector.fromArray(S, b, bp);
        FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
        FloatVector x = FloatVector.broadcast(S, a[ap]);
        c00 = x.fma(b0, c00);
        c01 = x.fma(b1, c01);
        x = FloatVector.broadcast(S, a[ap + ars]);
        c10 = x.fma(b0, c10);
        c11 = x.fma(b1, c11);
      }
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
  }

  static void k1x2(
      int kc,
      float[] a,
      int ai,
      int ars,
      int acs,
      float[] b,
      int bj,
      int ldb,
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
    int bp = bj;
    if (acs == 1) {
      int r0 = ai;
      for (int p = 0; p < kc; p++, bp += ldb) {
        FloatVector b0 = FloatVector.fromArray(S, b, bp);
        FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
        FloatVector x = FloatVector.broadcast(S, a[r0 + p]);
        c00 = x.fma(b0, c00);
        c01 = x.fma(b1, c01);
      }
    } else {
      for (int p = 0, ap = ai; p < kc; p++, bp += ldb, ap += acs) {
        FloatVector b0 = FloatVector.fromArray(S, b, bp);
        FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
        FloatVector x = FloatVector.broadcast(S, a[ap]);
        c00 = x.fma(b0, c00);
        c01 = x.fma(b1, c01);
      }
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
  }
}
