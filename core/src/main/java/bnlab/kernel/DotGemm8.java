package bnlab.kernel;

import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * {@link DotGemm} on 8-lane (256-bit) registers in one pass: each C element keeps its {@link
 * Reduction#P} = 16 partial sums in two accumulators (body values j with j mod 16 &lt; 8, and the
 * others), so every row is read once. The general kernel's 2×4 block would need 16 accumulators of
 * 8 lanes, all of AVX2's registers, and so takes two passes over its rows, each using half of every
 * cache line it loads. Here 2×2 blocks: 8 accumulators, 8 loads for 8 fused multiply-adds. Each
 * partial sums the same terms in the same order as in the general kernel, so the bits are the same.
 * The partials are combined by {@link VectorTree}'s fixed tree straight from the registers, the 2×2
 * block's four trees in shared vector operations: through memory, one tree at a time, they cost
 * about as much as the products of short rows (the article's fc2 and fc3 forward, k = 120 and 84),
 * which run a fifth to a quarter faster so (AMD Zen 3). The trees are written out here rather than
 * called: a vector passed to a method that C2 leaves out of line is boxed, and in some launches it
 * left such a helper out of line (7–24 MB allocated per training step of vgg-bn and resnet20).
 */
final class DotGemm8 {
  private static final int H = 8;

  private DotGemm8() {}

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
    int lda = s.lda(), ldb = s.ldb(), ldc = s.ldc();
    int iPairs = i0 + (i1 - i0) / 2 * 2;
    int j = j0;
    for (; j + 2 <= j1; j += 2) {
      for (int i = i0; i < iPairs; i += 2) {
        d2x2(s, a, aOff + i * lda, b, bOff + j * ldb, beta, c, cOff + i * ldc + j);
      }
      for (int i = iPairs; i < i1; i++) {
        dot1(s, a, aOff + i * lda, b, bOff + j * ldb, beta, c, cOff + i * ldc + j);
        dot1(s, a, aOff + i * lda, b, bOff + (j + 1) * ldb, beta, c, cOff + i * ldc + j + 1);
      }
    }
    for (; j < j1; j++) {
      for (int i = i0; i < i1; i++) {
        dot1(s, a, aOff + i * lda, b, bOff + j * ldb, beta, c, cOff + i * ldc + j);
      }
    }
  }

  private static void dot1(
      GemmShape s, float[] a, int ai, float[] b, int bj, float beta, float[] c, int ci) {
    int batch = s.batch(), aStride = s.aStride(), bStride = s.bStride(), k = s.k();
    int body = Reduction.body(k);
    FloatVector lo = FloatVector.zero(S);
    FloatVector hi = lo;
    float r = 0f;
    for (int u = 0; u < batch; u++) {
      int at = ai + u * aStride, bt = bj + u * bStride;
      for (int p = 0; p < body; p += Reduction.P) {
        lo = FloatVector.fromArray(S, a, at + p).fma(FloatVector.fromArray(S, b, bt + p), lo);
        hi =
            FloatVector.fromArray(S, a, at + p + H)
                .fma(FloatVector.fromArray(S, b, bt + p + H), hi);
      }
    }
    for (int u = 0; u < batch; u++) {
      int at = ai + u * aStride, bt = bj + u * bStride;
      for (int p = body; p < k; p++) {
        r = Math.fma(a[at + p], b[bt + p], r);
      }
    }
    // VectorTree.tree's pairs for one run held in two registers (partials 0–7 and 8–15).
    FloatVector x = lo.add(hi);
    FloatVector y = x.add(x.rearrange(VectorTree.BY4));
    FloatVector z = y.add(y.rearrange(VectorTree.BY2));
    c[ci] = DotGemm.dotOut(z.lane(0) + z.lane(1) + r, beta, c[ci]);
  }

  private static void d2x2(
      GemmShape s, float[] a, int ai, float[] b, int bj, float beta, float[] c, int ci) {
    int batch = s.batch(), aStride = s.aStride(), bStride = s.bStride(), k = s.k();
    int lda = s.lda(), ldb = s.ldb(), ldc = s.ldc();
    int body = Reduction.body(k);
    // sIJ holds the partials j mod 16 < 8 of element (I, J), tIJ the others.
    FloatVector s00 = FloatVector.zero(S), s01 = s00, s10 = s00, s11 = s00;
    FloatVector t00 = s00, t01 = s00, t10 = s00, t11 = s00;
    for (int u = 0; u < batch; u++) {
      int at = ai + u * aStride, bt = bj + u * bStride;
      for (int p = 0; p < body; p += Reduction.P) {
        FloatVector a0 = FloatVector.fromArray(S, a, at + p);
        FloatVector a1 = FloatVector.fromArray(S, a, at + lda + p);
        FloatVector b0 = FloatVector.fromArray(S, b, bt + p);
        FloatVector b1 = FloatVector.fromArray(S, b, bt + ldb + p);
        s00 = a0.fma(b0, s00);
        s01 = a0.fma(b1, s01);
        s10 = a1.fma(b0, s10);
        s11 = a1.fma(b1, s11);
        a0 = FloatVector.fromArray(S, a, at + p + H);
        a1 = FloatVector.fromArray(S, a, at + lda + p + H);
        b0 = FloatVector.fromArray(S, b, bt + p + H);
        b1 = FloatVector.fromArray(S, b, bt + ldb + p + H);
        t00 = a0.fma(b0, t00);
        t01 = a0.fma(b1, t01);
        t10 = a1.fma(b0, t10);
        t11 = a1.fma(b1, t11);
      }
    }
    float r00 = 0f, r01 = 0f, r10 = 0f, r11 = 0f;
    for (int u = 0; u < batch; u++) {
      int at = ai + u * aStride, bt = bj + u * bStride;
      for (int p = body; p < k; p++) {
        float x0 = a[at + p];
        float x1 = a[at + lda + p];
        float y0 = b[bt + p];
        float y1 = b[bt + ldb + p];
        r00 = Math.fma(x0, y0, r00);
        r01 = Math.fma(x0, y1, r01);
        r10 = Math.fma(x1, y0, r10);
        r11 = Math.fma(x1, y1, r11);
      }
    }
    // Four of VectorTree.tree's trees side by side (see VectorTree.pair): level 1 within each run,
    // then levels 2, 3 and 4 for two runs, four runs and all lanes at once. Run 0's sum lands in
    // lane 0, run 1's in lane 4, run 2's in lane 2, run 3's in lane 6.
    FloatVector x0 = s00.add(t00), x1 = s01.add(t01), x2 = s10.add(t10), x3 = s11.add(t11);
    FloatVector c01 =
        x0.blend(x1, VectorTree.ODD4)
            .add(x1.blend(x0, VectorTree.ODD4).rearrange(VectorTree.SWAP4));
    FloatVector c23 =
        x2.blend(x3, VectorTree.ODD4)
            .add(x3.blend(x2, VectorTree.ODD4).rearrange(VectorTree.SWAP4));
    FloatVector f =
        c01.blend(c23, VectorTree.ODD2)
            .add(c23.blend(c01, VectorTree.ODD2).rearrange(VectorTree.SWAP2));
    FloatVector sums = f.add(f.rearrange(VectorTree.SWAP1));
    int cj = ci + ldc;
    c[ci] = DotGemm.dotOut(sums.lane(0) + r00, beta, c[ci]);
    c[ci + 1] = DotGemm.dotOut(sums.lane(4) + r01, beta, c[ci + 1]);
    c[cj] = DotGemm.dotOut(sums.lane(2) + r10, beta, c[cj]);
    c[cj + 1] = DotGemm.dotOut(sums.lane(6) + r11, beta, c[cj + 1]);
  }
}
