package bnlab.kernel;

import static bnlab.kernel.VectorWidth.L;
import static bnlab.kernel.VectorWidth.S;

import jdk.incubator.vector.FloatVector;

/**
 * The transforms of Winograd's minimal filtering F(2×2, 3×3) (Lavin &amp; Gray 2016, "Fast
 * Algorithms for Convolutional Neural Networks"): a 2×2 output tile of a 3×3 stride-1 convolution
 * is Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A for the 4×4 input patch d and the 3×3 filter g, with
 *
 * <pre>
 *   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
 *   Aᵀ = [1 1 1 0; 0 1 −1 −1]
 * </pre>
 *
 * 16 multiplications per tile and channel pair instead of 36. Tiles start every 2 rows and columns
 * of the padded input; the last tile of an odd output size reaches past it, and what it computes
 * there is dropped (its dY is zero in backward).
 *
 * <p>Layouts: U (16, K, C) transformed weights; V (16, C, T) transformed input and M (16, K, T) its
 * products for T tiles (tile t·tiles + i·tilesW + j of image t in a group), element ξ = 4a + b of
 * the 4×4 tile. Backward runs the same algebra transposed: dM = A dY Aᵀ, dU = Σ_tiles dM ⊙ V, dg =
 * Gᵀ dU G, dV = Uᵀ dM and dd = B dV Bᵀ added into overlapping input patches.
 *
 * <p>The input, output and gradient transforms are vectorized over the tiles of a tile row; every
 * lane and every scalar tail computes the same sequence of adds and subtractions (no fused
 * operations, no multiplications), so the results do not depend on the vector width. The weight
 * transforms (K·C pairs, once per call) are scalar.
 */
final class Winograd {
  private Winograd() {}

  /** The shape of one image's tiling, for a 3×3 stride-1 geometry. */
  static final class Tiles {
    final ConvGeometry g;
    final int c;
    final int k;
    final int h;
    final int w;
    final int p;
    final int q;

    /** Tile rows and columns: ⌈P/2⌉, ⌈Q/2⌉; tiles per image. */
    final int th;

    final int tw;
    final int tiles;

    /** Padded rows the tiles read (2·th + 2) and a padded row's length (2·tw + 2). */
    final int rows;

    final int rowLen;

    Tiles(ConvGeometry g) {
      if (!applies(g)) {
        throw new IllegalArgumentException("WINOGRAD needs a 3x3 kernel and stride 1, got " + g);
      }
      this.g = g;
      c = g.channels();
      k = g.outChannels();
      h = g.height();
      w = g.width();
      p = g.outH();
      q = g.outW();
      th = (p + 1) / 2;
      tw = (q + 1) / 2;
      tiles = th * tw;
      rows = 2 * th + 2;
      rowLen = 2 * tw + 2;
    }

    /** Floats of row scratch one transform call needs. */
    int rowScratch() {
      return (rows + 2) * 4 * tw + 4 * rowLen;
    }
  }

  /** Whether F(2×2, 3×3) computes this geometry: a 3×3 kernel at stride 1 (any padding). */
  static boolean applies(ConvGeometry g) {
    return g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1;
  }

  // ---- weights (scalar, once per call) -----------------------------------------------------

  /** u (16, K, C) = G g Gᵀ for every filter g of w (K, C, 3, 3). */
  static void weights(Tiles t, float[] w, float[] u) {
    int kc = t.k * t.c;
    for (int f = 0; f < kc; f++) {
      int o = f * 9;
      for (int a = 0; a < 4; a++) {
        // Row a of G·g, then that row times Gᵀ.
        float r0 = gRow(a, w[o], w[o + 3], w[o + 6]);
        float r1 = gRow(a, w[o + 1], w[o + 4], w[o + 7]);
        float r2 = gRow(a, w[o + 2], w[o + 5], w[o + 8]);
        for (int b = 0; b < 4; b++) {
          u[(4 * a + b) * kc + f] = gRow(b, r0, r1, r2);
        }
      }
    }
  }

  // Element a of G·(x0, x1, x2).
  private static float gRow(int a, float x0, float x1, float x2) {
    return switch (a) {
      case 0 -> x0;
      case 1 -> (x0 + x1 + x2) * 0.5f;
      case 2 -> (x0 - x1 + x2) * 0.5f;
      default -> x2;
    };
  }

