package bnlab.kernel;

import static bnlab.kernel.VectorWidth.L;

import jdk.incubator.vector.FloatVector;

/**
 * The backward transforms of {@link Winograd4}'s F(4×4, 3×3): dM = A dY Aᵀ per 4×4 tile of dY (in
 * the (36, K, T) layout for the input gradient and transposed, (36, T, K), for the weight
 * gradient's products), and dX = B dV Bᵀ added into the overlapping 6×6 input patches through the
 * 16 polyphase planes. Layouts, tile numbering and the width-independence rule are {@link
 * Winograd4}'s: each 2-d transform is two passes of a 1-d one over runs, the same operations in
 * every lane and tail.
 */
final class Winograd4Backward {
  private Winograd4Backward() {}

  /**
   * One image's dY (K, P, Q) at gOff into dM (36, K, ld) at dm[mOff + tile]: A dY Aᵀ per 4×4 tile
   * of dY, zero beyond the output's edges and for junk tiles.
   */
  static void outputGrad(
      Winograd.Tiles t, float[] dy, int gOff, float[] dm, int mOff, int ld, float[] s) {
    int ps = Winograd.planeStride(t.k, ld);
    int n = t.tilesP;
    int f = 16 * t.plane;
    boolean quads = VectorInterleave.quads(t.q);
    // With split4 the runs are 8 floats further apart than their n: room for the zeros it writes
    // past a run (rows in increasing order, as in Winograd4's polyphase planes).
    int np = quads ? n + 8 : n;
    for (int k = 0; k < t.k; k++) {
      java.util.Arrays.fill(s, f, f + 16 * np, 0f);
      int off = gOff + k * t.p * t.q;
      int[] col = t.yCol;
      for (int r = 0; r < t.p; r++) {
        int dst = f + 4 * (r & 3) * np + (r >> 2) * t.tp;
        int src = off + r * t.q;
        if (quads) {
          VectorInterleave.split4(dy, src, t.q, s, dst, dst + np, dst + 2 * np, dst + 3 * np);
          continue;
        }
        for (int c = 0; c < t.q; c++) {
          s[dst + col[c]] = dy[src + c];
        }
      }
      aTransform(s, f, n, np, dm, mOff + k * ld, ps);
    }
  }

  /**
   * As {@link #outputGrad} into the transposed layout dMᵀ (36, ld, K) at dmt[mOff + tile·K + k]
   * (what the weight gradient's products read as rows), over tiles × K.
   */
  static void outputGradT(
      Winograd.Tiles t, float[] dy, int gOff, float[] dmt, int mOff, int ld, float[] s) {
    int n = t.tilesP * t.k;
    int ps = Winograd.planeStride(t.k, ld);
    int f = t.gatherAt();
    java.util.Arrays.fill(s, f, f + 16 * n, 0f);
    int[] col = t.yColT;
    if (VectorInterleave.EIGHT && t.k % 8 == 0 && t.q % 8 == 0) {
      // Blocks of 8 channels × 8 columns transposed in registers (the junk tiles keep their zeros).
      for (int k0 = 0; k0 < t.k; k0 += 8) {
        int off = gOff + k0 * t.p * t.q;
        for (int r = 0; r < t.p; r++) {
          int dst = f + 4 * (r & 3) * n + (r >> 2) * t.tp * t.k + k0;
          for (int c0 = 0; c0 < t.q; c0 += 8) {
            VectorInterleave.transpose8(dy, off + r * t.q, t.p * t.q, s, dst, col, c0);
          }
        }
      }
    } else {
      for (int k = 0; k < t.k; k++) {
        int off = gOff + k * t.p * t.q;
        for (int r = 0; r < t.p; r++) {
          int dst = f + 4 * (r & 3) * n + (r >> 2) * t.tp * t.k + k;
          int src = off + r * t.q;
          for (int c = 0; c < t.q; c++) {
            s[dst + col[c]] = dy[src + c];
          }
        }
      }
    }
    aTransform(s, f, n, n, dmt, mOff, ps);
  }

  /**
   * dM = A·D·Aᵀ for n tiles side by side: the 4×4 output gradients D_pq at s[f + (4p + q)·np + i]
   * become 36 values at out[base + i + (6a + b)·ps]; the intermediate 24 runs follow D in s.
   */
  private static void aTransform(float[] s, int f, int n, int np, float[] out, int base, int ps) {
    int z = f + 16 * np;
    // Over the rows of each column q: z[a][q] at z + (4a + q)·n.
    for (int q = 0; q < 4; q++) {
      ag(s, f + q * np, 4 * np, s, z + q * n, 4 * n, n);
    }
    // Over the columns of each row a: dM[a][b] at plane 6a + b.
    for (int a = 0; a < 6; a++) {
      ag(s, z + 4 * a * n, n, out, base + 6 * a * ps, ps, n);
    }
  }

