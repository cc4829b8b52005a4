package bnlab.kernel;

import static bnlab.kernel.VectorWidth.L;
import static bnlab.kernel.VectorWidth.S;

import jdk.incubator.vector.FloatVector;

/**
 * The transforms of Winograd's F(4×4, 3×3) (Lavin &amp; Gray 2016, points 0, ±1, ±2, ∞): a 4×4
 * output tile of a 3×3 stride-1 convolution is Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A for the 6×6 input
 * patch d and the 3×3 filter g, with
 *
 * <pre>
 *   Bᵀ = [4  0 −5  0 1 0]   G = [ ¼    0    0 ]   Aᵀ = [1 1  1 1  1 0]
 *        [0 −4 −4  1 1 0]       [−⅙   −⅙   −⅙ ]        [0 1 −1 2 −2 0]
 *        [0  4 −4 −1 1 0]       [−⅙    ⅙   −⅙ ]        [0 1  1 4  4 0]
 *        [0 −2 −1  2 1 0]       [1/24 1/12 ⅙ ]        [0 1 −1 8 −8 1]
 *        [0  2 −1 −2 1 0]       [1/24 −1/12 ⅙]
 *        [0  4  0 −5 0 1]       [ 0    0    1 ]
 * </pre>
 *
 * 36 multiplications per tile and channel pair instead of 144 (F(2×2): 16 per 4 outputs, 64 per
 * 16), so the products that dominate {@link WinogradPlan} shrink by 1.78× (less at small images,
 * where the junk tile is a larger share of a row). The price is accuracy: the transforms' entries
 * reach 5 and 8, and the error of a result grows with them (measured in {@code
 * WinogradAccuracyTest}).
 *
 * <p>Tiles, junk tiles and layouts are {@link Winograd}'s with m = 4: tiles start every 4 rows and
 * columns of the padded input, which is read as 16 polyphase planes (rows and columns mod 4), in
 * which tap (r, c) of every tile is one constant offset; V (36, C, T), M (36, K, T), element ξ = 6a
 * + b. Every 2-d transform is two passes of a 1-d transform over runs of tiles (rows, then columns)
 * through the scratch; every lane and every scalar tail computes the same sequence of operations
 * (no fused operations), so the results do not depend on the vector width. The polyphase copies and
 * the weight transforms are scalar.
 */
final class Winograd4 {
  private Winograd4() {}

  private static final float SIXTH = -1f / 6;
  private static final float TWELFTH = 1f / 12;
  private static final float TWENTYFOURTH = 1f / 24;

  // ---- weights -------------------------------------------------------------------------------

  /** u (36, K, C) = G g Gᵀ for the filters [f0, f1) of w (K, C, 3, 3) (filter f = k·C + c). */
  static void weights(Winograd.Tiles t, float[] w, float[] u, int f0, int f1) {
    int kc = t.k * t.c;
    for (int f = f0; f < f1; f++) {
      int o = 9 * f;
      for (int a = 0; a < 6; a++) {
        // Row a of G·g (over g's rows, for each of its columns), then that row times Gᵀ.
        float r0 = g(a, w[o], w[o + 3], w[o + 6]);
        float r1 = g(a, w[o + 1], w[o + 4], w[o + 7]);
        float r2 = g(a, w[o + 2], w[o + 5], w[o + 8]);
        for (int b = 0; b < 6; b++) {
          u[(6 * a + b) * kc + f] = g(b, r0, r1, r2);
        }
      }
    }
  }

  // Element a of G·(x0, x1, x2).
  private static float g(int a, float x0, float x1, float x2) {
    return switch (a) {
      case 0 -> x0 * 0.25f;
      case 1 -> (x0 + x1 + x2) * SIXTH;
      case 2 -> (x0 - x1 + x2) * SIXTH;
      case 3 -> (x0 + x1 * 2f + x2 * 4f) * TWENTYFOURTH;
      case 4 -> (x0 - x1 * 2f + x2 * 4f) * TWENTYFOURTH;
      default -> x2;
    };
  }

  // Element r of Gᵀ·(y0, ..., y5).
  private static float gt(int r, float y0, float y1, float y2, float y3, float y4, float y5) {
    return switch (r) {
      case 0 -> y0 * 0.25f + (y1 + y2) * SIXTH + (y3 + y4) * TWENTYFOURTH;
      case 1 -> (y1 - y2) * SIXTH + (y3 - y4) * TWELFTH;
      default -> ((y3 + y4) - (y1 + y2)) * -SIXTH + y5;
    };
  }