  // Element r of Gᵀ·(y0, y1, y2, y3).
  private static float gtRow(int r, float y0, float y1, float y2, float y3) {
    return switch (r) {
      case 0 -> y0 + (y1 + y2) * 0.5f;
      case 1 -> (y1 - y2) * 0.5f;
      default -> (y1 + y2) * 0.5f + y3;
    };
  }

  /** dw[dOff..] (K, C, 3, 3) = Gᵀ dU G for dU (16, K, C) at du[uOff..] (overwritten). */
  static void weightGrad(Tiles t, float[] du, int uOff, float[] dw, int dOff) {
    int kc = t.k * t.c;
    for (int f = 0; f < kc; f++) {
      for (int r = 0; r < 3; r++) {
        // Row r of Gᵀ·dU (4 values), then times G.
        float q0 = gtCol(t, du, uOff, f, r, 0);
        float q1 = gtCol(t, du, uOff, f, r, 1);
        float q2 = gtCol(t, du, uOff, f, r, 2);
        float q3 = gtCol(t, du, uOff, f, r, 3);
        for (int s = 0; s < 3; s++) {
          dw[dOff + f * 9 + 3 * r + s] = gtRow(s, q0, q1, q2, q3);
        }
      }
    }
  }

  private static float gtCol(Tiles t, float[] du, int uOff, int f, int r, int b) {
    int kc = t.k * t.c;
    return gtRow(
        r,
        du[uOff + b * kc + f],
        du[uOff + (4 + b) * kc + f],
        du[uOff + (8 + b) * kc + f],
        du[uOff + (12 + b) * kc + f]);
  }

  // ---- input: V = Bᵀ d B -------------------------------------------------------------------

  /**
   * One image x (C, H, W) at xOff into V (16, C, ld) at v[vOff + tile]: every 4×4 patch of the
   * padded image, Bᵀ d B. {@code s} is row scratch of {@link Tiles#rowScratch} floats.
   */
  static void input(Tiles t, float[] x, int xOff, float[] v, int vOff, int ld, float[] s) {
    int hOff = 0; // rows × 4 × tw: each padded row's horizontal transform
    int row = t.rows * 4 * t.tw;
    int even = row + t.rowLen; // even and odd columns of one padded row, tw + 1 each
    int odd = even + t.tw + 1;
    int plane = t.h * t.w;
    java.util.Arrays.fill(s, row, row + t.rowLen, 0f);
    for (int ch = 0; ch < t.c; ch++) {
      for (int pr = 0; pr < t.rows; pr++) {
        int src = pr - t.g.padH();
        if (src >= 0 && src < t.h) {
          int n = Math.min(t.w, t.rowLen - t.g.padW());
          System.arraycopy(x, xOff + ch * plane + src * t.w, s, row + t.g.padW(), n);
          for (int j = 0; j <= t.tw; j++) {
            s[even + j] = s[row + 2 * j];
            s[odd + j] = s[row + 2 * j + 1];
          }
          // The zero edges stay zero for the next row.
          java.util.Arrays.fill(s, row + t.g.padW(), row + t.g.padW() + n, 0f);
          horizontal(s, even, odd, s, hOff + pr * 4 * t.tw, t.tw);
        } else {
          java.util.Arrays.fill(s, hOff + pr * 4 * t.tw, hOff + (pr + 1) * 4 * t.tw, 0f);
        }
      }
      for (int i = 0; i < t.th; i++) {
        vertical(s, hOff + 2 * i * 4 * t.tw, t.tw, v, vOff + ch * ld + i * t.tw, t.c * ld);
      }
    }
  }

  // h_b[j] for the row's patches d = (e[j], o[j], e[j+1], o[j+1]): d·B = (d0−d2, d1+d2, d2−d1,
  // d1−d3), stored as 4 runs of tw.
  private static void horizontal(float[] s, int e, int o, float[] h, int hOff, int tw) {
    int j = 0;
    for (int bound = S.loopBound(tw); j < bound; j += L) {
      FloatVector d0 = FloatVector.fromArray(S, s, e + j);
      FloatVector d1 = FloatVector.fromArray(S, s, o + j);
      FloatVector d2 = FloatVector.fromArray(S, s, e + j + 1);
      FloatVector d3 = FloatVector.fromArray(S, s, o + j + 1);
      d0.sub(d2).intoArray(h, hOff + j);
      d1.add(d2).intoArray(h, hOff + tw + j);
      d2.sub(d1).intoArray(h, hOff + 2 * tw + j);
      d1.sub(d3).intoArray(h, hOff + 3 * tw + j);
    }
    for (; j < tw; j++) {
      float d0 = s[e + j];
      float d1 = s[o + j];
      float d2 = s[e + j + 1];
      float d3 = s[o + j + 1];
      h[hOff + j] = d0 - d2;
      h[hOff + tw + j] = d1 + d2;
      h[hOff + 2 * tw + j] = d2 - d1;
      h[hOff + 3 * tw + j] = d1 - d3;
    }
  }

