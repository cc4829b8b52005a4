package bnlab.kernel;

import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * The register tiles of {@link PackedGemm} on packed panels: A's micro-panel holds the tile's MR
 * rows element by element for each k (stride MR), B's holds its 2 vectors for each k (stride NR =
 * 2·L), so every load is at a constant offset from two pointers that advance by MR and NR. 8×2
 * where there are 32 vector registers, 4×2 where there are 16 (see {@link VectorWidth#packedRows});
 * {@link Tile2} runs the partial tiles at the edges, on the same panels. Per C element: beta·C,
 * then the fused multiply-adds in k order, as every other tile, so the results are the same bits.
 */
final class PackedTile {
  private static final int NR = VectorWidth.TILE_COLS;

  private PackedTile() {}

  // C tile (8, 2L) at c[ci] = beta·C + A panel (8, kc) at a[ai] · B panel (kc, 2L) at b[bi]
  static void k8x2(
      int kc, float[] a, int ai, float[] b, int bi, float beta, float[] c, int ci, int ldc) {
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
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * NR;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      int ap = ai + p * 8;
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
      x = FloatVector.broadcast(S, a[ap + 4]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(S, a[ap + 5]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      x = FloatVector.broadcast(S, a[ap + 6]);
      c60 = x.fma(b0, c60);
      c61 = x.fma(b1, c61);
      x = FloatVector.broadcast(S, a[ap + 7]);
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

  // C tile (4, 2L) at c[ci] = beta·C + A panel (4, kc) at a[ai] · B panel (kc, 2L) at b[bi]
  static void k4x2(
      int kc, float[] a, int ai, float[] b, int bi, float beta, float[] c, int ci, int ldc) {
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
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * NR;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      int ap = ai + p * 4;
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
}