  /**
   * dw (K, C, 3, 3) += Gᵀ dU G for the filters of input channels [c0, c1), from dUᵀ (36, C, K) at
   * du[uOff..]: filter (k, c) is element (c, k) of each transposed plane.
   */
  static void addWeightGrad(Winograd.Tiles t, float[] du, int uOff, float[] dw, int c0, int c1) {
    int kc = t.k * t.c;
    for (int c = c0; c < c1; c++) {
      for (int k = 0; k < t.k; k++) {
        int e = uOff + c * t.k + k;
        int o = (k * t.c + c) * 9;
        for (int r = 0; r < 3; r++) {
          // Row r of Gᵀ·dU (6 values), then times G.
          float q0 = gtColumn(r, du, e, kc);
          float q1 = gtColumn(r, du, e + kc, kc);
          float q2 = gtColumn(r, du, e + 2 * kc, kc);
          float q3 = gtColumn(r, du, e + 3 * kc, kc);
          float q4 = gtColumn(r, du, e + 4 * kc, kc);
          float q5 = gtColumn(r, du, e + 5 * kc, kc);
          for (int s = 0; s < 3; s++) {
            dw[o + 3 * r + s] += gt(s, q0, q1, q2, q3, q4, q5);
          }
        }
      }
    }
  }

  // Element r of Gᵀ·(column b of dU), for dU element (a, b) at x + 6a·kc.
  private static float gtColumn(int r, float[] du, int x, int kc) {
    return gt(
        r,
        du[x],
        du[x + 6 * kc],
        du[x + 12 * kc],
        du[x + 18 * kc],
        du[x + 24 * kc],
        du[x + 30 * kc]);
  }

  // ---- polyphase planes ----------------------------------------------------------------------

  /**
   * The padded image plane x (H, W) at xOff as 16 polyphase planes in s: plane 4p + q holds xpad[4i
   * + p][4j + q] at i·tp + j, for i ≤ th and j ≤ tw (zero outside the image).
   */
  private static void polyphase(Winograd.Tiles t, float[] x, int xOff, float[] s) {
    java.util.Arrays.fill(s, 0, 16 * t.plane, 0f);
    int[] col = t.xCol;
    int w = t.w;
    int r0 = t.g.padH();
    int r1 = Math.min(t.rows, t.g.padH() + t.h);
    boolean quads = VectorInterleave.quads(w);
    // Rows in increasing order: split4's zeros past a run land where a later row writes, or in
    // padding, which is zero.
    for (int pr = r0; pr < r1; pr++) {
      int rowBase = 4 * (pr & 3) * t.plane + (pr >> 2) * t.tp;
      int from = xOff + (pr - t.g.padH()) * w;
      if (quads) {
        VectorInterleave.split4(
            x, from, w, s, rowBase + col[0], rowBase + col[1], rowBase + col[2], rowBase + col[3]);
        continue;
      }
      for (int c = 0; c < w; c++) {
        s[rowBase + col[c]] = x[from + c];
      }
    }
  }

  // ---- input: V = Bᵀ d B -------------------------------------------------------------------

  /**
   * One image x (C, H, W) at xOff into V (36, C, ld) at v[vOff + tile], channels [from, to): every
   * 6×6 patch of the padded image, Bᵀ d B. {@code s} is scratch of {@link
   * Winograd.Tiles#rowScratch} floats.
   */
  static void input(
      Winograd.Tiles t,
      float[] x,
      int xOff,
      float[] v,
      int vOff,
      int ld,
      float[] s,
      int from,
      int to) {
    int ps = Winograd.planeStride(t.c, ld);
    int n = t.tilesP;
    int pl = t.plane;
    int hAt = 16 * pl;
    for (int ch = from; ch < to; ch++) {
      polyphase(t, x, xOff + ch * t.h * t.w, s);
      // Over the columns of each patch row r: h[r][b] at hAt + (6r + b)·n.
      for (int r = 0; r < 6; r++) {
        int rb = 4 * (r & 3) * pl + (r >> 2) * t.tp;
        bt(s, rb, rb + pl, rb + 2 * pl, rb + 3 * pl, rb + 1, rb + pl + 1, s, hAt + 6 * r * n, n, n);
      }
      // Over the rows of each column b: V[a][b] at plane 6a + b.
      int o = vOff + ch * ld;
      for (int b = 0; b < 6; b++) {
        int h0 = hAt + b * n;
        bt(
            s,
            h0,
            h0 + 6 * n,
            h0 + 12 * n,
            h0 + 18 * n,
            h0 + 24 * n,
            h0 + 30 * n,
            v,
            o + b * ps,
            6 * ps,
            n);
      }
    }
  }