  /**
   * A·(y0, y1, y2, y3) = (y0, Σ, alternating Σ, y0 + 2y1 + 4y2 + 8y3, y0 − 2y1 + 4y2 − 8y3, y3) for
   * n elements side by side: y_i at src[so + i·st + j], element a at dst[d + a·ds + j].
   */
  private static void ag(float[] src, int so, int st, float[] dst, int d, int ds, int n) {
    int i = 0;
    // j linear in the loop, so C2 checks its ranges once per loop rather than per access; where L
    // does not divide n the last vector overlaps the one before it (the same values again).
    if (n >= L) {
      for (; i <= n - L; i += L) {
        agVector(src, so, st, dst, d, ds, i);
      }
      if (i < n) {
        agVector(src, so, st, dst, d, ds, n - L);
        i = n;
      }
    }
    for (; i < n; i++) {
      int o = so + i;
      float y0 = src[o];
      float y1 = src[o + st];
      float y2 = src[o + 2 * st];
      float y3 = src[o + 3 * st];
      float e02 = y0 + y2;
      float e13 = y1 + y3;
      float f02 = y0 + y2 * 4f;
      float f13 = y1 * 2f + y3 * 8f;
      dst[d + i] = y0;
      dst[d + ds + i] = e02 + e13;
      dst[d + 2 * ds + i] = e02 - e13;
      dst[d + 3 * ds + i] = f02 + f13;
      dst[d + 4 * ds + i] = f02 - f13;
      dst[d + 5 * ds + i] = y3;
    }
  }

  private static void agVector(float[] src, int so, int st, float[] dst, int d, int ds, int j) {
    int o = so + j;
    FloatVector y0 = Winograd4.load(src, o);
    FloatVector y1 = Winograd4.load(src, o + st);
    FloatVector y2 = Winograd4.load(src, o + 2 * st);
    FloatVector y3 = Winograd4.load(src, o + 3 * st);
    FloatVector e02 = y0.add(y2);
    FloatVector e13 = y1.add(y3);
    FloatVector f02 = y0.add(y2.mul(4f));
    FloatVector f13 = y1.mul(2f).add(y3.mul(8f));
    y0.intoArray(dst, d + j);
    e02.add(e13).intoArray(dst, d + ds + j);
    e02.sub(e13).intoArray(dst, d + 2 * ds + j);
    f02.add(f13).intoArray(dst, d + 3 * ds + j);
    f02.sub(f13).intoArray(dst, d + 4 * ds + j);
    y3.intoArray(dst, d + 5 * ds + j);
  }

  /**
   * dV (36, C, ld) at dv[vOff + tile] into one image's dX (C, H, W) at xOff, channels [from, to),
   * overwritten: each patch's B dV Bᵀ, added where patches overlap in a fixed order per element,
   * padding dropped.
   */
  static void inputGrad(
      Winograd.Tiles t,
      float[] dv,
      int vOff,
      int ld,
      float[] dx,
      int xOff,
      float[] s,
      int from,
      int to) {
    int ps = Winograd.planeStride(t.c, ld);
    int n = t.tilesP;
    int rAt = 16 * t.plane;
    int dd = rAt + 36 * n;
    for (int ch = from; ch < to; ch++) {
      int base = vOff + ch * ld;
      // Over the rows of each column b: r[a][b] at rAt + (6a + b)·n.
      for (int b = 0; b < 6; b++) {
        bb(dv, base + b * ps, 6 * ps, s, rAt + b * n, 6 * n, n);
      }
      // Over the columns of each row a: dd[a][b] at dd + (6a + b)·n.
      for (int a = 0; a < 6; a++) {
        bb(s, rAt + 6 * a * n, n, s, dd + 6 * a * n, n, n);
      }
      accumulate(t, s, dd);
      depolyphase(t, s, dx, xOff + ch * t.h * t.w);
    }
  }