  // Bᵀ·(4 horizontal rows) for one tile row: v[(4a + b)·planeStride + j].
  private static void vertical(float[] h, int hOff, int tw, float[] v, int vOff, int planeStride) {
    int rs = 4 * tw; // one padded row's 4 runs
    for (int b = 0; b < 4; b++) {
      int r0 = hOff + b * tw;
      int j = 0;
      for (int bound = S.loopBound(tw); j < bound; j += L) {
        FloatVector h0 = FloatVector.fromArray(S, h, r0 + j);
        FloatVector h1 = FloatVector.fromArray(S, h, r0 + rs + j);
        FloatVector h2 = FloatVector.fromArray(S, h, r0 + 2 * rs + j);
        FloatVector h3 = FloatVector.fromArray(S, h, r0 + 3 * rs + j);
        h0.sub(h2).intoArray(v, vOff + b * planeStride + j);
        h1.add(h2).intoArray(v, vOff + (4 + b) * planeStride + j);
        h2.sub(h1).intoArray(v, vOff + (8 + b) * planeStride + j);
        h1.sub(h3).intoArray(v, vOff + (12 + b) * planeStride + j);
      }
      for (; j < tw; j++) {
        float h0 = h[r0 + j];
        float h1 = h[r0 + rs + j];
        float h2 = h[r0 + 2 * rs + j];
        float h3 = h[r0 + 3 * rs + j];
        v[vOff + b * planeStride + j] = h0 - h2;
        v[vOff + (4 + b) * planeStride + j] = h1 + h2;
        v[vOff + (8 + b) * planeStride + j] = h2 - h1;
        v[vOff + (12 + b) * planeStride + j] = h1 - h3;
      }
    }
  }

  // ---- output: Y = Aᵀ M A + bias -----------------------------------------------------------

  /**
   * M (16, K, ld) at m[mOff + tile] into one image y (K, P, Q) at yOff: Aᵀ m A + bias (bias may be
   * null), the tail tiles' extra row and column dropped.
   */
  static void output(
      Tiles t, float[] m, int mOff, int ld, float[] bias, float[] y, int yOff, float[] s) {
    int tw = t.tw;
    int planeStride = t.k * ld;
    for (int k = 0; k < t.k; k++) {
      float b = bias == null ? 0f : bias[k];
      for (int i = 0; i < t.th; i++) {
        int src = mOff + k * ld + i * tw;
        outputRow(m, src, planeStride, tw, b, s);
        int y0 = yOff + (k * t.p + 2 * i) * t.q;
        interleave(s, 0, tw, t.q, y, y0);
        if (2 * i + 1 < t.p) {
          interleave(s, 2 * tw, tw, t.q, y, y0 + t.q);
        }
      }
    }
  }