  /**
   * Bᵀ·(d0, ..., d5) for n elements side by side: d_i at src[o_i + j], result element a at dst[d +
   * a·ds + j].
   */
  private static void bt(
      float[] src,
      int o0,
      int o1,
      int o2,
      int o3,
      int o4,
      int o5,
      float[] dst,
      int d,
      int ds,
      int n) {
    int i = 0;
    // j linear in the loop, so C2 checks its ranges once per loop rather than per access; where L
    // does not divide n the last vector overlaps the one before it (the same values again).
    if (n >= L) {
      for (; i <= n - L; i += L) {
        btVector(src, o0, o1, o2, o3, o4, o5, dst, d, ds, i);
      }
      if (i < n) {
        btVector(src, o0, o1, o2, o3, o4, o5, dst, d, ds, n - L);
        i = n;
      }
    }
    for (; i < n; i++) {
      float d0 = src[o0 + i];
      float d1 = src[o1 + i];
      float d2 = src[o2 + i];
      float d3 = src[o3 + i];
      float d4 = src[o4 + i];
      float d5 = src[o5 + i];
      float a = d4 - d2 * 4f;
      float b = d3 - d1 * 4f;
      float c = d4 - d2;
      float e = (d3 - d1) * 2f;
      dst[d + i] = d0 * 4f - d2 * 5f + d4;
      dst[d + ds + i] = a + b;
      dst[d + 2 * ds + i] = a - b;
      dst[d + 3 * ds + i] = c + e;
      dst[d + 4 * ds + i] = c - e;
      dst[d + 5 * ds + i] = d1 * 4f - d3 * 5f + d5;
    }
  }

  private static void btVector(
      float[] src,
      int o0,
      int o1,
      int o2,
      int o3,
      int o4,
      int o5,
      float[] dst,
      int d,
      int ds,
      int j) {
    FloatVector d0 = load(src, o0 + j);
    FloatVector d1 = load(src, o1 + j);
    FloatVector d2 = load(src, o2 + j);
    FloatVector d3 = load(src, o3 + j);
    FloatVector d4 = load(src, o4 + j);
    FloatVector d5 = load(src, o5 + j);
    FloatVector a = d4.sub(d2.mul(4f));
    FloatVector b = d3.sub(d1.mul(4f));
    FloatVector c = d4.sub(d2);
    FloatVector e = d3.sub(d1).mul(2f);
    d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(dst, d + j);
    a.add(b).intoArray(dst, d + ds + j);
    a.sub(b).intoArray(dst, d + 2 * ds + j);
    c.add(e).intoArray(dst, d + 3 * ds + j);
    c.sub(e).intoArray(dst, d + 4 * ds + j);
    d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(dst, d + 5 * ds + j);
  }

  static FloatVector load(float[] s, int off) {
    return FloatVector.fromArray(S, s, off);
  }

  // ---- output: Y = Aᵀ M A + bias -----------------------------------------------------------

  /**
   * M (36, K, ld) at m[mOff + tile] into one image y (K, P, Q) at yOff, output channels [k0, k1):
   * Aᵀ m A + bias (bias may be null); junk tiles and the tail tiles' extra rows and columns are
   * dropped.
   */
  static void output(
      Winograd.Tiles t,
      float[] m,
      int mOff,
      int ld,
      float[] bias,
      float[] y,
      int yOff,
      float[] s,
      int k0,
      int k1) {
    int ps = Winograd.planeStride(t.k, ld);
    int n = t.tilesP;
    int zAt = 16 * t.plane;
    int yAt = zAt + 24 * n;
    for (int k = k0; k < k1; k++) {
      float b = bias == null ? 0f : bias[k];
      int src = mOff + k * ld;
      // Over the rows of each column b: z[p][b] at zAt + (6p + b)·n.
      for (int col = 0; col < 6; col++) {
        at(m, src + col * ps, 6 * ps, s, zAt + col * n, 6 * n, n, false, 0f);
      }
      // Over the columns of each row p: Y[p][q] at yAt + (4p + q)·n.
      for (int p = 0; p < 4; p++) {
        at(s, zAt + 6 * p * n, n, s, yAt + 4 * p * n, n, n, true, b);
      }
      scatter(t, s, yAt, y, yOff + k * t.p * t.q);
    }
  }

