package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The direct convolution's weight gradient as outer products, for layers with a multiple of 16
 * output channels (the article's second layer, resnet20's stem and first stage, vgg's first): dW[k,
 * crs] = Σ_images Σ_o dY[k, o] · x[rowOff[crs] + o] over the wide positions o of {@link
 * DirectConv}, with dY first transposed into rows of 16 channels per position (junk columns zero).
 * A register tile holds 4 taps × 2 vectors of output channels (8 × 2 where there are 32 registers);
 * per position it loads two dY vectors and broadcasts four inputs for 8 multiply-adds, where {@link
 * DirectConv#weightGradImages}'s dot products (vectors along positions) load six vectors for eight
 * and read each wide row twice with 256-bit registers.
 *
 * <p>Summation order: each weight's sum over one image's positions runs in position order from
 * zero, in float (the FMAs of one lane; the vectors run along output channels, so a lane's work is
 * the same at 128, 256 and 512 bits); the images' sums are added in image order in double, and a
 * chunk's partial is that double rounded to float. So the bits do not depend on the vector width,
 * the thread count or the blocking of positions, and each float sum runs over one image only (1,088
 * terms at 32×32) where the dot products' 16 partial sums each ran over all of a chunk's images.
 */
final class DirectWeightGrad {
  private static final VectorSpecies<Float> S = VectorGemm.S;
  private static final int L = VectorGemm.L;

  /**
   * Taps per group of tiles: two 4×2 tiles or one 8×1 ({@link #tile4x2}, {@link #tile8x1}); two
   * groups go through one 16×1 tile where it applies ({@link #SIXTEEN_TAPS}).
   */
  static final int MR = 8;

  /** Output channels per group of the transposed dY: one 512-bit vector. */
  private static final int G = 16;

  /**
   * Whether a tile's two vectors of output channels lie side by side in one group of the transposed
   * dY (2·L ≤ 16: 256- and 128-bit vectors), so that both are read at one index. With the second at
   * its own index the loop kept that index and its base on the stack: resnet20's 16→16 layer's sums
   * alone (one thread, AVX2, Zen 3, 21 alternating slices) ran at 71.8 GFLOP/s for one image and
   * 67.2 over 32 in turn, at one index 77.3 and 72.1.
   */
  private static final boolean ADJACENT = 2 * L <= G;

  /**
   * Positions per block: a block's dY rows (128 × 16 floats, 8 KB) and the inputs its taps meet
   * stay in L1 while every tile passes over them.
   */
  private static final int BLOCK = 128;

  private DirectWeightGrad() {}

  /**
   * Whether the outer products run the weight gradient of pl's convolution: wherever the output
   * channels are a multiple of 16 (unless {@link #MODE} says otherwise). The rule depends on the
   * geometry only, never on the vector width, so that every width sums in the same order.
   */
  static boolean applies(DirectConv.Layout pl) {
    return pl.g.outChannels() % G == 0 && !MODE.equals("dots");
  }

  /**
   * {@code -Dbnlab.directWeightGrad=auto|dots}: the rule ({@link #applies}) or the dot products
   * everywhere, for measuring one against the other (the bits differ between them).
   */
  static final String MODE = KernelSwitch.read("bnlab.directWeightGrad", "auto", "dots");

  /** Taps rounded up to whole groups of tiles; the extra taps read the image's first run. */
  static int crsPad(DirectConv.Layout pl) {
    return (pl.crs + MR - 1) / MR * MR;
  }

  /** The tap offsets padded to {@link #crsPad} (extra taps at offset 0). */
  static int[] offsets(DirectConv.Layout pl) {
    return java.util.Arrays.copyOf(pl.rowOff, crsPad(pl));
  }

  /**
   * Whether the sums run over the output's positions only ({@link #compact}): where the wide rows'
   * junk columns are a fifth or more of their positions. The article's second convolution (14-wide
   * rows, 10 outputs a row) summed 136 wide positions for 100 outputs, and its dY was transposed
   * into 144 (256-bit) or 160 (512-bit) rounded up to whole register tiles, every extra one a
   * multiply-add of zero. Junk positions add exact zeros to sums that start at +0 (which no sum of
   * products then turns into −0), so leaving them out moves no bit; the rule is for speed only.
   */
  static boolean compact(DirectConv.Layout pl) {
    long wide = (long) (pl.p - 1) * pl.g.width() + pl.q;
    return 5L * pl.p * pl.q <= 4 * wide;
  }

  /** Positions the sums run over: P·Q when compact, else the wide rows' widePad. */
  static int positions(DirectConv.Layout pl, boolean compact) {
    return compact ? pl.p * pl.q : pl.widePad;
  }

  /**
   * The tap offsets into {@link #shift}'s copies, padded to {@link #crsPad} (extra taps at 0): tap
   * (c, r, s) at s·C·H·Q + c·H·Q + r·Q, where output position p·Q + q meets x[c, p + r, q + s].
   */
  static int[] compactOffsets(DirectConv.Layout pl) {
    ConvGeometry g = pl.g;
    int hq = g.height() * pl.q;
    int[] off = new int[crsPad(pl)];
    int t = 0;
    for (int c = 0; c < g.channels(); c++) {
      for (int r = 0; r < g.kernelH(); r++) {
        for (int s = 0; s < g.kernelW(); s++) {
          off[t++] = (s * g.channels() + c) * hq + r * pl.q;
        }
      }
    }
    return off;
  }

  /** Floats of {@link #shift}'s copies: S·C·H·Q. */
  static int shiftedSize(DirectConv.Layout pl) {
    return pl.g.kernelW() * pl.g.channels() * pl.g.height() * pl.q;
  }

  /**
   * The image at xs[xb] (C, H, W) as S copies of its Q-wide windows: dst[((s·C + c)·H + h)·Q + q] =
   * x[c, h, q + s], so that each tap's inputs over the output positions are one contiguous run
   * ({@link #compactOffsets}).
   */
  static void shift(DirectConv.Layout pl, float[] xs, int xb, float[] dst) {
    ConvGeometry g = pl.g;
    int w = g.width();
    int q = pl.q;
    int rows = g.channels() * g.height();
    for (int s = 0; s < g.kernelW(); s++) {
      int d = s * rows * q;
      for (int row = 0; row < rows; row++) {
        VectorArrays.copy(xs, xb + row * w + s, dst, d + row * q, q);
      }
    }
  }

  /** Floats of one image's transposed dY ({@link #transpose}). */
  static int transposedSize(DirectConv.Layout pl) {
    return pl.widePad * pl.g.outChannels();
  }

  /** Floats of one image's tile sums: K per padded tap. */
  static int tileSize(DirectConv.Layout pl) {
    return crsPad(pl) * pl.g.outChannels();
  }

  /**
   * dY of the image at dy[dyOff] (K, P, Q) into dyT, in groups of 16 output channels (K/16, wide
   * positions, 16): dyT[(k/16·widePad + p·W + q)·16 + k mod 16] = dy[k, p, q], and zero at the junk
   * positions (written each call, so scratch may be reused); when {@code compact} ({@link
   * #compact}), over the outputs' positions: dyT[(k/16·P·Q + p·Q + q)·16 + k mod 16]. With the
   * groups' stride a constant, C2 checks the loops' indices once per loop instead of once per
   * element.
   */
  static void transpose(DirectConv.Layout pl, float[] dy, int dyOff, float[] dyT, boolean compact) {
    int kk = pl.g.outChannels();
    int p = pl.p;
    int q = pl.q;
    int pq = p * q;
    int ld = positions(pl, compact);
    // Over the outputs' positions (compact) a row is Q positions with no junk after it.
    int w = compact ? q : pl.g.width();
    for (int kg = 0; kg < kk; kg += G) {
      int base = kg * ld;
      for (int r = 0; r < p; r++) {
        int row = base + r * w * G;
        int s = 0;
        if (BLOCKS) {
          // Blocks of L channels × L positions transposed in registers.
          for (; s + L <= q; s += L) {
            for (int j = 0; j < G; j += L) {
              int src = dyOff + (kg + j) * pq + r * q + s;
              if (VectorInterleave.SIXTEEN) {
                VectorInterleave.transpose16(dy, src, pq, dyT, row + s * G + j, STEPS, 0);
              } else {
                VectorInterleave.transpose8(dy, src, pq, dyT, row + s * G + j, STEPS, 0);
              }
            }
          }
        }
        for (int j = 0; j < G; j++) {
          int s0 = dyOff + (kg + j) * pq + r * q;
          int d0 = row + j;
          for (int t = s; t < q; t++) {
            dyT[d0 + t * G] = dy[s0 + t];
          }
        }
        int junkEnd = r + 1 < p ? base + (r + 1) * w * G : base + ld * G;
        java.util.Arrays.fill(dyT, row + q * G, junkEnd, 0f);
      }
    }
  }

  /**
   * Whether {@link #transpose} moves blocks of L × L through registers ({@link
   * VectorInterleave#transpose8}, {@link VectorInterleave#transpose16}): 256- and 512-bit vectors.
   * Element by element it took 6.6% of resnet20's 16→16 layer's training step (one thread, 512
   * bits), two scattered accesses per element. Only values move: the same bits either way.
   */
  private static final boolean BLOCKS = VectorInterleave.EIGHT || VectorInterleave.SIXTEEN;

  /** Offsets of consecutive positions in dyT: s·G for s &lt; L. */
  private static final int[] STEPS = steps();

  private static int[] steps() {
    int[] steps = new int[L];
    for (int i = 0; i < L; i++) {
      steps[i] = i * G;
    }
    return steps;
  }

  /** Index in dyT of output channel k at position 0 (see {@link #transpose}). */
  private static int column(int k, int ld) {
    return (k / G) * ld * G + k % G;
  }

  /**
   * One image's sums into tile (padded taps, K), overwritten: tile[c·K + k] = Σ_o x[xb + off[c] +
   * o] · dY[k, o] over the {@link #positions} in order (dY as {@link #transpose} leaves it; when
   * compact, x as {@link #shift} leaves it and off from {@link #compactOffsets}).
   */
  static void image(
      DirectConv.Layout pl,
      int[] off,
      float[] xs,
      int xb,
      float[] dyT,
      float[] tile,
      boolean compact) {
    int kk = pl.g.outChannels();
    int ld = positions(pl, compact);
    int taps = off.length;
    for (int o0 = 0; o0 < ld; o0 += BLOCK) {
      int o1 = Math.min(ld, o0 + BLOCK);
      boolean first = o0 == 0;
      if (SIXTEEN_TAPS && kk == L) {
        int col0 = column(0, ld);
        int c = 0;
        for (; c + 2 * MR <= taps; c += 2 * MR) {
          tile16x1(off, xs, xb, c, dyT, col0, kk, tile, o0, o1, first);
        }
        for (; c < taps; c += MR) {
          tile8x1(off, xs, xb, c, dyT, col0, kk, 0, tile, o0, o1, first);
        }
        continue;
      }
      for (int c = 0; c < taps; c += MR) {
        int k = 0;
        for (; k + 2 * L <= kk; k += 2 * L) {
          int col0 = column(k, ld);
          int col1 = column(k + L, ld);
          if (SIXTEEN_TAPS) {
            tile8x2(off, xs, xb, c, dyT, col0, col1, kk, k, tile, o0, o1, first);
          } else {
            tile4x2(off, xs, xb, c, dyT, col0, col1, kk, k, tile, o0, o1, first);
            tile4x2(off, xs, xb, c + 4, dyT, col0, col1, kk, k, tile, o0, o1, first);
          }
        }
        if (k < kk) {
          tile8x1(off, xs, xb, c, dyT, column(k, ld), kk, k, tile, o0, o1, first);
        }
      }
    }
  }

  /**
   * 4 taps × 2 vectors of output channels: 8 accumulators, 2 dY vectors and the broadcasts, which
   * C2 issues all at once before the FMAs, in 16 registers (a 6×2 tile spilled two accumulators to
   * the stack).
   */
  private static void tile4x2(
      int[] off,
      float[] xs,
      int xb,
      int c,
      float[] dyT,
      int col0,
      int col1,
      int kk,
      int k,
      float[] tile,
      int o0,
      int o1,
      boolean first) {
    int t = c * kk + k;
    FloatVector a00, a01, a10, a11, a20, a21, a30, a31;
    if (first) {
      a00 = FloatVector.zero(S);
      a01 = a00;
      a10 = a00;
      a11 = a00;
      a20 = a00;
      a21 = a00;
      a30 = a00;
      a31 = a00;
    } else {
      a00 = FloatVector.fromArray(S, tile, t);
      a01 = FloatVector.fromArray(S, tile, t + L);
      a10 = FloatVector.fromArray(S, tile, t + kk);
      a11 = FloatVector.fromArray(S, tile, t + kk + L);
      a20 = FloatVector.fromArray(S, tile, t + 2 * kk);
      a21 = FloatVector.fromArray(S, tile, t + 2 * kk + L);
      a30 = FloatVector.fromArray(S, tile, t + 3 * kk);
      a31 = FloatVector.fromArray(S, tile, t + 3 * kk + L);
    }
    int x0 = xb + off[c];
    int x1 = xb + off[c + 1];
    int x2 = xb + off[c + 2];
    int x3 = xb + off[c + 3];
    for (int o = o0; o < o1; o++) {
      int d = col0 + o * G;
      FloatVector d0 = FloatVector.fromArray(S, dyT, d);
      FloatVector d1 = FloatVector.fromArray(S, dyT, ADJACENT ? d + L : col1 + o * G);
      FloatVector v = FloatVector.broadcast(S, xs[x0 + o]);
      a00 = v.fma(d0, a00);
      a01 = v.fma(d1, a01);
      v = FloatVector.broadcast(S, xs[x1 + o]);
      a10 = v.fma(d0, a10);
      a11 = v.fma(d1, a11);
      v = FloatVector.broadcast(S, xs[x2 + o]);
      a20 = v.fma(d0, a20);
      a21 = v.fma(d1, a21);
      v = FloatVector.broadcast(S, xs[x3 + o]);
      a30 = v.fma(d0, a30);
      a31 = v.fma(d1, a31);
    }
    a00.intoArray(tile, t);
    a01.intoArray(tile, t + L);
    a10.intoArray(tile, t + kk);
    a11.intoArray(tile, t + kk + L);
    a20.intoArray(tile, t + 2 * kk);
    a21.intoArray(tile, t + 2 * kk + L);
    a30.intoArray(tile, t + 3 * kk);
    a31.intoArray(tile, t + 3 * kk + L);
  }

  /**
   * The two {@link #tile4x2} of a group of 8 taps in one tile where there are 32 registers ({@link
   * #SIXTEEN_TAPS}): 16 accumulators, twice the chains the FMAs' latency needs. Each sum runs in
   * the same order as in the 4×2 tile.
   */
  private static void tile8x2(
      int[] off,
      float[] xs,
      int xb,
      int c,
      float[] dyT,
      int col0,
      int col1,
      int kk,
      int k,
      float[] tile,
      int o0,
      int o1,
      boolean first) {
    int t = c * kk + k;
    FloatVector a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71;
    if (first) {
      a00 = FloatVector.zero(S);
      a01 = a00;
      a10 = a00;
      a11 = a00;
      a20 = a00;
      a21 = a00;
      a30 = a00;
      a31 = a00;
      a40 = a00;
      a41 = a00;
      a50 = a00;
      a51 = a00;
      a60 = a00;
      a61 = a00;
      a70 = a00;
      a71 = a00;
    } else {
      a00 = FloatVector.fromArray(S, tile, t);
      a01 = FloatVector.fromArray(S, tile, t + L);
      a10 = FloatVector.fromArray(S, tile, t + kk);
      a11 = FloatVector.fromArray(S, tile, t + kk + L);
      a20 = FloatVector.fromArray(S, tile, t + 2 * kk);
      a21 = FloatVector.fromArray(S, tile, t + 2 * kk + L);
      a30 = FloatVector.fromArray(S, tile, t + 3 * kk);
      a31 = FloatVector.fromArray(S, tile, t + 3 * kk + L);
      a40 = FloatVector.fromArray(S, tile, t + 4 * kk);
      a41 = FloatVector.fromArray(S, tile, t + 4 * kk + L);
      a50 = FloatVector.fromArray(S, tile, t + 5 * kk);
      a51 = FloatVector.fromArray(S, tile, t + 5 * kk + L);
      a60 = FloatVector.fromArray(S, tile, t + 6 * kk);
      a61 = FloatVector.fromArray(S, tile, t + 6 * kk + L);
      a70 = FloatVector.fromArray(S, tile, t + 7 * kk);
      a71 = FloatVector.fromArray(S, tile, t + 7 * kk + L);
    }
    int x0 = xb + off[c];
    int x1 = xb + off[c + 1];
    int x2 = xb + off[c + 2];
    int x3 = xb + off[c + 3];
    int x4 = xb + off[c + 4];
    int x5 = xb + off[c + 5];
    int x6 = xb + off[c + 6];
    int x7 = xb + off[c + 7];
    for (int o = o0; o < o1; o++) {
      int d = col0 + o * G;
      FloatVector d0 = FloatVector.fromArray(S, dyT, d);
      FloatVector d1 = FloatVector.fromArray(S, dyT, ADJACENT ? d + L : col1 + o * G);
      FloatVector v = FloatVector.broadcast(S, xs[x0 + o]);
      a00 = v.fma(d0, a00);
      a01 = v.fma(d1, a01);
      v = FloatVector.broadcast(S, xs[x1 + o]);
      a10 = v.fma(d0, a10);
      a11 = v.fma(d1, a11);
      v = FloatVector.broadcast(S, xs[x2 + o]);
      a20 = v.fma(d0, a20);
      a21 = v.fma(d1, a21);
      v = FloatVector.broadcast(S, xs[x3 + o]);
      a30 = v.fma(d0, a30);
      a31 = v.fma(d1, a31);
      v = FloatVector.broadcast(S, xs[x4 + o]);
      a40 = v.fma(d0, a40);
      a41 = v.fma(d1, a41);
      v = FloatVector.broadcast(S, xs[x5 + o]);
      a50 = v.fma(d0, a50);
      a51 = v.fma(d1, a51);
      v = FloatVector.broadcast(S, xs[x6 + o]);
      a60 = v.fma(d0, a60);
      a61 = v.fma(d1, a61);
      v = FloatVector.broadcast(S, xs[x7 + o]);
      a70 = v.fma(d0, a70);
      a71 = v.fma(d1, a71);
    }
    a00.intoArray(tile, t);
    a01.intoArray(tile, t + L);
    a10.intoArray(tile, t + kk);
    a11.intoArray(tile, t + kk + L);
    a20.intoArray(tile, t + 2 * kk);
    a21.intoArray(tile, t + 2 * kk + L);
    a30.intoArray(tile, t + 3 * kk);
    a31.intoArray(tile, t + 3 * kk + L);
    a40.intoArray(tile, t + 4 * kk);
    a41.intoArray(tile, t + 4 * kk + L);
    a50.intoArray(tile, t + 5 * kk);
    a51.intoArray(tile, t + 5 * kk + L);
    a60.intoArray(tile, t + 6 * kk);
    a61.intoArray(tile, t + 6 * kk + L);
    a70.intoArray(tile, t + 7 * kk);
    a71.intoArray(tile, t + 7 * kk + L);
  }

  /**
   * Whether K of one vector (16 output channels at 512 bits) goes 16 taps at a time ({@link
   * #tile16x1}): 32 registers. With 8 accumulators the 8×1 tile ran at about 45% of the FMA peak
   * (one broadcast per multiply-add, and eight chains just covering its latency); with 16,
   * resnet20's training step (whose 16-channel layers sum this way) ran 1.015–1.036× faster in four
   * launches (two builds alternating in one process, AMD Zen 5, two threads), the Net's
   * 0.997–1.063×.
   */
  static final boolean SIXTEEN_TAPS = VectorWidth.TILE_ROWS == 8;

  /**
   * {@link #tile8x1} over 16 taps: 16 accumulators, so that the multiply-adds of one position
   * outnumber their latency twice over. Each sum runs in the same order as in the 8×1 tile.
   */
  private static void tile16x1(
      int[] off,
      float[] xs,
      int xb,
      int c,
      float[] dyT,
      int col0,
      int kk,
      float[] tile,
      int o0,
      int o1,
      boolean first) {
    int t = c * kk;
    FloatVector a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15;
    if (first) {
      a0 = FloatVector.zero(S);
      a1 = a0;
      a2 = a0;
      a3 = a0;
      a4 = a0;
      a5 = a0;
      a6 = a0;
      a7 = a0;
      a8 = a0;
      a9 = a0;
      a10 = a0;
      a11 = a0;
      a12 = a0;
      a13 = a0;
      a14 = a0;
      a15 = a0;
    } else {
      a0 = FloatVector.fromArray(S, tile, t);
      a1 = FloatVector.fromArray(S, tile, t + kk);
      a2 = FloatVector.fromArray(S, tile, t + 2 * kk);
      a3 = FloatVector.fromArray(S, tile, t + 3 * kk);
      a4 = FloatVector.fromArray(S, tile, t + 4 * kk);
      a5 = FloatVector.fromArray(S, tile, t + 5 * kk);
      a6 = FloatVector.fromArray(S, tile, t + 6 * kk);
      a7 = FloatVector.fromArray(S, tile, t + 7 * kk);
      a8 = FloatVector.fromArray(S, tile, t + 8 * kk);
      a9 = FloatVector.fromArray(S, tile, t + 9 * kk);
      a10 = FloatVector.fromArray(S, tile, t + 10 * kk);
      a11 = FloatVector.fromArray(S, tile, t + 11 * kk);
      a12 = FloatVector.fromArray(S, tile, t + 12 * kk);
      a13 = FloatVector.fromArray(S, tile, t + 13 * kk);
      a14 = FloatVector.fromArray(S, tile, t + 14 * kk);
      a15 = FloatVector.fromArray(S, tile, t + 15 * kk);
    }
    int x0 = xb + off[c];
    int x1 = xb + off[c + 1];
    int x2 = xb + off[c + 2];
    int x3 = xb + off[c + 3];
    int x4 = xb + off[c + 4];
    int x5 = xb + off[c + 5];
    int x6 = xb + off[c + 6];
    int x7 = xb + off[c + 7];
    int x8 = xb + off[c + 8];
    int x9 = xb + off[c + 9];
    int x10 = xb + off[c + 10];
    int x11 = xb + off[c + 11];
    int x12 = xb + off[c + 12];
    int x13 = xb + off[c + 13];
    int x14 = xb + off[c + 14];
    int x15 = xb + off[c + 15];
    for (int o = o0; o < o1; o++) {
      FloatVector d0 = FloatVector.fromArray(S, dyT, col0 + o * G);
      a0 = FloatVector.broadcast(S, xs[x0 + o]).fma(d0, a0);
      a1 = FloatVector.broadcast(S, xs[x1 + o]).fma(d0, a1);
      a2 = FloatVector.broadcast(S, xs[x2 + o]).fma(d0, a2);
      a3 = FloatVector.broadcast(S, xs[x3 + o]).fma(d0, a3);
      a4 = FloatVector.broadcast(S, xs[x4 + o]).fma(d0, a4);
      a5 = FloatVector.broadcast(S, xs[x5 + o]).fma(d0, a5);
      a6 = FloatVector.broadcast(S, xs[x6 + o]).fma(d0, a6);
      a7 = FloatVector.broadcast(S, xs[x7 + o]).fma(d0, a7);
      a8 = FloatVector.broadcast(S, xs[x8 + o]).fma(d0, a8);
      a9 = FloatVector.broadcast(S, xs[x9 + o]).fma(d0, a9);
      a10 = FloatVector.broadcast(S, xs[x10 + o]).fma(d0, a10);
      a11 = FloatVector.broadcast(S, xs[x11 + o]).fma(d0, a11);
      a12 = FloatVector.broadcast(S, xs[x12 + o]).fma(d0, a12);
      a13 = FloatVector.broadcast(S, xs[x13 + o]).fma(d0, a13);
      a14 = FloatVector.broadcast(S, xs[x14 + o]).fma(d0, a14);
      a15 = FloatVector.broadcast(S, xs[x15 + o]).fma(d0, a15);
    }
    a0.intoArray(tile, t);
    a1.intoArray(tile, t + kk);
    a2.intoArray(tile, t + 2 * kk);
    a3.intoArray(tile, t + 3 * kk);
    a4.intoArray(tile, t + 4 * kk);
    a5.intoArray(tile, t + 5 * kk);
    a6.intoArray(tile, t + 6 * kk);
    a7.intoArray(tile, t + 7 * kk);
    a8.intoArray(tile, t + 8 * kk);
    a9.intoArray(tile, t + 9 * kk);
    a10.intoArray(tile, t + 10 * kk);
    a11.intoArray(tile, t + 11 * kk);
    a12.intoArray(tile, t + 12 * kk);
    a13.intoArray(tile, t + 13 * kk);
    a14.intoArray(tile, t + 14 * kk);
    a15.intoArray(tile, t + 15 * kk);
  }

  /**
   * 8 taps × 1 vector of output channels, where K is one vector (16 with 512-bit registers): 8
   * accumulators for the FMAs' latency.
   */
  private static void tile8x1(
      int[] off,
      float[] xs,
      int xb,
      int c,
      float[] dyT,
      int col0,
      int kk,
      int k,
      float[] tile,
      int o0,
      int o1,
      boolean first) {
    int t = c * kk + k;
    FloatVector a00, a10, a20, a30, a40, a50, a60, a70;
    if (first) {
      a00 = FloatVector.zero(S);
      a10 = a00;
      a20 = a00;
      a30 = a00;
      a40 = a00;
      a50 = a00;
      a60 = a00;
      a70 = a00;
    } else {
      a00 = FloatVector.fromArray(S, tile, t);
      a10 = FloatVector.fromArray(S, tile, t + kk);
      a20 = FloatVector.fromArray(S, tile, t + 2 * kk);
      a30 = FloatVector.fromArray(S, tile, t + 3 * kk);
      a40 = FloatVector.fromArray(S, tile, t + 4 * kk);
      a50 = FloatVector.fromArray(S, tile, t + 5 * kk);
      a60 = FloatVector.fromArray(S, tile, t + 6 * kk);
      a70 = FloatVector.fromArray(S, tile, t + 7 * kk);
    }
    int x0 = xb + off[c];
    int x1 = xb + off[c + 1];
    int x2 = xb + off[c + 2];
    int x3 = xb + off[c + 3];
    int x4 = xb + off[c + 4];
    int x5 = xb + off[c + 5];
    int x6 = xb + off[c + 6];
    int x7 = xb + off[c + 7];
    for (int o = o0; o < o1; o++) {
      FloatVector d0 = FloatVector.fromArray(S, dyT, col0 + o * G);
      a00 = FloatVector.broadcast(S, xs[x0 + o]).fma(d0, a00);
      a10 = FloatVector.broadcast(S, xs[x1 + o]).fma(d0, a10);
      a20 = FloatVector.broadcast(S, xs[x2 + o]).fma(d0, a20);
      a30 = FloatVector.broadcast(S, xs[x3 + o]).fma(d0, a30);
      a40 = FloatVector.broadcast(S, xs[x4 + o]).fma(d0, a40);
      a50 = FloatVector.broadcast(S, xs[x5 + o]).fma(d0, a50);
      a60 = FloatVector.broadcast(S, xs[x6 + o]).fma(d0, a60);
      a70 = FloatVector.broadcast(S, xs[x7 + o]).fma(d0, a70);
    }
    a00.intoArray(tile, t);
    a10.intoArray(tile, t + kk);
    a20.intoArray(tile, t + 2 * kk);
    a30.intoArray(tile, t + 3 * kk);
    a40.intoArray(tile, t + 4 * kk);
    a50.intoArray(tile, t + 5 * kk);
    a60.intoArray(tile, t + 6 * kk);
    a70.intoArray(tile, t + 7 * kk);
  }

  /**
   * sum[i] = tile[i] (first image of a chunk) or sum[i] + tile[i], in double, for the real taps.
   */
  static void add(DirectConv.Layout pl, float[] tile, double[] sum, boolean first) {
    int n = pl.crs * pl.g.outChannels();
    if (first) {
      for (int i = 0; i < n; i++) {
        sum[i] = tile[i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        sum[i] += tile[i];
      }
    }
  }

  /** The chunk's partial: part[pOff + k·C·R·S + crs] = (float) sum[crs·K + k]. */
  static void finish(DirectConv.Layout pl, double[] sum, float[] part, int pOff) {
    int kk = pl.g.outChannels();
    int crs = pl.crs;
    for (int c = 0; c < crs; c++) {
      for (int k = 0; k < kk; k++) {
        part[pOff + k * crs + c] = (float) sum[c * kk + k];
      }
    }
  }
}
