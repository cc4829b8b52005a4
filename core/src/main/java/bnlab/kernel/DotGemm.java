package bnlab.kernel;

import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * The GEMM micro-kernels for B transposed and A not: each C element is a dot product of two
 * contiguous rows, computed 2×4 at a time in {@link Reduction}'s order, the same bits at every
 * vector width: each row's body in {@link Reduction#P} partial sums (one pass per vector-wide slice
 * of them: one pass on 512-bit registers, four on 128-bit ones, which then read each row four
 * times; 256-bit registers take {@link DotGemm8}'s single pass), combined by {@link
 * Reduction#tree}, plus the tails' terms in one sequential sum. A batch of operand pairs is summed
 * inside each element's partials, so the sum over the batch does not depend on how C is split.
 */
final class DotGemm {
  private DotGemm() {}

  /** C block rows [i0, i1) × columns [j0, j1) = beta·C + Σ_t A_t · B_tᵀ. */
  static void dots(
      GemmShape s,
      float[] a,
      int aOff,
      float[] b,
      int bOff,
      float beta,
      float[] c,
      int cOff,
      int i0,
      int i1,
      int j0,
      int j1) {
    if (L == 8) {
      DotGemm8.dots(s, a, aOff, b, bOff, beta, c, cOff, i0, i1, j0, j1);
      return;
    }
    int batch = s.batch(), aStride = s.aStride(), bStride = s.bStride(), k = s.k();
    int lda = s.lda(), ldb = s.ldb(), ldc = s.ldc();
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

  static float dotOut(float s, float beta, float old) {
    return beta == 0f ? s : s + beta * old;
  }

  /** Per-thread partial sums of a 2×4 block, {@link Reduction#P} per element. */
  private static final ThreadLocal<float[]> PARTIALS =
      ThreadLocal.withInitial(() -> new float[8 * Reduction.P]);

  /** This thread's partial sums of a block, 8·{@link Reduction#P} floats. */
  static float[] partials() {
    return PARTIALS.get();
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
    float[] t = PARTIALS.get();
    int body = Reduction.body(k);
    // One pass per L-lane slice h of the P partials (one pass on 512-bit registers).
    for (int h = 0; h < Reduction.P; h += L) {
      FloatVector acc = FloatVector.zero(S);
      for (int u = 0; u < batch; u++) {
        int at = ai + u * aStride, bt = bj + u * bStride;
        for (int p = h; p < body; p += Reduction.P) {
          acc = FloatVector.fromArray(S, a, at + p).fma(FloatVector.fromArray(S, b, bt + p), acc);
        }
      }
      acc.intoArray(t, h);
    }
    float r = 0f;
    for (int u = 0; u < batch; u++) {
      int at = ai + u * aStride, bt = bj + u * bStride;
      for (int p = body; p < k; p++) {
        r = Math.fma(a[at + p], b[bt + p], r);
      }
    }
    store(VectorTree.tree(t, 0) + r, beta, c, ci);
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
    float[] t = PARTIALS.get();
    int body = Reduction.body(k);
    final int q = Reduction.P;
    for (int h = 0; h < q; h += L) {
      FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
      FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      for (int u = 0; u < batch; u++) {
        int at = ai + u * aStride, bt = bj + u * bStride;
        for (int p = h; p < body; p += q) {
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
      }
      s00.intoArray(t, h);
      s01.intoArray(t, q + h);
      s02.intoArray(t, 2 * q + h);
      s03.intoArray(t, 3 * q + h);
      s10.intoArray(t, 4 * q + h);
      s11.intoArray(t, 5 * q + h);
      s12.intoArray(t, 6 * q + h);
      s13.intoArray(t, 7 * q + h);
    }
    float r00 = 0f, r01 = 0f, r02 = 0f, r03 = 0f, r10 = 0f, r11 = 0f, r12 = 0f, r13 = 0f;
    // The tail (k mod P terms of each pair) in scalars: a masked load near an array's end would
    // allocate.
    for (int u = 0; u < batch; u++) {
      int at = ai + u * aStride, bt = bj + u * bStride;
      for (int p = body; p < k; p++) {
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
    int cj = ci + ldc;
    store(VectorTree.tree(t, 0) + r00, beta, c, ci);
    store(VectorTree.tree(t, q) + r01, beta, c, ci + 1);
    store(VectorTree.tree(t, 2 * q) + r02, beta, c, ci + 2);
    store(VectorTree.tree(t, 3 * q) + r03, beta, c, ci + 3);
    store(VectorTree.tree(t, 4 * q) + r10, beta, c, cj);
    store(VectorTree.tree(t, 5 * q) + r11, beta, c, cj + 1);
    store(VectorTree.tree(t, 6 * q) + r12, beta, c, cj + 2);
    store(VectorTree.tree(t, 7 * q) + r13, beta, c, cj + 3);
  }
}
