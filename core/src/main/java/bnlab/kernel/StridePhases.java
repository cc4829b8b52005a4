package bnlab.kernel;

import java.util.Arrays;

/**
 * A stride-2 convolution as a stride-1 one over the input's four phases, for {@link
 * ConvStrategy#PHASES}.
 *
 * <p>With x̃ the zero-padded input, output (p, q) reads x̃[2p + r, 2q + s] for the taps (r, s).
 * Split x̃ into its phases x̃_ab[u, v] = x̃[2u + a, 2v + b] (a, b ∈ {0, 1}); then 2p + r = 2(p +
 * ⌊r/2⌋) + r mod 2, so tap (r, s) reads phase (r mod 2, s mod 2) at (p + ⌊r/2⌋, q + ⌊s/2⌋): a
 * stride-1, unpadded convolution of the phases (4·C planes of Hh × Wh, Hh = P + ⌈R/2⌉ − 1, Wh = Q +
 * ⌈S/2⌉ − 1) with ⌈R/2⌉ × ⌈S/2⌉ kernels, of which only the C·R·S taps of the original kernel exist
 * (9 of 16 per channel for 3×3). {@link DirectConv.Layout} runs it over that tap list ({@link
 * #offsets}), in the original weight's column order, so the forward and the weight gradient take
 * the weight and give its gradient as they are. The input is copied once (its phases) instead of
 * being unfolded into C·R·S / 4 shifted copies as im2col does.
 *
 * <p>The input gradient is the phases' gradient: for phase (a, b) a stride-1 convolution of dY,
 * zero-padded by ⌈R/2⌉ − 1 rows and ⌈S/2⌉ − 1 columns, with the flipped taps r ≡ a, s ≡ b (4, 2, 2
 * and 1 taps per output channel for 3×3), giving the gradient of x̃_ab; the phases are then
 * interleaved back into dX, the padding dropped.
 *
 * <p>Phases are stored phase-major: phase φ = 2a + b, channel c, at (φ·C + c)·Hh·Wh.
 */
final class StridePhases {
  private StridePhases() {}

  /** Whether g is a stride-2 convolution this form computes: stride 2 in both directions. */
  static boolean applies(ConvGeometry g) {
    return g.strideH() == 2 && g.strideW() == 2;
  }

  /** Phase plane height: P + ⌈R/2⌉ − 1 rows. */
  static int height(ConvGeometry g) {
    return g.outH() + (g.kernelH() + 1) / 2 - 1;
  }

  /** Phase plane width: Q + ⌈S/2⌉ − 1 columns. */
  static int width(ConvGeometry g) {
    return g.outW() + (g.kernelW() + 1) / 2 - 1;
  }

  /**
   * The stride-1 convolution over the phases: 4·C channels of {@link #height} × {@link #width},
   * ⌈R/2⌉ × ⌈S/2⌉ kernels, no padding; its output is g's, (K, P, Q).
   */
  static ConvGeometry phased(ConvGeometry g) {
    return new ConvGeometry(
        4 * g.channels(),
        height(g),
        width(g),
        g.outChannels(),
        (g.kernelH() + 1) / 2,
        (g.kernelW() + 1) / 2,
        1,
        1,
        0,
        0);
  }

  /** Offset of tap (c, r, s) in the phases, for every tap of g in the weight's order. */
  static int[] offsets(ConvGeometry g) {
    int cc = g.channels();
    int hh = height(g);
    int wh = width(g);
    int[] off = new int[g.crs()];
    int i = 0;
    for (int c = 0; c < cc; c++) {
      for (int r = 0; r < g.kernelH(); r++) {
        for (int s = 0; s < g.kernelW(); s++) {
          int phase = 2 * (r & 1) + (s & 1);
          off[i++] = ((phase * cc + c) * hh + r / 2) * wh + s / 2;
        }
      }
    }
    return off;
  }