  // For one tile row: s = y00, y01, y10, y11 runs of tw (rows of the 2×2 tiles, even/odd columns).
  private static void outputRow(float[] m, int src, int ps, int tw, float bias, float[] s) {
    FloatVector bv = FloatVector.broadcast(S, bias);
    int j = 0;
    for (int bound = S.loopBound(tw); j < bound; j += L) {
      FloatVector a0 = colSum(m, src + j, ps, 0);
      FloatVector a1 = colSum(m, src + j, ps, 1);
      FloatVector a2 = colSum(m, src + j, ps, 2);
      FloatVector a3 = colSum(m, src + j, ps, 3);
      a0.add(a1).add(a2).add(bv).intoArray(s, j);
      a1.sub(a2).sub(a3).add(bv).intoArray(s, tw + j);
      FloatVector c0 = colDiff(m, src + j, ps, 0);
      FloatVector c1 = colDiff(m, src + j, ps, 1);
      FloatVector c2 = colDiff(m, src + j, ps, 2);
      FloatVector c3 = colDiff(m, src + j, ps, 3);
      c0.add(c1).add(c2).add(bv).intoArray(s, 2 * tw + j);
      c1.sub(c2).sub(c3).add(bv).intoArray(s, 3 * tw + j);
    }
    for (; j < tw; j++) {
      int o = src + j;
      float a0 = m[o] + m[o + 4 * ps] + m[o + 8 * ps];
      float a1 = m[o + ps] + m[o + 5 * ps] + m[o + 9 * ps];
      float a2 = m[o + 2 * ps] + m[o + 6 * ps] + m[o + 10 * ps];
      float a3 = m[o + 3 * ps] + m[o + 7 * ps] + m[o + 11 * ps];
      s[j] = a0 + a1 + a2 + bias;
      s[tw + j] = a1 - a2 - a3 + bias;
      float c0 = m[o + 4 * ps] - m[o + 8 * ps] - m[o + 12 * ps];
      float c1 = m[o + 5 * ps] - m[o + 9 * ps] - m[o + 13 * ps];
      float c2 = m[o + 6 * ps] - m[o + 10 * ps] - m[o + 14 * ps];
      float c3 = m[o + 7 * ps] - m[o + 11 * ps] - m[o + 15 * ps];
      s[2 * tw + j] = c0 + c1 + c2 + bias;
      s[3 * tw + j] = c1 - c2 - c3 + bias;
    }
  }

  // Row 0 of Aᵀ over column b of the tile: m0b + m1b + m2b.
  private static FloatVector colSum(float[] m, int o, int ps, int b) {
    return FloatVector.fromArray(S, m, o + b * ps)
        .add(FloatVector.fromArray(S, m, o + (4 + b) * ps))
        .add(FloatVector.fromArray(S, m, o + (8 + b) * ps));
  }

  // Row 1 of Aᵀ over column b: m1b − m2b − m3b.
  private static FloatVector colDiff(float[] m, int o, int ps, int b) {
    return FloatVector.fromArray(S, m, o + (4 + b) * ps)
        .sub(FloatVector.fromArray(S, m, o + (8 + b) * ps))
        .sub(FloatVector.fromArray(S, m, o + (12 + b) * ps));
  }

  // dst[2j] = s[e + j], dst[2j + 1] = s[e + tw + j], for the first len columns.
  private static void interleave(float[] s, int e, int tw, int len, float[] dst, int d) {
    int o = e + tw;
    int j = 0;
    for (; 2 * j + 1 < len; j++) {
      dst[d + 2 * j] = s[e + j];
      dst[d + 2 * j + 1] = s[o + j];
    }
    if (2 * j < len) {
      dst[d + 2 * j] = s[e + j];
    }
  }

  // ---- backward ----------------------------------------------------------------------------

  /**
   * One image's dY (K, P, Q) at gOff into dM (16, K, ld) at dm[mOff + tile]: A dY Aᵀ per 2×2 tile
   * of dY, zero beyond the output's edges.
   */
  static void outputGrad(Tiles t, float[] dy, int gOff, float[] dm, int mOff, int ld, float[] s) {
    int tw = t.tw;
    int planeStride = t.k * ld;
    int r0 = 0; // even/odd columns of dY rows 2i and 2i+1: four runs of tw
    for (int k = 0; k < t.k; k++) {
      for (int i = 0; i < t.th; i++) {
        int src = gOff + (k * t.p + 2 * i) * t.q;
        deinterleave(dy, src, t.q, s, r0, tw);
        if (2 * i + 1 < t.p) {
          deinterleave(dy, src + t.q, t.q, s, r0 + 2 * tw, tw);
        } else {
          java.util.Arrays.fill(s, r0 + 2 * tw, r0 + 4 * tw, 0f);
        }
        outputGradRow(s, r0, tw, dm, mOff + k * ld + i * tw, planeStride);
      }
    }
  }

  // s[e + j] = src[2j], s[e + tw + j] = src[2j + 1] (0 past len).
  private static void deinterleave(float[] src, int off, int len, float[] s, int e, int tw) {
    for (int j = 0; j < tw; j++) {
      s[e + j] = src[off + 2 * j];
      s[e + tw + j] = 2 * j + 1 < len ? src[off + 2 * j + 1] : 0f;
    }
  }