  /**
   * Aᵀ·(m0, ..., m5) (+ bias) for n elements side by side: m_i at src[so + i·st + j], result
   * element p at dst[d + p·ds + j].
   */
  private static void at(
      float[] src, int so, int st, float[] dst, int d, int ds, int n, boolean addBias, float bias) {
    int i = 0;
    FloatVector bv = FloatVector.broadcast(S, bias);
    // j linear in the loop, so C2 checks its ranges once per loop rather than per access; where L
    // does not divide n the last vector overlaps the one before it (the same values again).
    if (n >= L) {
      for (; i <= n - L; i += L) {
        atVector(src, so, st, dst, d, ds, addBias, bv, i);
      }
      if (i < n) {
        atVector(src, so, st, dst, d, ds, addBias, bv, n - L);
        i = n;
      }
    }
    for (; i < n; i++) {
      int o = so + i;
      float m0 = src[o];
      float m1 = src[o + st];
      float m2 = src[o + 2 * st];
      float m3 = src[o + 3 * st];
      float m4 = src[o + 4 * st];
      float m5 = src[o + 5 * st];
      float s12 = m1 + m2;
      float d12 = m1 - m2;
      float s34 = m3 + m4;
      float d34 = m3 - m4;
      float y0 = m0 + s12 + s34;
      float y1 = d12 + d34 * 2f;
      float y2 = s12 + s34 * 4f;
      float y3 = d12 + d34 * 8f + m5;
      if (addBias) {
        y0 += bias;
        y1 += bias;
        y2 += bias;
        y3 += bias;
      }
      dst[d + i] = y0;
      dst[d + ds + i] = y1;
      dst[d + 2 * ds + i] = y2;
      dst[d + 3 * ds + i] = y3;
    }
  }

  private static void atVector(
      float[] src,
      int so,
      int st,
      float[] dst,
      int d,
      int ds,
      boolean addBias,
      FloatVector bv,
      int j) {
    int o = so + j;
    FloatVector m0 = load(src, o);
    FloatVector m1 = load(src, o + st);
    FloatVector m2 = load(src, o + 2 * st);
    FloatVector m3 = load(src, o + 3 * st);
    FloatVector m4 = load(src, o + 4 * st);
    FloatVector m5 = load(src, o + 5 * st);
    FloatVector s12 = m1.add(m2);
    FloatVector d12 = m1.sub(m2);
    FloatVector s34 = m3.add(m4);
    FloatVector d34 = m3.sub(m4);
    FloatVector y0 = m0.add(s12).add(s34);
    FloatVector y1 = d12.add(d34.mul(2f));
    FloatVector y2 = s12.add(s34.mul(4f));
    FloatVector y3 = d12.add(d34.mul(8f)).add(m5);
    if (addBias) {
      y0 = y0.add(bv);
      y1 = y1.add(bv);
      y2 = y2.add(bv);
      y3 = y3.add(bv);
    }
    y0.intoArray(dst, d + j);
    y1.intoArray(dst, d + ds + j);
    y2.intoArray(dst, d + 2 * ds + j);
    y3.intoArray(dst, d + 3 * ds + j);
  }

  // One output plane (P, Q) from the 16 runs Y_pq of tiles at s[f]: y[4i + p][4j + q].
  private static void scatter(Winograd.Tiles t, float[] s, int f, float[] y, int yOff) {
    int[] col = t.yCol;
    int q = t.q;
    if (VectorInterleave.quads(q)) {
      VectorInterleave.merge4Rows(
          s, f, t.tilesP, t.tp, 0, col[0], col[1], col[2], col[3], y, yOff, q, t.p);
      return;
    }
    for (int r = 0; r < t.p; r++) {
      int src = f + 4 * (r & 3) * t.tilesP + (r >> 2) * t.tp;
      int row = yOff + r * q;
      for (int c = 0; c < q; c++) {
        y[row + c] = s[src + col[c]];
      }
    }
  }
}