  /**
   * Image x at xOff (C, H, W) into its four padded phases at dst[dOff] ({@link #phased}'s input
   * size), every element written: the padding and what lies past the input as zeros.
   */
  static void split(ConvGeometry g, float[] x, int xOff, float[] dst, int dOff) {
    int cc = g.channels();
    int h = g.height();
    int w = g.width();
    int hh = height(g);
    int wh = width(g);
    int pw = g.padW();
    // Input column j is padded column j + padW: phase (j + padW) mod 2, column ⌊(j + padW)/2⌋.
    // The even columns go to phase b0 from v0, the odd ones to phase 1 − b0 from v1.
    int b0 = pw & 1;
    int v0 = pw >> 1;
    int v1 = (pw + 1) >> 1;
    int evens = (w + 1) / 2;
    int odds = w / 2;
    if (v0 + evens > wh || v1 + odds > wh) {
      splitByPhases(g, x, xOff, dst, dOff);
      return;
    }
    int plane = hh * wh;
    for (int a = 0; a < 2; a++) {
      for (int c = 0; c < cc; c++) {
        int even = dOff + ((2 * a + b0) * cc + c) * plane;
        int odd = dOff + ((2 * a + 1 - b0) * cc + c) * plane;
        for (int u = 0; u < hh; u++, even += wh, odd += wh) {
          int i = 2 * u + a - g.padH();
          if (i < 0 || i >= h) {
            Arrays.fill(dst, even, even + wh, 0f);
            Arrays.fill(dst, odd, odd + wh, 0f);
            continue;
          }
          int src = xOff + (c * h + i) * w;
          zero(dst, even, even + v0);
          zero(dst, odd, odd + v1);
          VectorInterleave.split(x, src, odds, dst, even + v0, odd + v1);
          if (evens > odds) {
            dst[even + v0 + odds] = x[src + w - 1];
          }
          zero(dst, even + v0 + evens, even + wh);
          zero(dst, odd + v1 + odds, odd + wh);
        }
      }
    }
  }

  // The padding's columns: none to a few per row, four runs a row, so a loop rather than a call.
  private static void zero(float[] a, int from, int to) {
    for (int i = from; i < to; i++) {
      a[i] = 0f;
    }
  }

  // split phase by phase, for geometries whose last columns no output reads (they lie past the
  // phases' rows).
  private static void splitByPhases(ConvGeometry g, float[] x, int xOff, float[] dst, int dOff) {
    int cc = g.channels();
    int h = g.height();
    int w = g.width();
    int hh = height(g);
    int wh = width(g);
    for (int phase = 0; phase < 4; phase++) {
      int a = phase >> 1;
      int b = phase & 1;
      // Columns v whose input column 2v + b − padW lies in [0, W): [v0, v1).
      int v0 = Math.min(wh, Math.max(0, (g.padW() - b + 1) / 2));
      int last = w - 1 - b + g.padW();
      int v1 = last < 0 ? v0 : Math.clamp(last / 2 + 1, v0, wh);
      for (int c = 0; c < cc; c++) {
        int plane = dOff + (phase * cc + c) * hh * wh;
        for (int u = 0; u < hh; u++) {
          int row = plane + u * wh;
          int i = 2 * u + a - g.padH();
          if (i < 0 || i >= h || v0 >= v1) {
            Arrays.fill(dst, row, row + wh, 0f);
            continue;
          }
          Arrays.fill(dst, row, row + v0, 0f);
          int src = xOff + (c * h + i) * w + 2 * v0 + b - g.padW();
          VectorInterleave.evens(x, src, v1 - v0, dst, row + v0, xOff + (c * h + i + 1) * w);
          Arrays.fill(dst, row + v1, row + wh, 0f);
        }
      }
    }
  }

  /**
   * The input gradient of one phase: dY (K, P, Q) zero-padded by ⌈R/2⌉ − 1 rows and ⌈S/2⌉ − 1
   * columns ({@link #padGradient}), convolved with stride 1 into C planes of Hh × Wh.
   */
  static ConvGeometry gradient(ConvGeometry g) {
    int eh = (g.kernelH() + 1) / 2 - 1;
    int ew = (g.kernelW() + 1) / 2 - 1;
    return new ConvGeometry(
        g.outChannels(),
        g.outH() + 2 * eh,
        g.outW() + 2 * ew,
        g.channels(),
        eh + 1,
        ew + 1,
        1,
        1,
        0,
        0);
  }

  /** Taps of phase (a, b) = phase per output channel of the gradient: the r ≡ a, s ≡ b of g. */
  static int taps(ConvGeometry g, int phase) {
    int a = phase >> 1;
    int b = phase & 1;
    return g.outChannels() * ((g.kernelH() - a + 1) / 2) * ((g.kernelW() - b + 1) / 2);
  }