  // dM[a][b] = Σ A[a][p]·A[b][q]·dy[p][q], A = [1 0; 1 1; 1 −1; 0 −1].
  private static void outputGradRow(float[] s, int r0, int tw, float[] dm, int d, int ps) {
    int j = 0;
    for (int bound = S.loopBound(tw); j < bound; j += L) {
      FloatVector y00 = FloatVector.fromArray(S, s, r0 + j);
      FloatVector y01 = FloatVector.fromArray(S, s, r0 + tw + j);
      FloatVector y10 = FloatVector.fromArray(S, s, r0 + 2 * tw + j);
      FloatVector y11 = FloatVector.fromArray(S, s, r0 + 3 * tw + j);
      // Columns: (y0, y0 + y1, y0 − y1, −y1) for each of the 2 rows.
      FloatVector c00 = y00;
      FloatVector c01 = y00.add(y01);
      FloatVector c02 = y00.sub(y01);
      FloatVector c03 = y01.neg();
      FloatVector c10 = y10;
      FloatVector c11 = y10.add(y11);
      FloatVector c12 = y10.sub(y11);
      FloatVector c13 = y11.neg();
      storeRows(c00, c10, dm, d + j, ps, 0);
      storeRows(c01, c11, dm, d + j, ps, 1);
      storeRows(c02, c12, dm, d + j, ps, 2);
      storeRows(c03, c13, dm, d + j, ps, 3);
    }
    for (; j < tw; j++) {
      float y00 = s[r0 + j];
      float y01 = s[r0 + tw + j];
      float y10 = s[r0 + 2 * tw + j];
      float y11 = s[r0 + 3 * tw + j];
      storeRows(y00, y10, dm, d + j, ps, 0);
      storeRows(y00 + y01, y10 + y11, dm, d + j, ps, 1);
      storeRows(y00 - y01, y10 - y11, dm, d + j, ps, 2);
      storeRows(-y01, -y11, dm, d + j, ps, 3);
    }
  }

  private static void storeRows(float c0, float c1, float[] dm, int o, int ps, int b) {
    dm[o + b * ps] = c0;
    dm[o + (4 + b) * ps] = c0 + c1;
    dm[o + (8 + b) * ps] = c0 - c1;
    dm[o + (12 + b) * ps] = -c1;
  }

  // Rows of A over (c0, c1): dM[0][b] = c0, dM[1][b] = c0 + c1, dM[2][b] = c0 − c1, dM[3][b] = −c1.
  private static void storeRows(FloatVector c0, FloatVector c1, float[] dm, int o, int ps, int b) {
    c0.intoArray(dm, o + b * ps);
    c0.add(c1).intoArray(dm, o + (4 + b) * ps);
    c0.sub(c1).intoArray(dm, o + (8 + b) * ps);
    c1.neg().intoArray(dm, o + (12 + b) * ps);
  }

  /**
   * dV (16, C, ld) at dv[vOff + tile] into one image's dX (C, H, W) at xOff, overwritten: each
   * patch's B dV Bᵀ, added where patches overlap (in tile order), padding dropped.
   */
  static void inputGrad(Tiles t, float[] dv, int vOff, int ld, float[] dx, int xOff, float[] s) {
    int tw = t.tw;
    int rs = 4 * tw;
    int row = t.rows * rs; // one padded row's 4 runs of dd, then the row itself
    int padded = row + rs;
    int plane = t.h * t.w;
    for (int ch = 0; ch < t.c; ch++) {
      for (int i = 0; i < t.th; i++) {
        verticalGrad(dv, vOff + ch * ld + i * tw, t.c * ld, s, 2 * i * rs, tw, i == 0);
      }
      for (int pr = 0; pr < t.rows; pr++) {
        int dst = pr - t.g.padH();
        if (dst < 0 || dst >= t.h) {
          continue;
        }
        horizontalGrad(s, pr * rs, tw, s, row, padded);
        int n = Math.min(t.w, t.rowLen - t.g.padW());
        System.arraycopy(s, padded + t.g.padW(), dx, xOff + ch * plane + dst * t.w, n);
      }
    }
  }