  /**
   * B·(v0, ..., v5), B = (Bᵀ)ᵀ, for n elements side by side: v_i at src[so + i·st + j], element c
   * at dst[d + c·ds + j].
   */
  private static void bb(float[] src, int so, int st, float[] dst, int d, int ds, int n) {
    int i = 0;
    // j linear in the loop, so C2 checks its ranges once per loop rather than per access; where L
    // does not divide n the last vector overlaps the one before it (the same values again).
    if (n >= L) {
      for (; i <= n - L; i += L) {
        bbVector(src, so, st, dst, d, ds, i);
      }
      if (i < n) {
        bbVector(src, so, st, dst, d, ds, n - L);
        i = n;
      }
    }
    for (; i < n; i++) {
      int o = so + i;
      float v0 = src[o];
      float v1 = src[o + st];
      float v2 = src[o + 2 * st];
      float v3 = src[o + 3 * st];
      float v4 = src[o + 4 * st];
      float v5 = src[o + 5 * st];
      float s12 = v1 + v2;
      float d12 = v1 - v2;
      float s34 = v3 + v4;
      float d34 = v3 - v4;
      dst[d + i] = v0 * 4f;
      dst[d + ds + i] = v5 * 4f - d12 * 4f - d34 * 2f;
      dst[d + 2 * ds + i] = v0 * -5f - s12 * 4f - s34;
      dst[d + 3 * ds + i] = d12 + d34 * 2f - v5 * 5f;
      dst[d + 4 * ds + i] = v0 + s12 + s34;
      dst[d + 5 * ds + i] = v5;
    }
  }

  private static void bbVector(float[] src, int so, int st, float[] dst, int d, int ds, int j) {
    int o = so + j;
    FloatVector v0 = Winograd4.load(src, o);
    FloatVector v1 = Winograd4.load(src, o + st);
    FloatVector v2 = Winograd4.load(src, o + 2 * st);
    FloatVector v3 = Winograd4.load(src, o + 3 * st);
    FloatVector v4 = Winograd4.load(src, o + 4 * st);
    FloatVector v5 = Winograd4.load(src, o + 5 * st);
    FloatVector s12 = v1.add(v2);
    FloatVector d12 = v1.sub(v2);
    FloatVector s34 = v3.add(v4);
    FloatVector d34 = v3.sub(v4);
    v0.mul(4f).intoArray(dst, d + j);
    v5.mul(4f).sub(d12.mul(4f)).sub(d34.mul(2f)).intoArray(dst, d + ds + j);
    v0.mul(-5f).sub(s12.mul(4f)).sub(s34).intoArray(dst, d + 2 * ds + j);
    d12.add(d34.mul(2f)).sub(v5.mul(5f)).intoArray(dst, d + 3 * ds + j);
    v0.add(s12).add(s34).intoArray(dst, d + 4 * ds + j);
    v5.intoArray(dst, d + 5 * ds + j);
  }

  // Polyphase plane (p, q) = dd[p][q] + dd[p][q+4] one tile left + dd[p+4][q] one tile row up +
  // dd[p+4][q+4], the last three where the patch reaches (p, q < 2), added in that order for every
  // element (whole passes, so the order does not depend on the vector width).
  private static void accumulate(Winograd.Tiles t, float[] s, int dd) {
    int n = t.tilesP;
    for (int p = 0; p < 4; p++) {
      for (int q = 0; q < 4; q++) {
        int g = (4 * p + q) * t.plane;
        System.arraycopy(s, dd + (6 * p + q) * n, s, g, n);
        java.util.Arrays.fill(s, g + n, g + t.plane, 0f);
        if (q < 2) {
          VectorArrays.addInto(s, dd + (6 * p + q + 4) * n, s, g + 1, n);
        }
        if (p < 2) {
          VectorArrays.addInto(s, dd + (6 * (p + 4) + q) * n, s, g + t.tp, n);
        }
        if (p < 2 && q < 2) {
          VectorArrays.addInto(s, dd + (6 * (p + 4) + q + 4) * n, s, g + t.tp + 1, n);
        }
      }
    }
  }

  // dX (H, W) at off from the 16 polyphase planes of the padded image's gradient.
  private static void depolyphase(Winograd.Tiles t, float[] s, float[] dx, int off) {
    int[] col = t.xCol;
    int w = t.w;
    if (VectorInterleave.quads(w)) {
      VectorInterleave.merge4Rows(
          s, 0, t.plane, t.tp, t.g.padH(), col[0], col[1], col[2], col[3], dx, off, w, t.h);
      return;
    }
    for (int r = 0; r < t.h; r++) {
      int pr = r + t.g.padH();
      int rowBase = 4 * (pr & 3) * t.plane + (pr >> 2) * t.tp;
      int row = off + r * w;
      for (int c = 0; c < w; c++) {
        dx[row + c] = s[rowBase + col[c]];
      }
    }
  }
}