  /**
   * The offsets in the padded dY ({@link #gradient}'s input) of phase φ's taps, in the order of
   * {@link #gradientWeight}'s columns: k, then r = a, a + 2, ..., then s = b, b + 2, ...; tap (k,
   * r, s) reads dY[k, u − ⌊r/2⌋, v − ⌊s/2⌋] for phase element (u, v).
   */
  static int[] gradientOffsets(ConvGeometry g, int phase) {
    ConvGeometry gg = gradient(g);
    int a = phase >> 1;
    int b = phase & 1;
    int eh = gg.kernelH() - 1;
    int ew = gg.kernelW() - 1;
    int[] off = new int[taps(g, phase)];
    int i = 0;
    for (int k = 0; k < g.outChannels(); k++) {
      for (int r = a; r < g.kernelH(); r += 2) {
        for (int s = b; s < g.kernelW(); s += 2) {
          off[i++] = (k * gg.height() + eh - r / 2) * gg.width() + ew - s / 2;
        }
      }
    }
    return off;
  }

  /** Phase φ's weight (C, taps) row-major: dst[c, (k, r, s)] = w[k, c, r, s] for its taps. */
  static void gradientWeight(ConvGeometry g, float[] w, int phase, float[] dst) {
    int a = phase >> 1;
    int b = phase & 1;
    int kk = g.outChannels();
    int cc = g.channels();
    int rr = g.kernelH();
    int ss = g.kernelW();
    int i = 0;
    for (int c = 0; c < cc; c++) {
      for (int k = 0; k < kk; k++) {
        for (int r = a; r < rr; r += 2) {
          for (int s = b; s < ss; s += 2) {
            dst[i++] = w[((k * cc + c) * rr + r) * ss + s];
          }
        }
      }
    }
  }

  /** dY of image t (K, P, Q) into {@link #gradient}'s zero-padded input at dst (all written). */
  static void padGradient(ConvGeometry g, float[] dy, int t, float[] dst) {
    ConvGeometry gg = gradient(g);
    int kk = g.outChannels();
    int p = g.outH();
    int q = g.outW();
    int eh = gg.kernelH() - 1;
    int ew = gg.kernelW() - 1;
    int ph = gg.height();
    int pw = gg.width();
    Arrays.fill(dst, 0, kk * ph * pw, 0f);
    for (int k = 0; k < kk; k++) {
      for (int r = 0; r < p; r++) {
        VectorArrays.copy(dy, ((t * kk + k) * p + r) * q, dst, (k * ph + r + eh) * pw + ew, q);
      }
    }
  }

  /**
   * The phases' gradients (phase-major, as {@link #split} lays the phases out) interleaved back
   * into dX at dxOff (C, H, W), the padding's dropped. Every input element is in exactly one phase.
   */
  static void merge(ConvGeometry g, float[] phases, float[] dx, int dxOff) {
    int cc = g.channels();
    int h = g.height();
    int w = g.width();
    int hh = height(g);
    int wh = width(g);
    int plane = hh * wh;
    // Input column j is padded column j + padW: phase (j + padW) mod 2, column ⌊(j + padW)/2⌋.
    int b0 = g.padW() & 1;
    int v0 = g.padW() >> 1;
    // Rows and columns past the phases (no output reads them, as in an unpadded layer whose
    // stride leaves the last ones out) have a zero gradient.
    int n = Math.clamp(2L * wh - g.padW(), 0, w);
    for (int c = 0; c < cc; c++) {
      for (int i = 0; i < h; i++) {
        int a = (i + g.padH()) & 1;
        int u = (i + g.padH()) >> 1;
        int d = dxOff + (c * h + i) * w;
        if (u >= hh) {
          Arrays.fill(dx, d, d + w, 0f);
          continue;
        }
        int even = ((2 * a + b0) * cc + c) * plane + u * wh + v0;
        int odd = ((2 * a + (1 - b0)) * cc + c) * plane + u * wh + v0 + b0;
        VectorInterleave.merge(phases, even, phases, odd, dx, d, n);
        zero(dx, d + n, d + w);
      }
    }
  }
}
