package bnlab.kernel;

import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The GEMM for op(B) with contiguous rows (B not transposed): each C row block is built from fused
 * multiply-adds of a broadcast A element with B row vectors, a register tile of C held in registers
 * ({@link Tile2}: 8×2 vectors where there are 32 vector registers, 6×2 where there are 16, chosen
 * by {@link VectorWidth}), with 4-, 2- and 1-row tails (with 32 registers the last 1–3 rows run
 * through the 8×2 tile on a padded copy, see {@link #paddedTail}), an 8×1 tail for a last whole
 * vector of columns and masked-column tails here (8 rows at a time with 32 registers; on a padded
 * copy where whole vectors would read past an operand's end, see {@link #paddedColumns}). A is
 * addressed by a row stride {@code ars} and a column stride {@code acs}, so A and Aᵀ go through the
 * same code.
 *
 * <p>Whatever the tile and the vector width, each C element is beta·C followed by its fused
 * multiply-adds in k order (in the scalar column tail too), and k is split into blocks of {@link
 * VectorGemm#KC} that do not depend on the width, so C is bit-identical at every width.
 *
 * <p>The direct convolution ({@link DirectConv}) runs the same tiles with B's rows found through an
 * offset table ({@link Tile2Rows}) instead of a leading dimension. One family, two addressing
 * variants, because one source for both measured slower (one thread, 2-core Xeon AVX-512, JDK 25,
 * per-call CPU time, medians of alternating launches on a loaded machine, with the 4×3 tile used
 * then):
 *
 * <ul>
 *   <li>GEMM through a table of p·ldb: 5% slower at 16×100×150 and 10×400×120, 15% at 128×400×120,
 *       8% for 75×784×6 Aᵀ·B; through one kernel testing {@code rowOff == null}: 11% and 7% slower
 *       on the last two;
 *   <li>the direct convolution on these blocks instead of its own table kernels (which had the same
 *       loop, without the A strides and beta): forward 16–25% faster (conv2 at batch 128: 1.11–1.50
 *       ms before, 0.93–1.12 ms after; conv1 at batch 128: 1.40–1.95 before, 1.21–1.76 after).
 * </ul>
 */
final class BroadcastGemm {
  /** Rows and columns (2 vectors) of the register tile. */
  private static final int MR = VectorWidth.TILE_ROWS;

  private static final int NR = VectorWidth.TILE_COLS;

  private BroadcastGemm() {}

  /** C block rows [i0, i1) × columns [j0, j1) += A panel (kc columns) · B panel (kc rows). */
  static void panel(
      int kc,
      float[] a,
      int aOff,
      int ars,
      int acs,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc,
      int i0,
      int i1,
      int j0,
      int j1) {
    int j = j0;
    for (; j + NR <= j1; j += NR) {
      columns(kc, a, aOff, ars, acs, b, bOff + j, ldb, beta, c, cOff + j, ldc, i0, i1);
    }
    for (; j < j1; j += L) {
      if (j + L <= j1) {
        int i = i0;
        for (; i + 8 <= i1; i += 8) {
          k8x1(kc, a, aOff + i * ars, ars, acs, b, bOff + j, ldb, beta, c, cOff + i * ldc + j, ldc);
        }
        oneVector(kc, a, aOff, ars, acs, b, bOff + j, ldb, beta, c, cOff + j, ldc, i, i1, j, j1);
      } else if (pastEnd(kc, b, bOff + j, ldb, c, cOff + (i1 - 1) * ldc + j)) {
        paddedColumns(
            kc, a, aOff, ars, acs, b, bOff + j, ldb, beta, c, cOff + j, ldc, i0, i1, j1 - j);
      } else {
        oneVector(kc, a, aOff, ars, acs, b, bOff + j, ldb, beta, c, cOff + j, ldc, i0, i1, j, j1);
      }
    }
  }

  /**
   * Rows [i0, i1) of one vector of columns, lanes [j, j1) of it stored: 8 rows at a time where
   * there are 32 registers (4 rows keep only 4 chains of FMAs in flight, half of what 2 FMA pipes
   * of 4 cycles' latency need), then 4 and 1. B's column and C's row start at bj and cj.
   */
  private static void oneVector(
      int kc,
      float[] a,
      int aOff,
      int ars,
      int acs,
      float[] b,
      int bj,
      int ldb,
      float beta,
      float[] c,
      int cj,
      int ldc,
      int i0,
      int i1,
      int j,
      int j1) {
    int i = i0;
    if (MR == 8) {
      for (; i + 8 <= i1; i += 8) {
        k8x1Masked(kc, a, aOff + i * ars, ars, acs, b, bj, ldb, beta, c, cj + i * ldc, ldc, j, j1);
      }
    }
    for (; i + 4 <= i1; i += 4) {
      k4x1(kc, a, aOff + i * ars, ars, acs, b, bj, ldb, beta, c, cj + i * ldc, ldc, j, j1);
    }
    for (; i < i1; i++) {
      k1x1(kc, a, aOff + i * ars, ars, acs, b, bj, ldb, beta, c, cj + i * ldc, ldc, j, j1);
    }
  }

  // Rows [i0, i1) of one column block of 2 vectors (the MR×2 tile, then the 4-row tile, then 2- and
  // 1-row tails or, with MR 8, the padded tile).
  private static void columns(
      int kc,
      float[] a,
      int aOff,
      int ars,
      int acs,
      float[] b,
      int bj,
      int ldb,
      float beta,
      float[] c,
      int cj,
      int ldc,
      int i0,
      int i1) {
    int i = i0;
    if (MR == 8) {
      for (; i + 8 <= i1; i += 8) {
        Tile2.k8x2(kc, a, aOff + i * ars, ars, acs, b, bj, ldb, beta, c, cj + i * ldc, ldc);
      }
    } else {
      // Rows that leave 2 after the 6-row tiles (32, 128) end in two 4-row tiles instead: the
      // 2-row tile's four sums wait out the multiply-adds' latency. Each element's sum runs in the
      // same order in any tile, so the bits stay. resnet20's 32→32 layer (Winograd, K = 32) alone,
      // one thread, AVX2, AMD Zen 5, 8 alternating launches: 1.014× [0.978–1.075].
      int sixes = (i1 - i) / 6;
      if ((i1 - i) % 6 == 2 && sixes > 0) {
        sixes--;
      }
      for (int end = i + 6 * sixes; i < end; i += 6) {
        Tile2.k6x2(kc, a, aOff + i * ars, ars, acs, b, bj, ldb, beta, c, cj + i * ldc, ldc);
      }
    }
    for (; i + 4 <= i1; i += 4) {
      Tile2.k4x2(kc, a, aOff + i * ars, ars, acs, b, bj, ldb, beta, c, cj + i * ldc, ldc);
    }
    if (MR == 8 && i < i1) {
      paddedTail(kc, a, aOff + i * ars, ars, acs, b, bj, ldb, beta, c, cj + i * ldc, ldc, i1 - i);
      return;
    }
    if (i + 2 <= i1) {
      Tile2.k2x2(kc, a, aOff + i * ars, ars, acs, b, bj, ldb, beta, c, cj + i * ldc, ldc);
      i += 2;
    }
    if (i < i1) {
      Tile2.k1x2(kc, a, aOff + i * ars, ars, acs, b, bj, ldb, beta, c, cj + i * ldc, ldc);
    }
  }

  /**
   * Whether a whole vector at B's last row or C's last row of a column tail would reach past the
   * array's end (exact-size operands whose width is not a multiple of the vector, such as a linear
   * layer's 120 or 84 features).
   */
  private static boolean pastEnd(int kc, float[] b, int bj, int ldb, float[] c, int cLast) {
    return bj + (kc - 1) * ldb + L > b.length || cLast + L > c.length;
  }

  /** Per thread: a column tail's B panel (kc rows of one vector), then its C rows (one vector). */
  private static final ThreadLocal<float[][]> COLUMNS =
      ThreadLocal.withInitial(() -> new float[1][]);

  /**
   * A column tail of fewer than L columns where whole vectors would reach past B's or C's end: the
   * masked tiles on a copy of its B panel and C rows whose rows are one vector long (the lanes past
   * the tail zero), the copy's columns then written back. Before, such a tail went element by
   * element for every row: a linear layer's gradients of 120 features (128×120×84, one thread, Zen
   * 5) ran at 27 GFLOP/s where 400 features ran at 180. Same fused multiply-adds in the same order
   * per element, so the same bits.
   */
  private static void paddedColumns(
      int kc,
      float[] a,
      int aOff,
      int ars,
      int acs,
      float[] b,
      int bj,
      int ldb,
      float beta,
      float[] c,
      int cj,
      int ldc,
      int i0,
      int i1,
      int cols) {
    float[][] holder = COLUMNS.get();
    int rows = i1 - i0;
    int cAt = kc * L;
    float[] t = holder[0];
    if (t == null || t.length < cAt + rows * L) {
      t = new float[cAt + rows * L];
      holder[0] = t;
    }
    for (int p = 0; p < kc; p++) {
      System.arraycopy(b, bj + p * ldb, t, p * L, cols);
      java.util.Arrays.fill(t, p * L + cols, (p + 1) * L, 0f);
    }
    for (int r = 0; r < rows; r++) {
      int to = cAt + r * L;
      if (beta != 0f) {
        System.arraycopy(c, cj + (i0 + r) * ldc, t, to, cols);
      }
      java.util.Arrays.fill(t, to + (beta != 0f ? cols : 0), to + L, 0f);
    }
    // C's copy at cAt holds row i0 first: rows are addressed from cAt − i0·L.
    oneVector(kc, a, aOff, ars, acs, t, 0, L, beta, t, cAt - i0 * L, L, i0, i1, 0, cols);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(t, cAt + r * L, c, cj + (i0 + r) * ldc, cols);
    }
  }

  /** Per thread: A's tail rows padded to 8 (8 × kc), then their C rows (8 × 2 vectors). */
  private static final ThreadLocal<float[][]> TAIL = ThreadLocal.withInitial(() -> new float[1][]);

  /**
   * The last 1–3 rows of a column block where the tile has 8 rows: the 8×2 tile on a copy of their
   * A rows padded with zero rows and of their C rows, the copy's rows then written back. A GEMM
   * whose row count is 2 or 3 past a multiple of 8 is rare (the classifier's 10 outputs: 8 + 2), so
   * its own small tile ran once per training step and stayed in C1 for thousands of steps, where
   * every vector is an object: resnet20's FC weight gradient allocated 197 KB per step at batch 128
   * (JFR allocation samples; Zen 5, 512-bit, JDK 25) and `bench` reported it. The 8×2 tile is
   * compiled by C2 within the first steps of any network. Same fused multiply-adds in the same
   * order per element, so the same bits as {@link Tile2#k2x2} and {@link Tile2#k1x2}.
   */
  private static void paddedTail(
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
      int ldc,
      int rows) {
    float[][] holder = TAIL.get();
    int cAt = 8 * kc;
    int ldt = 2 * L;
    float[] t = holder[0];
    if (t == null || t.length < cAt + 8 * ldt) {
      t = new float[cAt + 8 * ldt];
      holder[0] = t;
    }
    for (int r = 0; r < 8; r++) {
      int to = r * kc;
      if (r >= rows) {
        java.util.Arrays.fill(t, to, to + kc, 0f);
        java.util.Arrays.fill(t, cAt + r * ldt, cAt + (r + 1) * ldt, 0f);
      } else if (acs == 1) {
        System.arraycopy(a, ai + r * ars, t, to, kc);
      } else {
        for (int p = 0, ap = ai + r * ars; p < kc; p++, ap += acs) {
          t[to + p] = a[ap];
        }
      }
      if (r < rows && beta != 0f) {
        System.arraycopy(c, ci + r * ldc, t, cAt + r * ldt, ldt);
      }
    }
    Tile2.k8x2(kc, t, 0, kc, 1, b, bj, ldb, beta, t, cAt, ldt);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(t, cAt + r * ldt, c, ci + r * ldc, ldt);
    }
  }

  /**
   * A column tail of one whole vector, 8 rows: Winograd's products on 16×16 images are 72 tiles
   * wide (4 column tiles of 16 and one vector). Through {@link #k4x1} (masked, 4 sums in flight)
   * that last vector took a fifth of the products' time for a ninth of their columns (one thread,
   * AVX2).
   */
  private static void k8x1(
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
    FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
    // Start from beta·C, so the result is stored without a second pass over C.
    if (beta == 0f) {
      c0 = FloatVector.zero(S);
      c1 = c0;
      c2 = c0;
      c3 = c0;
      c4 = c0;
      c5 = c0;
      c6 = c0;
      c7 = c0;
    } else {
      c0 = FloatVector.fromArray(S, c, ci);
      c1 = FloatVector.fromArray(S, c, ci + ldc);
      c2 = FloatVector.fromArray(S, c, ci + 2 * ldc);
      c3 = FloatVector.fromArray(S, c, ci + 3 * ldc);
      c4 = FloatVector.fromArray(S, c, ci + 4 * ldc);
      c5 = FloatVector.fromArray(S, c, ci + 5 * ldc);
      c6 = FloatVector.fromArray(S, c, ci + 6 * ldc);
      c7 = FloatVector.fromArray(S, c, ci + 7 * ldc);
      if (beta != 1f) {
        c0 = c0.mul(beta);
        c1 = c1.mul(beta);
        c2 = c2.mul(beta);
        c3 = c3.mul(beta);
        c4 = c4.mul(beta);
        c5 = c5.mul(beta);
        c6 = c6.mul(beta);
        c7 = c7.mul(beta);
      }
    }
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, b, bj + p * ldb);
      int ap = ai + p * acs;
      c0 = FloatVector.broadcast(S, a[ap]).fma(b0, c0);
      c1 = FloatVector.broadcast(S, a[ap + ars]).fma(b0, c1);
      c2 = FloatVector.broadcast(S, a[ap + 2 * ars]).fma(b0, c2);
      c3 = FloatVector.broadcast(S, a[ap + 3 * ars]).fma(b0, c3);
      c4 = FloatVector.broadcast(S, a[ap + 4 * ars]).fma(b0, c4);
      c5 = FloatVector.broadcast(S, a[ap + 5 * ars]).fma(b0, c5);
      c6 = FloatVector.broadcast(S, a[ap + 6 * ars]).fma(b0, c6);
      c7 = FloatVector.broadcast(S, a[ap + 7 * ars]).fma(b0, c7);
    }
    c0.intoArray(c, ci);
    c1.intoArray(c, ci + ldc);
    c2.intoArray(c, ci + 2 * ldc);
    c3.intoArray(c, ci + 3 * ldc);
    c4.intoArray(c, ci + 4 * ldc);
    c5.intoArray(c, ci + 5 * ldc);
    c6.intoArray(c, ci + 6 * ldc);
    c7.intoArray(c, ci + 7 * ldc);
  }

  private static void k8x1Masked(
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
      int ldc,
      int j,
      int j1) {
    if (bj + (kc - 1) * ldb + L > b.length || ci + 7 * ldc + L > c.length) {
      tailColumns(8, kc, a, ai, ars, acs, b, bj, ldb, beta, c, ci, ldc, j1 - j);
      return;
    }
    // Whole vectors are loaded (the arrays reach that far, checked above): the lanes past j1 hold
    // the next row's values, never stored; only the stores are masked. With masked loads too C2
    // left the Vector API's calls out of line in this method (JDK 25), 10× slower.
    // Built here, not passed in: a mask crossing a call that is not inlined would be boxed.
    VectorMask<Float> mask = S.indexInRange(j, j1);
    FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
    if (beta == 0f) {
      c0 = FloatVector.zero(S);
      c1 = c0;
      c2 = c0;
      c3 = c0;
      c4 = c0;
      c5 = c0;
      c6 = c0;
      c7 = c0;
    } else {
      c0 = FloatVector.fromArray(S, c, ci);
      c1 = FloatVector.fromArray(S, c, ci + ldc);
      c2 = FloatVector.fromArray(S, c, ci + 2 * ldc);
      c3 = FloatVector.fromArray(S, c, ci + 3 * ldc);
      c4 = FloatVector.fromArray(S, c, ci + 4 * ldc);
      c5 = FloatVector.fromArray(S, c, ci + 5 * ldc);
      c6 = FloatVector.fromArray(S, c, ci + 6 * ldc);
      c7 = FloatVector.fromArray(S, c, ci + 7 * ldc);
      if (beta != 1f) {
        c0 = c0.mul(beta);
        c1 = c1.mul(beta);
        c2 = c2.mul(beta);
        c3 = c3.mul(beta);
        c4 = c4.mul(beta);
        c5 = c5.mul(beta);
        c6 = c6.mul(beta);
        c7 = c7.mul(beta);
      }
    }
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, b, bj + p * ldb);
      int ap = ai + p * acs;
      c0 = FloatVector.broadcast(S, a[ap]).fma(b0, c0);
      c1 = FloatVector.broadcast(S, a[ap + ars]).fma(b0, c1);
      c2 = FloatVector.broadcast(S, a[ap + 2 * ars]).fma(b0, c2);
      c3 = FloatVector.broadcast(S, a[ap + 3 * ars]).fma(b0, c3);
      c4 = FloatVector.broadcast(S, a[ap + 4 * ars]).fma(b0, c4);
      c5 = FloatVector.broadcast(S, a[ap + 5 * ars]).fma(b0, c5);
      c6 = FloatVector.broadcast(S, a[ap + 6 * ars]).fma(b0, c6);
      c7 = FloatVector.broadcast(S, a[ap + 7 * ars]).fma(b0, c7);
    }
    c0.intoArray(c, ci, mask);
    c1.intoArray(c, ci + ldc, mask);
    c2.intoArray(c, ci + 2 * ldc, mask);
    c3.intoArray(c, ci + 3 * ldc, mask);
    c4.intoArray(c, ci + 4 * ldc, mask);
    c5.intoArray(c, ci + 5 * ldc, mask);
    c6.intoArray(c, ci + 6 * ldc, mask);
    c7.intoArray(c, ci + 7 * ldc, mask);
  }

  private static void k4x1(
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
      int ldc,
      int j,
      int j1) {
    if (bj + (kc - 1) * ldb + L > b.length || ci + 3 * ldc + L > c.length) {
      // A masked access past an array's end takes the Vector API's slow path, which allocates.
      tailColumns(4, kc, a, ai, ars, acs, b, bj, ldb, beta, c, ci, ldc, j1 - j);
      return;
    }
    // Built here, not passed in: a mask crossing a call that is not inlined would be boxed.
    VectorMask<Float> mask = S.indexInRange(j, j1);
    FloatVector c00, c10, c20, c30;
    // Start from beta·C, so the result is stored without a second pass over C.
    if (beta == 0f) {
      c00 = FloatVector.zero(S);
      c10 = c00;
      c20 = c00;
      c30 = c00;
    } else {
      c00 = FloatVector.fromArray(S, c, ci, mask);
      c10 = FloatVector.fromArray(S, c, ci + ldc, mask);
      c20 = FloatVector.fromArray(S, c, ci + 2 * ldc, mask);
      c30 = FloatVector.fromArray(S, c, ci + 3 * ldc, mask);
      if (beta != 1f) {
        c00 = c00.mul(beta);
        c10 = c10.mul(beta);
        c20 = c20.mul(beta);
        c30 = c30.mul(beta);
      }
    }
    for (int p = 0; p < kc; p++) {
      int bp = bj + p * ldb;
      FloatVector b0 = FloatVector.fromArray(S, b, bp, mask);
      int ap = ai + p * acs;
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = x.fma(b0, c00);
      x = FloatVector.broadcast(S, a[ap + ars]);
      c10 = x.fma(b0, c10);
      x = FloatVector.broadcast(S, a[ap + 2 * ars]);
      c20 = x.fma(b0, c20);
      x = FloatVector.broadcast(S, a[ap + 3 * ars]);
      c30 = x.fma(b0, c30);
    }
    c00.intoArray(c, ci, mask);
    c10.intoArray(c, ci + ldc, mask);
    c20.intoArray(c, ci + 2 * ldc, mask);
    c30.intoArray(c, ci + 3 * ldc, mask);
  }

  private static void k1x1(
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
      int ldc,
      int j,
      int j1) {
    if (bj + (kc - 1) * ldb + L > b.length || ci + L > c.length) {
      tailColumns(1, kc, a, ai, ars, acs, b, bj, ldb, beta, c, ci, ldc, j1 - j);
      return;
    }
    // Built here, not passed in: a mask crossing a call that is not inlined would be boxed.
    VectorMask<Float> mask = S.indexInRange(j, j1);
    FloatVector c00;
    // Start from beta·C, so the result is stored without a second pass over C.
    if (beta == 0f) {
      c00 = FloatVector.zero(S);
    } else {
      c00 = FloatVector.fromArray(S, c, ci, mask);
      if (beta != 1f) {
        c00 = c00.mul(beta);
      }
    }
    for (int p = 0; p < kc; p++) {
      int bp = bj + p * ldb;
      FloatVector b0 = FloatVector.fromArray(S, b, bp, mask);
      int ap = ai + p * acs;
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = x.fma(b0, c00);
    }
    c00.intoArray(c, ci, mask);
  }

  /**
   * The masked tiles' block in scalars: per element the same fused multiply-adds in the same order
   * as a vector lane, so the result is identical whichever of the two computes it. A guard only:
   * {@link #panel} sends the tails that would reach past an array's end to {@link #paddedColumns}.
   */
  private static void tailColumns(
      int rows,
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
      int ldc,
      int cols) {
    for (int r = 0; r < rows; r++) {
      for (int q = 0; q < cols; q++) {
        int cq = ci + r * ldc + q;
        float acc = beta == 0f ? 0f : beta == 1f ? c[cq] : c[cq] * beta;
        for (int p = 0; p < kc; p++) {
          acc = Math.fma(a[ai + r * ars + p * acs], b[bj + p * ldb + q], acc);
        }
        c[cq] = acc;
      }
    }
  }
}