  // Bᵀ's transpose over one tile row: padded rows 2i..2i+3 of h get dh_a = (dv0, dv1 − dv2 + dv3,
  // dv1 + dv2 − dv0, −dv3); rows 2i, 2i+1 add to what tile row i−1 left, rows 2i+2, 2i+3 are set.
  private static void verticalGrad(
      float[] dv, int vOff, int ps, float[] h, int hOff, int tw, boolean first) {
    int rs = 4 * tw;
    for (int b = 0; b < 4; b++) {
      int r0 = hOff + b * tw;
      int j = 0;
      for (int bound = S.loopBound(tw); j < bound; j += L) {
        FloatVector v0 = FloatVector.fromArray(S, dv, vOff + b * ps + j);
        FloatVector v1 = FloatVector.fromArray(S, dv, vOff + (4 + b) * ps + j);
        FloatVector v2 = FloatVector.fromArray(S, dv, vOff + (8 + b) * ps + j);
        FloatVector v3 = FloatVector.fromArray(S, dv, vOff + (12 + b) * ps + j);
        FloatVector d1 = v1.sub(v2).add(v3);
        if (first) {
          v0.intoArray(h, r0 + j);
          d1.intoArray(h, r0 + rs + j);
        } else {
          FloatVector.fromArray(S, h, r0 + j).add(v0).intoArray(h, r0 + j);
          FloatVector.fromArray(S, h, r0 + rs + j).add(d1).intoArray(h, r0 + rs + j);
        }
        v1.add(v2).sub(v0).intoArray(h, r0 + 2 * rs + j);
        v3.neg().intoArray(h, r0 + 3 * rs + j);
      }
      for (; j < tw; j++) {
        float v0 = dv[vOff + b * ps + j];
        float v1 = dv[vOff + (4 + b) * ps + j];
        float v2 = dv[vOff + (8 + b) * ps + j];
        float v3 = dv[vOff + (12 + b) * ps + j];
        float d1 = v1 - v2 + v3;
        if (first) {
          h[r0 + j] = v0;
          h[r0 + rs + j] = d1;
        } else {
          h[r0 + j] = h[r0 + j] + v0;
          h[r0 + rs + j] = h[r0 + rs + j] + d1;
        }
        h[r0 + 2 * rs + j] = v1 + v2 - v0;
        h[r0 + 3 * rs + j] = -v3;
      }
    }
  }

  // One padded row from its 4 runs dh_b: dd = (dh0, dh1 − dh2 + dh3, dh1 + dh2 − dh0, −dh3) per
  // patch, then even column j = dd0[j] + dd2[j−1] and odd column j = dd1[j] + dd3[j−1].
  private static void horizontalGrad(float[] h, int hOff, int tw, float[] s, int dd, int padded) {
    int j = 0;
    for (int bound = S.loopBound(tw); j < bound; j += L) {
      FloatVector h0 = FloatVector.fromArray(S, h, hOff + j);
      FloatVector h1 = FloatVector.fromArray(S, h, hOff + tw + j);
      FloatVector h2 = FloatVector.fromArray(S, h, hOff + 2 * tw + j);
      FloatVector h3 = FloatVector.fromArray(S, h, hOff + 3 * tw + j);
      h0.intoArray(s, dd + j);
      h1.sub(h2).add(h3).intoArray(s, dd + tw + j);
      h1.add(h2).sub(h0).intoArray(s, dd + 2 * tw + j);
      h3.neg().intoArray(s, dd + 3 * tw + j);
    }
    for (; j < tw; j++) {
      float h0 = h[hOff + j];
      float h1 = h[hOff + tw + j];
      float h2 = h[hOff + 2 * tw + j];
      float h3 = h[hOff + 3 * tw + j];
      s[dd + j] = h0;
      s[dd + tw + j] = h1 - h2 + h3;
      s[dd + 2 * tw + j] = h1 + h2 - h0;
      s[dd + 3 * tw + j] = -h3;
    }
    s[padded] = s[dd];
    s[padded + 1] = s[dd + tw];
    for (j = 1; j < tw; j++) {
      s[padded + 2 * j] = s[dd + j] + s[dd + 2 * tw + j - 1];
      s[padded + 2 * j + 1] = s[dd + tw + j] + s[dd + 3 * tw + j - 1];
    }
    s[padded + 2 * tw] = s[dd + 2 * tw + tw - 1];
    s[padded + 2 * tw + 1] = s[dd + 3 * tw + tw - 1];
  }
}
