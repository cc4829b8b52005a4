package bnlab.kernel;

import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * The input gradient of an unpadded stride-1 convolution by taps: dX[c, o_t + i] += Σ_k W[k, c, t]
 * · dY_wide[k, i] for each tap t = (r, s) at o_t = r·W + s, where dY_wide is dY with its rows
 * widened to the input's width W (the extra columns zero), so that a tap's contribution is one
 * contiguous run added into the plane of dX.
 *
 * <p>Why: the other form, a direct convolution of the flipped weight over dY padded by R−1 rows and
 * S−1 columns on each side ({@link DirectConv#inputGradient}), multiplies every zero of that
 * border. For the article's second layer (16→6 channels of 14×14 from 10×10, 5×5) it computes 2.0
 * times the useful products even after {@link DirectConv.Bands} skips the kernel rows that meet
 * only zeros; by taps it computes 1.44 times them (the wide rows' W−Q extra columns and the run
 * rounded up).
 *
 * <p>Summation order: each tap's sum over k runs in float from zero in k order, and the taps' sums
 * are added into dX in tap order. A register tile holds a few channels × a few vectors of positions
 * of one tap, so the blocking changes which registers hold a sum but not its order; the positions
 * computed, the wide run rounded up to a multiple of 16, are the same at every width. So the bits
 * do not depend on the vector width or the thread count (each image is computed by one thread). The
 * positions past a row's end or past the run add exact zeros (+0, since every sum starts from +0)
 * into dX, which changes no value.
 */
final class TapsGradient {
  /** Positions are rounded up to a multiple of this, the widest vector's lanes. */
  private static final int ROUND = 16;

  /** Channels × vectors of one tile: 3 × 9 with 32 registers (27 sums), 2 × 6 with 16 (12). */
  private static final boolean WIDE_TILE = VectorWidth.REGISTERS >= 32;

  private TapsGradient() {}

  /**
   * {@code -Dbnlab.directInputGrad=auto|gather}: the rule ({@link #applies}) or the padded
   * convolution everywhere, for measuring one against the other (the bits differ between them).
   */
  static final String MODE = KernelSwitch.read("bnlab.directInputGrad", "auto", "gather");

  /**
   * Whether g's input gradient runs by taps: stride 1 without padding and a kernel of at least 3
   * rows or columns, where the padded form's border is two or more zeros wide. Depends on the
   * geometry only, never on the vector width.
   */
  static boolean applies(ConvGeometry g) {
    return g.strideH() == 1
        && g.strideW() == 1
        && g.padH() == 0
        && g.padW() == 0
        && Math.max(g.kernelH(), g.kernelW()) >= 3
        && !MODE.equals("gather");
  }

  /** Positions per channel of the wide dY: (P−1)·W + Q, rounded up to a multiple of 16. */
  static int span(ConvGeometry g) {
    int wide = (g.outH() - 1) * g.width() + g.outW();
    return (wide + ROUND - 1) / ROUND * ROUND;
  }

  /** Floats per wide dY: K·span. */
  static int dySize(ConvGeometry g) {
    return g.outChannels() * span(g);
  }

  /** Pitch of a plane of the dX scratch: room for the last tap's run past its offset. */
  static int pitch(ConvGeometry g) {
    int last = (g.kernelH() - 1) * g.width() + g.kernelW() - 1;
    return Math.max(g.height() * g.width(), last + span(g));
  }

  /** Floats of the dX scratch: C planes. */
  static int dxSize(ConvGeometry g) {
    return g.channels() * pitch(g);
  }

  /** W (K, C, R, S) → wt[(t·C + c)·K + k], so that a tile's weights of one tap lie in rows. */
  static void packWeight(ConvGeometry g, float[] w, float[] wt) {
    int kk = g.outChannels();
    int cc = g.channels();
    int taps = g.kernelH() * g.kernelW();
    for (int k = 0; k < kk; k++) {
      for (int c = 0; c < cc; c++) {
        int src = (k * cc + c) * taps;
        for (int t = 0; t < taps; t++) {
          wt[(t * cc + c) * kk + k] = w[src + t];
        }
      }
    }
  }

  /**
   * Clears the wide dY: its extra columns and its run's tail stay zero while {@link #inputGradient}
   * writes only dY's values.
   */
  static void begin(ConvGeometry g, float[] dyWide) {
    java.util.Arrays.fill(dyWide, 0, dySize(g), 0f);
  }

  /**
   * dX of one image at dx[dxOff] (overwritten) from its dY at dy[dyOff], with the packed weight wt,
   * the wide dY scratch (cleared by {@link #begin}) and the dX scratch ({@link #dxSize}).
   */
  static void inputGradient(
      ConvGeometry g,
      float[] dy,
      int dyOff,
      float[] wt,
      float[] dyWide,
      float[] planes,
      float[] dx,
      int dxOff) {
    int kk = g.outChannels();
    int cc = g.channels();
    int p = g.outH();
    int q = g.outW();
    int w = g.width();
    int span = span(g);
    for (int k = 0; k < kk; k++) {
      for (int r = 0; r < p; r++) {
        VectorArrays.copy(dy, dyOff + (k * p + r) * q, dyWide, k * span + r * w, q);
      }
    }
    int pitch = pitch(g);
    java.util.Arrays.fill(planes, 0, cc * pitch, 0f);
    int nv = span / L;
    int cb = WIDE_TILE ? 3 : 2;
    int vb = WIDE_TILE ? 9 : 6;
    for (int t = 0, taps = g.kernelH() * g.kernelW(); t < taps; t++) {
      int o = t / g.kernelW() * w + t % g.kernelW();
      int c = 0;
      for (; c + cb <= cc; c += cb) {
        int w0 = (t * cc + c) * kk;
        int d0 = c * pitch + o;
        int v = 0;
        for (; v + vb <= nv; v += vb) {
          if (WIDE_TILE) {
            tile3x9(kk, dyWide, span, v * L, wt, w0, planes, d0 + v * L, pitch);
          } else {
            tile2x6(kk, dyWide, span, v * L, wt, w0, planes, d0 + v * L, pitch);
          }
        }
        for (; v < nv; v++) {
          for (int j = 0; j < cb; j++) {
            tile1x1(kk, dyWide, span, v * L, wt, w0 + j * kk, planes, d0 + j * pitch + v * L);
          }
        }
      }
      for (; c < cc; c++) {
        int w0 = (t * cc + c) * kk;
        int d0 = c * pitch + o;
        for (int v = 0; v < nv; v++) {
          tile1x1(kk, dyWide, span, v * L, wt, w0, planes, d0 + v * L);
        }
      }
    }
    int hw = g.height() * w;
    for (int c = 0; c < cc; c++) {
      VectorArrays.copy(planes, c * pitch, dx, dxOff + c * hw, hw);
    }
  }

  // One channel, one vector: the tails.
  private static void tile1x1(
      int kk, float[] y, int span, int i, float[] wt, int w0, float[] dx, int d0) {
    FloatVector a = FloatVector.zero(S);
    for (int k = 0, yi = i; k < kk; k++, yi += span) {
      a = FloatVector.broadcast(S, wt[w0 + k]).fma(FloatVector.fromArray(S, y, yi), a);
    }
    FloatVector.fromArray(S, dx, d0).add(a).intoArray(dx, d0);
  }

  // Two channels × six vectors: 12 sums, a dY vector and two weights in 16 registers.
  private static void tile2x6(
      int kk, float[] y, int span, int i, float[] wt, int w0, float[] dx, int d0, int pitch) {
    FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0;
    for (int k = 0, yi = i; k < kk; k++, yi += span) {
      FloatVector u = FloatVector.broadcast(S, wt[w0 + k]);
      FloatVector z = FloatVector.broadcast(S, wt[w0 + kk + k]);
      FloatVector x = FloatVector.fromArray(S, y, yi);
      a0 = u.fma(x, a0);
      b0 = z.fma(x, b0);
      x = FloatVector.fromArray(S, y, yi + L);
      a1 = u.fma(x, a1);
      b1 = z.fma(x, b1);
      x = FloatVector.fromArray(S, y, yi + 2 * L);
      a2 = u.fma(x, a2);
      b2 = z.fma(x, b2);
      x = FloatVector.fromArray(S, y, yi + 3 * L);
      a3 = u.fma(x, a3);
      b3 = z.fma(x, b3);
      x = FloatVector.fromArray(S, y, yi + 4 * L);
      a4 = u.fma(x, a4);
      b4 = z.fma(x, b4);
      x = FloatVector.fromArray(S, y, yi + 5 * L);
      a5 = u.fma(x, a5);
      b5 = z.fma(x, b5);
    }
    int e0 = d0 + pitch;
    FloatVector.fromArray(S, dx, d0).add(a0).intoArray(dx, d0);
    FloatVector.fromArray(S, dx, d0 + L).add(a1).intoArray(dx, d0 + L);
    FloatVector.fromArray(S, dx, d0 + 2 * L).add(a2).intoArray(dx, d0 + 2 * L);
    FloatVector.fromArray(S, dx, d0 + 3 * L).add(a3).intoArray(dx, d0 + 3 * L);
    FloatVector.fromArray(S, dx, d0 + 4 * L).add(a4).intoArray(dx, d0 + 4 * L);
    FloatVector.fromArray(S, dx, d0 + 5 * L).add(a5).intoArray(dx, d0 + 5 * L);
    FloatVector.fromArray(S, dx, e0).add(b0).intoArray(dx, e0);
    FloatVector.fromArray(S, dx, e0 + L).add(b1).intoArray(dx, e0 + L);
    FloatVector.fromArray(S, dx, e0 + 2 * L).add(b2).intoArray(dx, e0 + 2 * L);
    FloatVector.fromArray(S, dx, e0 + 3 * L).add(b3).intoArray(dx, e0 + 3 * L);
    FloatVector.fromArray(S, dx, e0 + 4 * L).add(b4).intoArray(dx, e0 + 4 * L);
    FloatVector.fromArray(S, dx, e0 + 5 * L).add(b5).intoArray(dx, e0 + 5 * L);
  }

  // Three channels × nine vectors: 27 sums, a dY vector and three weights in 32 registers.
  private static void tile3x9(
      int kk, float[] y, int span, int i, float[] wt, int w0, float[] dx, int d0, int pitch) {
    FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0;
    FloatVector a7 = a0, a8 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0;
    FloatVector b7 = a0, b8 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0, c4 = a0, c5 = a0, c6 = a0;
    FloatVector c7 = a0, c8 = a0;
    for (int k = 0, yi = i; k < kk; k++, yi += span) {
      FloatVector u = FloatVector.broadcast(S, wt[w0 + k]);
      FloatVector v = FloatVector.broadcast(S, wt[w0 + kk + k]);
      FloatVector z = FloatVector.broadcast(S, wt[w0 + 2 * kk + k]);
      FloatVector x = FloatVector.fromArray(S, y, yi);
      a0 = u.fma(x, a0);
      b0 = v.fma(x, b0);
      c0 = z.fma(x, c0);
      x = FloatVector.fromArray(S, y, yi + L);
      a1 = u.fma(x, a1);
      b1 = v.fma(x, b1);
      c1 = z.fma(x, c1);
      x = FloatVector.fromArray(S, y, yi + 2 * L);
      a2 = u.fma(x, a2);
      b2 = v.fma(x, b2);
      c2 = z.fma(x, c2);
      x = FloatVector.fromArray(S, y, yi + 3 * L);
      a3 = u.fma(x, a3);
      b3 = v.fma(x, b3);
      c3 = z.fma(x, c3);
      x = FloatVector.fromArray(S, y, yi + 4 * L);
      a4 = u.fma(x, a4);
      b4 = v.fma(x, b4);
      c4 = z.fma(x, c4);
      x = FloatVector.fromArray(S, y, yi + 5 * L);
      a5 = u.fma(x, a5);
      b5 = v.fma(x, b5);
      c5 = z.fma(x, c5);
      x = FloatVector.fromArray(S, y, yi + 6 * L);
      a6 = u.fma(x, a6);
      b6 = v.fma(x, b6);
      c6 = z.fma(x, c6);
      x = FloatVector.fromArray(S, y, yi + 7 * L);
      a7 = u.fma(x, a7);
      b7 = v.fma(x, b7);
      c7 = z.fma(x, c7);
      x = FloatVector.fromArray(S, y, yi + 8 * L);
      a8 = u.fma(x, a8);
      b8 = v.fma(x, b8);
      c8 = z.fma(x, c8);
    }
    // Stores written out: helper calls that C2 did not inline boxed the sums (7× slower).
    int e0 = d0 + pitch;
    int f0 = e0 + pitch;
    FloatVector.fromArray(S, dx, d0).add(a0).intoArray(dx, d0);
    FloatVector.fromArray(S, dx, d0 + L).add(a1).intoArray(dx, d0 + L);
    FloatVector.fromArray(S, dx, d0 + 2 * L).add(a2).intoArray(dx, d0 + 2 * L);
    FloatVector.fromArray(S, dx, d0 + 3 * L).add(a3).intoArray(dx, d0 + 3 * L);
    FloatVector.fromArray(S, dx, d0 + 4 * L).add(a4).intoArray(dx, d0 + 4 * L);
    FloatVector.fromArray(S, dx, d0 + 5 * L).add(a5).intoArray(dx, d0 + 5 * L);
    FloatVector.fromArray(S, dx, d0 + 6 * L).add(a6).intoArray(dx, d0 + 6 * L);
    FloatVector.fromArray(S, dx, d0 + 7 * L).add(a7).intoArray(dx, d0 + 7 * L);
    FloatVector.fromArray(S, dx, d0 + 8 * L).add(a8).intoArray(dx, d0 + 8 * L);
    FloatVector.fromArray(S, dx, e0).add(b0).intoArray(dx, e0);
    FloatVector.fromArray(S, dx, e0 + L).add(b1).intoArray(dx, e0 + L);
    FloatVector.fromArray(S, dx, e0 + 2 * L).add(b2).intoArray(dx, e0 + 2 * L);
    FloatVector.fromArray(S, dx, e0 + 3 * L).add(b3).intoArray(dx, e0 + 3 * L);
    FloatVector.fromArray(S, dx, e0 + 4 * L).add(b4).intoArray(dx, e0 + 4 * L);
    FloatVector.fromArray(S, dx, e0 + 5 * L).add(b5).intoArray(dx, e0 + 5 * L);
    FloatVector.fromArray(S, dx, e0 + 6 * L).add(b6).intoArray(dx, e0 + 6 * L);
    FloatVector.fromArray(S, dx, e0 + 7 * L).add(b7).intoArray(dx, e0 + 7 * L);
    FloatVector.fromArray(S, dx, e0 + 8 * L).add(b8).intoArray(dx, e0 + 8 * L);
    FloatVector.fromArray(S, dx, f0).add(c0).intoArray(dx, f0);
    FloatVector.fromArray(S, dx, f0 + L).add(c1).intoArray(dx, f0 + L);
    FloatVector.fromArray(S, dx, f0 + 2 * L).add(c2).intoArray(dx, f0 + 2 * L);
    FloatVector.fromArray(S, dx, f0 + 3 * L).add(c3).intoArray(dx, f0 + 3 * L);
    FloatVector.fromArray(S, dx, f0 + 4 * L).add(c4).intoArray(dx, f0 + 4 * L);
    FloatVector.fromArray(S, dx, f0 + 5 * L).add(c5).intoArray(dx, f0 + 5 * L);
    FloatVector.fromArray(S, dx, f0 + 6 * L).add(c6).intoArray(dx, f0 + 6 * L);
    FloatVector.fromArray(S, dx, f0 + 7 * L).add(c7).intoArray(dx, f0 + 7 * L);
    FloatVector.fromArray(S, dx, f0 + 8 * L).add(c8).intoArray(dx, f0 + 8 * L);
  }
}
