package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked single-precision GEMM on the Vector API: C = op(A)·op(B) + beta·C, row-major.
 *
 * <p>Shapes: op(A) is (m, k), op(B) is (k, n), C is (m, n). Without transposition A(i,p) = a[aOff +
 * i·lda + p]; with transA A is stored (k, m) and A(i,p) = a[aOff + p·lda + i]; B likewise. beta = 0
 * overwrites C without reading it (BLAS semantics, so NaN in an unused buffer does not leak).
 *
 * <p>Two micro-kernels, chosen by where op(B)'s rows are contiguous:
 *
 * <ul>
 *   <li>B not transposed: C rows are built from FMAs of a broadcast A element with three B row
 *       vectors (4×3 vectors of C in registers), with 2- and 1-row and masked-column tails.
 *   <li>B transposed and A not: each C element is a dot product of two contiguous rows, computed
 *       2×4 at a time with vector accumulators folded in a fixed tree at the end.
 * </ul>
 *
 * <p>Every C element is computed by the same sequence of operations whatever block it falls in and
 * whichever thread computes it, so splitting the rows or columns across threads (see {@link
 * #sgemmRange}) gives bit-identical results for any thread count.
 */
final class VectorGemm {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int L = S.length();
  private static final int NR = 3 * L;

  /** k is processed in blocks so a B panel of KC × 3 vectors stays in L1 for large products. */
  static final int KC = 256;

  private VectorGemm() {}

  private static final ThreadLocal<float[][]> PACK = ThreadLocal.withInitial(() -> new float[1][0]);

  /**
   * op(B) as a contiguous (k, n) row-major panel: B itself when not transposed, else a transposed
   * copy in this thread's scratch buffer (grown once, then reused).
   */
  static float[] packB(boolean transB, int n, int k, float[] b, int bOff, int ldb) {
    float[][] holder = PACK.get();
    if (holder[0].length < k * n) {
      holder[0] = new float[k * n];
    }
    float[] p = holder[0];
    // Blocks of 16 x 16 keep both the reads and the writes within a few cache lines.
    for (int j0 = 0; j0 < n; j0 += 16) {
      int j1 = Math.min(n, j0 + 16);
      for (int p0 = 0; p0 < k; p0 += 16) {
        int p1 = Math.min(k, p0 + 16);
        for (int j = j0; j < j1; j++) {
          int src = bOff + j * ldb;
          for (int q = p0; q < p1; q++) {
            p[q * n + j] = b[src + q];
          }
        }
      }
    }
    return p;
  }

  /** Whole product on the calling thread. */
  static void sgemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
      float[] b,
      int bOff,
      int ldb,
      float beta,
      float[] c,
      int cOff,
      int ldc) {
    sgemmRange(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, 0, m, 0, n);
  }

  /** Computes the C block rows [i0, i1) × columns [j0, j1) of the product. */
  static void sgemmRange(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
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
    sumRange(
        1, 0, 0, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, i0, i1,
        j0, j1);
  }

  /**
   * Block rows [i0, i1) × columns [j0, j1) of C = Σ_{t<batch} op(A_t)·op(B_t) + beta·C, where A_t
   * starts at aOff + t·aStride and B_t at bOff + t·bStride (a convolution's weight gradient summed
   * over the images of a batch). The sum over t is taken in order, inside each element's
   * accumulation, so it is independent of how C is split.
   */
  static void sumRange(
      int batch,
      int aStride,
      int bStride,
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int lda,
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
    if (i0 >= i1 || j0 >= j1) {
      return;
    }
    if (k == 0 || batch == 0) {
      scale(c, cOff, ldc, i0, i1, j0, j1, beta);
      return;
    }
    if (!transB) {
      int ars = transA ? 1 : lda;
      int acs = transA ? lda : 1;
      for (int t = 0; t < batch; t++) {
        for (int p0 = 0; p0 < k; p0 += KC) {
          int kc = Math.min(KC, k - p0);
          float bt = p0 == 0 && t == 0 ? beta : 1f;
          broadcastPanel(
              kc,
              a,
              aOff + t * aStride + p0 * acs,
              ars,
              acs,
              b,
              bOff + t * bStride + p0 * ldb,
              ldb,
              bt,
              c,
              cOff,
              ldc,
              i0,
              i1,
              j0,
              j1);
        }
      }
    } else if (!transA) {
      dots(
          batch, aStride, bStride, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, i0, i1, j0,
          j1);
    } else {
      // Rare (both transposed): a scalar loop keeps the code small.
      for (int i = i0; i < i1; i++) {
        for (int j = j0; j < j1; j++) {
          float s = 0f;
          for (int t = 0; t < batch; t++) {
            for (int p = 0; p < k; p++) {
              s =
                  Math.fma(
                      a[aOff + t * aStride + p * lda + i], b[bOff + t * bStride + j * ldb + p], s);
            }
          }
          int ci = cOff + i * ldc + j;
          c[ci] = beta == 0f ? s : s + beta * c[ci];
        }
      }
    }
  }

  private static void scale(
      float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1, float beta) {
    for (int i = i0; i < i1; i++) {
      for (int j = j0; j < j1; j++) {
        int ci = cOff + i * ldc + j;
        c[ci] = beta == 0f ? 0f : beta * c[ci];
      }
    }
  }

  // ---- B rows contiguous: broadcast A, FMA with B row vectors --------------------------------

  private static void broadcastPanel(
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
      int i = i0;
      for (; i + 4 <= i1; i += 4) {
        k4x3(kc, a, aOff + i * ars, ars, acs, b, bOff + j, ldb, beta, c, cOff + i * ldc + j, ldc);
      }
      for (; i + 2 <= i1; i += 2) {
        k2x3(kc, a, aOff + i * ars, ars, acs, b, bOff + j, ldb, beta, c, cOff + i * ldc + j, ldc);
      }
      for (; i < i1; i++) {
        k1x3(kc, a, aOff + i * ars, ars, acs, b, bOff + j, ldb, beta, c, cOff + i * ldc + j, ldc);
      }
    }
    for (; j < j1; j += L) {
      int i = i0;
      for (; i + 4 <= i1; i += 4) {
        k4x1(
            kc,
            a,
            aOff + i * ars,
            ars,
            acs,
            b,
            bOff + j,
            ldb,
            beta,
            c,
            cOff + i * ldc + j,
            ldc,
            j,
            j1);
      }
      for (; i < i1; i++) {
        k1x1(
            kc,
            a,
            aOff + i * ars,
            ars,
            acs,
            b,
            bOff + j,
            ldb,
            beta,
            c,
            cOff + i * ldc + j,
            ldc,
            j,
            j1);
      }
    }
  }

  private static void k4x3(
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
    FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
    // Start from beta·C, so the result is stored without a second pass over C.
    if (beta == 0f) {
      c00 = FloatVector.zero(S);
      c01 = c00;
      c02 = c00;
      c10 = c00;
      c11 = c00;
      c12 = c00;
      c20 = c00;
      c21 = c00;
      c22 = c00;
      c30 = c00;
      c31 = c00;
      c32 = c00;
    } else {
      c00 = FloatVector.fromArray(S, c, ci);
      c01 = FloatVector.fromArray(S, c, ci + L);
      c02 = FloatVector.fromArray(S, c, ci + 2 * L);
      c10 = FloatVector.fromArray(S, c, ci + ldc);
      c11 = FloatVector.fromArray(S, c, ci + ldc + L);
      c12 = FloatVector.fromArray(S, c, ci + ldc + 2 * L);
      c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
      c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
      c22 = FloatVector.fromArray(S, c, ci + 2 * ldc + 2 * L);
      c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
      c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
      c32 = FloatVector.fromArray(S, c, ci + 3 * ldc + 2 * L);
      if (beta != 1f) {
        c00 = c00.mul(beta);
        c01 = c01.mul(beta);
        c02 = c02.mul(beta);
        c10 = c10.mul(beta);
        c11 = c11.mul(beta);
        c12 = c12.mul(beta);
        c20 = c20.mul(beta);
        c21 = c21.mul(beta);
        c22 = c22.mul(beta);
        c30 = c30.mul(beta);
        c31 = c31.mul(beta);
        c32 = c32.mul(beta);
      }
    }
    for (int p = 0; p < kc; p++) {
      int bp = bj + p * ldb;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
      int ap = ai + p * acs;
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      c02 = x.fma(b2, c02);
      x = FloatVector.broadcast(S, a[ap + ars]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      c12 = x.fma(b2, c12);
      x = FloatVector.broadcast(S, a[ap + 2 * ars]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      c22 = x.fma(b2, c22);
      x = FloatVector.broadcast(S, a[ap + 3 * ars]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      c32 = x.fma(b2, c32);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c02.intoArray(c, ci + 2 * L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
    c12.intoArray(c, ci + ldc + 2 * L);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + L);
    c22.intoArray(c, ci + 2 * ldc + 2 * L);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + L);
    c32.intoArray(c, ci + 3 * ldc + 2 * L);
  }

  private static void k2x3(
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
    FloatVector c00, c01, c02, c10, c11, c12;
    // Start from beta·C, so the result is stored without a second pass over C.
    if (beta == 0f) {
      c00 = FloatVector.zero(S);
      c01 = c00;
      c02 = c00;
      c10 = c00;
      c11 = c00;
      c12 = c00;
    } else {
      c00 = FloatVector.fromArray(S, c, ci);
      c01 = FloatVector.fromArray(S, c, ci + L);
      c02 = FloatVector.fromArray(S, c, ci + 2 * L);
      c10 = FloatVector.fromArray(S, c, ci + ldc);
      c11 = FloatVector.fromArray(S, c, ci + ldc + L);
      c12 = FloatVector.fromArray(S, c, ci + ldc + 2 * L);
      if (beta != 1f) {
        c00 = c00.mul(beta);
        c01 = c01.mul(beta);
        c02 = c02.mul(beta);
        c10 = c10.mul(beta);
        c11 = c11.mul(beta);
        c12 = c12.mul(beta);
      }
    }
    for (int p = 0; p < kc; p++) {
      int bp = bj + p * ldb;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
      int ap = ai + p * acs;
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      c02 = x.fma(b2, c02);
      x = FloatVector.broadcast(S, a[ap + ars]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      c12 = x.fma(b2, c12);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c02.intoArray(c, ci + 2 * L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
    c12.intoArray(c, ci + ldc + 2 * L);
  }

  private static void k1x3(
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
    FloatVector c00, c01, c02;
    // Start from beta·C, so the result is stored without a second pass over C.
    if (beta == 0f) {
      c00 = FloatVector.zero(S);
      c01 = c00;
      c02 = c00;
    } else {
      c00 = FloatVector.fromArray(S, c, ci);
      c01 = FloatVector.fromArray(S, c, ci + L);
      c02 = FloatVector.fromArray(S, c, ci + 2 * L);
      if (beta != 1f) {
        c00 = c00.mul(beta);
        c01 = c01.mul(beta);
        c02 = c02.mul(beta);
      }
    }
    for (int p = 0; p < kc; p++) {
      int bp = bj + p * ldb;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
      int ap = ai + p * acs;
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      c02 = x.fma(b2, c02);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c02.intoArray(c, ci + 2 * L);
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
   * The k4x1 / k1x1 block in scalars: per element the same fused multiply-adds in the same order as
   * a vector lane, so the result is identical whichever of the two computes it.
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

  // ---- B transposed, A not: dot products of contiguous rows ----------------------------------

  private static void dots(
      int batch,
      int aStride,
      int bStride,
      int k,
      float[] a,
      int aOff,
      int lda,
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
    // Blocks of 4 B rows outside, A row pairs inside: B (the im2col matrix, the larger operand
    // of a weight gradient) is streamed once while the few rows of A stay in cache.
    int iPairs = i0 + (i1 - i0) / 2 * 2;
    int j = j0;
    for (; j + 4 <= j1; j += 4) {
      for (int i = i0; i < iPairs; i += 2) {
        d2x4(
            batch,
            aStride,
            bStride,
            k,
            a,
            aOff + i * lda,
            lda,
            b,
            bOff + j * ldb,
            ldb,
            beta,
            c,
            cOff + i * ldc + j,
            ldc);
      }
      for (int i = iPairs; i < i1; i++) {
        for (int jj = j; jj < j + 4; jj++) {
          dot1(
              batch,
              aStride,
              bStride,
              k,
              a,
              aOff + i * lda,
              b,
              bOff + jj * ldb,
              beta,
              c,
              cOff + i * ldc + jj);
        }
      }
    }
    for (; j < j1; j++) {
      for (int i = i0; i < i1; i++) {
        dot1(
            batch,
            aStride,
            bStride,
            k,
            a,
            aOff + i * lda,
            b,
            bOff + j * ldb,
            beta,
            c,
            cOff + i * ldc + j);
      }
    }
  }

  private static float dotOut(float s, float beta, float old) {
    return beta == 0f ? s : s + beta * old;
  }

  private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[8 * L]);

  /** This thread's scratch for lane sums (8 vectors). */
  static float[] lanes() {
    return LANES.get();
  }

  /**
   * Sum of t[off, off+L) in a fixed pairwise tree (halves, then quarters, ...): a vector is stored
   * here and summed in scalars because a vector passed to a method the JIT does not inline is
   * boxed.
   */
  static float sumLanes(float[] t, int off) {
    for (int h = L / 2; h >= 1; h /= 2) {
      for (int i = 0; i < h; i++) {
        t[off + i] += t[off + i + h];
      }
    }
    return t[off];
  }

  private static void dot1(
      int batch,
      int aStride,
      int bStride,
      int k,
      float[] a,
      int ai,
      float[] b,
      int bj,
      float beta,
      float[] c,
      int ci) {
    FloatVector acc = FloatVector.zero(S);
    float r = 0f;
    int bound = S.loopBound(k);
    for (int t = 0; t < batch; t++) {
      int at = ai + t * aStride, bt = bj + t * bStride;
      for (int p = 0; p < bound; p += L) {
        acc = FloatVector.fromArray(S, a, at + p).fma(FloatVector.fromArray(S, b, bt + p), acc);
      }
      for (int p = bound; p < k; p++) {
        r = Math.fma(a[at + p], b[bt + p], r);
      }
    }
    float[] t = lanes();
    acc.intoArray(t, 0);
    store(sumLanes(t, 0) + r, beta, c, ci);
  }

  private static void store(float sum, float beta, float[] c, int ci) {
    c[ci] = dotOut(sum, beta, c[ci]);
  }

  private static void d2x4(
      int batch,
      int aStride,
      int bStride,
      int k,
      float[] a,
      int ai,
      int lda,
      float[] b,
      int bj,
      int ldb,
      float beta,
      float[] c,
      int ci,
      int ldc) {
    FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
    FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
    float r00 = 0f, r01 = 0f, r02 = 0f, r03 = 0f, r10 = 0f, r11 = 0f, r12 = 0f, r13 = 0f;
    int bound = S.loopBound(k);
    for (int t = 0; t < batch; t++) {
      int at = ai + t * aStride, bt = bj + t * bStride;
      for (int p = 0; p < bound; p += L) {
        FloatVector a0 = FloatVector.fromArray(S, a, at + p);
        FloatVector a1 = FloatVector.fromArray(S, a, at + lda + p);
        FloatVector b0 = FloatVector.fromArray(S, b, bt + p);
        FloatVector b1 = FloatVector.fromArray(S, b, bt + ldb + p);
        FloatVector b2 = FloatVector.fromArray(S, b, bt + 2 * ldb + p);
        FloatVector b3 = FloatVector.fromArray(S, b, bt + 3 * ldb + p);
        s00 = a0.fma(b0, s00);
        s01 = a0.fma(b1, s01);
        s02 = a0.fma(b2, s02);
        s03 = a0.fma(b3, s03);
        s10 = a1.fma(b0, s10);
        s11 = a1.fma(b1, s11);
        s12 = a1.fma(b2, s12);
        s13 = a1.fma(b3, s13);
      }
      // The last k mod L terms in scalars: a masked load near an array's end would allocate.
      for (int p = bound; p < k; p++) {
        float x0 = a[at + p];
        float x1 = a[at + lda + p];
        float y0 = b[bt + p];
        float y1 = b[bt + ldb + p];
        float y2 = b[bt + 2 * ldb + p];
        float y3 = b[bt + 3 * ldb + p];
        r00 = Math.fma(x0, y0, r00);
        r01 = Math.fma(x0, y1, r01);
        r02 = Math.fma(x0, y2, r02);
        r03 = Math.fma(x0, y3, r03);
        r10 = Math.fma(x1, y0, r10);
        r11 = Math.fma(x1, y1, r11);
        r12 = Math.fma(x1, y2, r12);
        r13 = Math.fma(x1, y3, r13);
      }
    }
    float[] t = lanes();
    s00.intoArray(t, 0);
    s01.intoArray(t, L);
    s02.intoArray(t, 2 * L);
    s03.intoArray(t, 3 * L);
    s10.intoArray(t, 4 * L);
    s11.intoArray(t, 5 * L);
    s12.intoArray(t, 6 * L);
    s13.intoArray(t, 7 * L);
    int ai1 = ai + lda;
    int cj = ci + ldc;
    store(sumLanes(t, 0) + r00, beta, c, ci);
    store(sumLanes(t, L) + r01, beta, c, ci + 1);
    store(sumLanes(t, 2 * L) + r02, beta, c, ci + 2);
    store(sumLanes(t, 3 * L) + r03, beta, c, ci + 3);
    store(sumLanes(t, 4 * L) + r10, beta, c, cj);
    store(sumLanes(t, 5 * L) + r11, beta, c, cj + 1);
    store(sumLanes(t, 6 * L) + r12, beta, c, cj + 2);
    store(sumLanes(t, 7 * L) + r13, beta, c, cj + 3);
  }
}
