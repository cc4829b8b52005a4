package bnlab.kernel;

import static bnlab.kernel.VectorWidth.L;
import static bnlab.kernel.VectorWidth.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

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
 * <p>This class holds the tiling, the weight transforms and the forward transforms; {@link
 * WinogradBackward} the backward ones.
 *
 * <p>Layouts: U (16, K, C) transformed weights; V (16, C, T) transformed input and M (16, K, T) its
 * products for T tile numbers (tile (i, j) of image t in a group is t·tilesP + i·tw + j, see {@link
 * Tiles#pitch}), element ξ = 4a + b of the 4×4 tile. The padded image is read as 4 polyphase planes
 * (even/odd rows × even/odd columns), in which tap (r, c) of tile (i, j) is one constant offset
 * from element i·(tw + 1) + j; the transforms read and write registers of consecutive tile numbers
 * there in one or a few loads a tile row apart ({@link #loadTiles}). Backward runs the same algebra
 * transposed: dM = A dY Aᵀ, dU = Σ_tiles dM ⊙ V, dg = Gᵀ dU G, dV = Uᵀ dM and dd = B dV Bᵀ added
 * into overlapping input patches.
 *
 * <p>The input, output and gradient transforms are vectorized over all tiles of an image; every
 * lane and every scalar tail computes the same sequence of adds and subtractions (no fused
 * operations, no multiplications), so the results do not depend on the vector width. The weight
 * transforms (K·C pairs, once per call) are scalar.
 */
final class Winograd {
  private Winograd() {}

  /**
   * The shape of one image's tiling, for a 3×3 stride-1 geometry and output tiles of m×m (2 for
   * F(2×2, 3×3), 4 for F(4×4, 3×3), see {@link Winograd4}).
   */
  static final class Tiles {
    final ConvGeometry g;
    final int c;
    final int k;
    final int h;
    final int w;
    final int p;
    final int q;

    /** Output tile side m, input patch side α = m + 2, and the α² transformed planes ξ. */
    final int m;

    final int alpha;
    final int xis;

    /** Tile rows and columns: ⌈P/m⌉, ⌈Q/m⌉; tiles per image. */
    final int th;

    final int tw;
    final int tiles;

    /** Padded rows the tiles read: m·th + 2. */
    final int rows;

    /** Pitch of the polyphase planes' rows, tw + 1 (a tile row and the column its taps reach). */
    final int tp;

    /**
     * Pitch of the tile numbers: tile (i, j) is number i·pitch + j. F(2×2): tw, every number a tile
     * (the input transform reads its registers from the planes with {@link Winograd#loadTiles}).
     * F(4×4): tp, so j = tw is a junk tile whose output is dropped (and whose dY is zero), and
     * every tap of every tile is a constant offset in the polyphase planes themselves.
     */
    final int pitch;

    /** Tile numbers per image, th·pitch (F(4×4): junk tiles included). */
    final int tilesP;

    /**
     * One of the m² polyphase planes: (th + 1) rows of tp, and one float of slack (F(4×4): for the
     * last junk tile).
     */
    final int plane;

    /**
     * F(4×4) only (else null; yColT for F(2×2) too), where the copies to and from the 16 polyphase
     * planes and runs are scalar: column c of an input row at xCol[c] from its polyphase row (plane
     * (pc mod 4), element pc / 4 for the padded column pc); column c of an output row at yCol[c]
     * from its runs ((c mod 4)·tilesP + c / 4), and at yColT[c] in the runs of tiles × K ((c mod
     * 4)·tilesP·K + (c / 4)·K; F(2×2), which has yColT too: (c mod 2)·tilesP·K + (c / 2)·K). Tables
     * rather than index arithmetic per element: the copies took a third of F(4×4)'s time.
     */
    final int[] xCol;

    final int[] yCol;
    final int[] yColT;

    /**
     * F(2×2) whose input transform reads padded rows rather than polyphase planes ({@link
     * Winograd#inputRows}): padding 1 on every side, an even height, and rows of L floats (then
     * registers of two tile rows, so the tile rows must pair up) or of a multiple of 2·L.
     */
    final boolean byRows;

    /**
     * F(2×2) planes whose image's tiles fit one register and whose polyphase plane fits two ({@link
     * WinogradBackward#accumulate}: 8×8 images at 512 bits, 4×4 and 2×2 ones at 256 and 512): where
     * each of the four runs of tiles lands in a plane register, as lane permutations of the run's
     * register. Null elsewhere.
     */
    final Placement place;

    Tiles(ConvGeometry g) {
      this(g, 2);
    }

    Tiles(ConvGeometry g, int m) {
      if (!applies(g)) {
        throw new IllegalArgumentException("WINOGRAD needs a 3x3 kernel and stride 1, got " + g);
      }
      if (m != 2 && m != 4) {
        throw new IllegalArgumentException("Winograd tiles are 2x2 or 4x4, got " + m);
      }
      this.g = g;
      this.m = m;
      alpha = m + 2;
      xis = alpha * alpha;
      c = g.channels();
      k = g.outChannels();
      h = g.height();
      w = g.width();
      p = g.outH();
      q = g.outW();
      th = (p + m - 1) / m;
      tw = (q + m - 1) / m;
      tiles = th * tw;
      rows = m * th + 2;
      tp = tw + 1;
      pitch = m == 2 ? tw : tp;
      tilesP = th * pitch;
      // F(4×4): 16 floats of room after each plane for the zeros VectorInterleave.split4 writes
      // past a run, and the floats merge4 reads past one.
      plane = (th + 1) * tp + 1 + (m == 4 ? 16 : 0);
      if (m == 4) {
        xCol = new int[w];
        for (int col = 0; col < w; col++) {
          int pc = g.padW() + col;
          xCol[col] = (pc & 3) * plane + (pc >> 2);
        }
        yCol = new int[q];
        yColT = new int[q];
        for (int col = 0; col < q; col++) {
          yCol[col] = (col & 3) * tilesP + (col >> 2);
          yColT[col] = (col & 3) * tilesP * k + (col >> 2) * k;
        }
      } else {
        xCol = null;
        yCol = null;
        yColT = new int[q];
        for (int col = 0; col < q; col++) {
          yColT[col] = (col & 1) * tilesP * k + (col >> 1) * k;
        }
      }
      byRows =
          m == 2
              && g.padH() == 1
              && g.padW() == 1
              && h % 2 == 0
              && (w == L ? th % 2 == 0 : w % (2 * L) == 0);
      place = m == 2 && !byRows && tilesP <= L && plane <= 2 * L ? new Placement(this) : null;
    }

    /**
     * Floats of scratch one transform call needs. F(2×2): 4 planes, 36 tile runs, and 4 runs of
     * tiles × K. F(4×4): 16 planes, 72 tile runs, and 40 runs of tiles × K.
     */
    int rowScratch() {
      return m == 2
          ? Math.max(
                  gatherAt() + 4 * tilesP * k,
                  byRows ? Math.max((h + 2) * (w + 2 * L), 16 * runRows()) : 0)
              + L
          : gatherAt() + 40 * tilesP * k + 256;
    }

    /**
     * Floats of one of the 16 runs of {@link WinogradBackward#inputGradRows}: tile rows of pitch tw
     * + 1 after a guard row, a guard row after them, and room for a register's store past the last.
     */
    int runRows() {
      return (th + 2) * (tw + 1) + L;
    }

    int gatherAt() {
      return m == 2 ? 4 * plane + 36 * tilesP : 16 * plane + 72 * tilesP + 256;
    }

    // Scratch regions: the 4 polyphase planes, 4 runs of tiles, 2 × 16 runs of tiles.
    int fourAt() {
      return 4 * plane;
    }

    int sixteenAt() {
      return fourAt() + 4 * tilesP;
    }
  }

  /**
   * For {@link Tiles#place}: polyphase plane element e (pitch tp) takes tile number τ of a run
   * (pitch tw) where e = τ + ⌊τ/tw⌋ + offset, the offset being 0, 1, tp or tp + 1 for the run that
   * lands in place, one tile left, one tile row up or both (see {@link WinogradBackward}); per
   * offset and plane register, the permutation that gathers those tiles and the lanes no tile
   * reaches.
   */
  static final class Placement {
    /** Registers of one plane: 1 or 2. */
    final int regs;

    /** Per offset (4) and register: lane l takes the run's lane shuffles[2·o + r][l]. */
    final VectorShuffle<Float>[] shuffles;

    /** Per offset and register: the lanes no tile of the run reaches. */
    final VectorMask<Float>[] holes;

    /** The lanes of the last register that are inside the plane. */
    final VectorMask<Float> last;

    /**
     * The inverse, per offset: lane τ of a register of tiles takes plane element τ + ⌊τ/tw⌋ +
     * offset, an index into the plane's two registers (lanes at or past the tiles take lane 0).
     */
    final VectorShuffle<Float>[] gathers;

    /** The lanes of a register of tiles that hold tiles. */
    final VectorMask<Float> tiles;

    /** Registers of one output plane (P·Q floats): 1 to 4. */
    final int outRegs;

    /**
     * Per output register: lane l, output element e = r·Q + c, takes tile lane (r/2)·tw + c/2 of
     * the even (c even) or odd column's register, an index into the pair (Y_p0, Y_p1).
     */
    final VectorShuffle<Float>[] outShuffles;

    /** Per output register: the lanes of odd output rows (from Y_10 and Y_11). */
    final VectorMask<Float>[] outOdd;

    /** The lanes of the last output register inside the plane. */
    final VectorMask<Float> outLast;

    @SuppressWarnings({"unchecked", "rawtypes"})
    Placement(Tiles t) {
      regs = (t.plane + L - 1) / L;
      shuffles = new VectorShuffle[8];
      holes = new VectorMask[8];
      int[] offsets = {0, 1, t.tp, t.tp + 1};
      for (int o = 0; o < 4; o++) {
        for (int r = 0; r < 2; r++) {
          int[] idx = new int[L];
          boolean[] hole = new boolean[L];
          java.util.Arrays.fill(hole, true);
          for (int tau = 0; tau < t.tilesP; tau++) {
            int e = tau + tau / t.pitch + offsets[o] - r * L;
            if (e >= 0 && e < L) {
              idx[e] = tau;
              hole[e] = false;
            }
          }
          shuffles[2 * o + r] = VectorShuffle.fromArray(S, idx, 0);
          holes[2 * o + r] = VectorMask.fromArray(S, hole, 0);
        }
      }
      last = S.indexInRange((regs - 1) * L, t.plane);
      gathers = new VectorShuffle[4];
      for (int o = 0; o < 4; o++) {
        int[] idx = new int[L];
        for (int tau = 0; tau < t.tilesP; tau++) {
          idx[tau] = tau + tau / t.pitch + offsets[o];
        }
        gathers[o] = VectorShuffle.fromArray(S, idx, 0);
      }
      tiles = S.indexInRange(0, t.tilesP);
      int outputs = t.p * t.q;
      outRegs = (outputs + L - 1) / L;
      outShuffles = new VectorShuffle[outRegs];
      outOdd = new VectorMask[outRegs];
      for (int r = 0; r < outRegs; r++) {
        int[] idx = new int[L];
        boolean[] odd = new boolean[L];
        for (int l = 0; l < L; l++) {
          int e = r * L + l;
          if (e < outputs) {
            int row = e / t.q;
            int col = e % t.q;
            idx[l] = (row / 2) * t.pitch + col / 2 + (col % 2) * L;
            odd[l] = row % 2 == 1;
          }
        }
        outShuffles[r] = VectorShuffle.fromArray(S, idx, 0);
        outOdd[r] = VectorMask.fromArray(S, odd, 0);
      }
      outLast = S.indexInRange((outRegs - 1) * L, outputs);
    }
  }

  /**
   * Floats from one plane ξ to the next in V, M, dM and dV, whose planes are (rows, ld) (in dMᵀ
   * (ld, rows)): rows·ld rounded up to whole 64-byte lines and to an odd number of them. The
   * transforms read or write all 16 (or 36) planes at once, and planes a multiple of 4 KB apart
   * (64·80 floats: resnet20's 8×8 layers in groups of 4 images, vgg's with 128 channels) put all 16
   * streams in the same L1 sets; there the transposed output gradient took 6.2 ms per batch of 128
   * at 64→64, 1.5 ms with planes a line further apart (one thread, AVX2). Only where values are
   * stored changes, never a result.
   */
  static int planeStride(int rows, int ld) {
    int p = (rows * ld + 15) & ~15;
    return (p & 16) == 0 ? p + 16 : p;
  }

  /** Whether F(2×2, 3×3) computes this geometry: a 3×3 kernel at stride 1 (any padding). */
  static boolean applies(ConvGeometry g) {
    return g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1;
  }

  // ---- weights (scalar, once per call) -----------------------------------------------------

  /**
   * u (16, K, C) = G g Gᵀ for every filter g of w (K, C, 3, 3), L filters at a time: the taps are
   * first copied tap-major into {@code taps} (9·K·C floats; a gather from 9 floats apart is not
   * compiled into vector code on AVX2 and boxes every vector), then every lane makes the same adds
   * and halvings as the scalar loop.
   */
  static void weights(Tiles t, float[] w, float[] u, float[] taps) {
    weights(t, w, u, taps, 0, t.k * t.c);
  }

  /**
   * {@link #weights} for filters [f0, f1) only (filter f = k·C + c): the parts of a transform split
   * across threads, each filter computed as in the whole.
   */
  static void weights(Tiles t, float[] w, float[] u, float[] taps, int f0, int f1) {
    int kc = t.k * t.c;
    if (f1 - f0 < L) {
      weightsScalar(w, u, kc, f0, f1);
      return;
    }
    for (int f = f0; f < f1; f++) {
      for (int r = 0; r < 9; r++) {
        taps[r * kc + f] = w[9 * f + r];
      }
    }
    FloatVector half = FloatVector.broadcast(S, 0.5f);
    for (int i = f0; i < f1; i += L) {
      int f = Math.min(i, f1 - L); // the last vector overlaps the one before: same values
      FloatVector w0 = FloatVector.fromArray(S, taps, f);
      FloatVector w1 = FloatVector.fromArray(S, taps, kc + f);
      FloatVector w2 = FloatVector.fromArray(S, taps, 2 * kc + f);
      FloatVector w3 = FloatVector.fromArray(S, taps, 3 * kc + f);
      FloatVector w4 = FloatVector.fromArray(S, taps, 4 * kc + f);
      FloatVector w5 = FloatVector.fromArray(S, taps, 5 * kc + f);
      FloatVector w6 = FloatVector.fromArray(S, taps, 6 * kc + f);
      FloatVector w7 = FloatVector.fromArray(S, taps, 7 * kc + f);
      FloatVector w8 = FloatVector.fromArray(S, taps, 8 * kc + f);
      // Rows a = 0..3 of G·g (columns 0..2), each times Gᵀ into u[(4a + b)·kc + f]; written out,
      // because a vector passed to a method the JIT does not inline is boxed (measured: a 4-store
      // helper was compiled on its own and allocated 1.5 MB per vgg-bn step).
      FloatVector r0 = w0;
      FloatVector r1 = w1;
      FloatVector r2 = w2;
      r0.intoArray(u, f);
      r0.add(r1).add(r2).mul(half).intoArray(u, kc + f);
      r0.sub(r1).add(r2).mul(half).intoArray(u, 2 * kc + f);
      r2.intoArray(u, 3 * kc + f);
      r0 = w0.add(w3).add(w6).mul(half);
      r1 = w1.add(w4).add(w7).mul(half);
      r2 = w2.add(w5).add(w8).mul(half);
      r0.intoArray(u, 4 * kc + f);
      r0.add(r1).add(r2).mul(half).intoArray(u, 5 * kc + f);
      r0.sub(r1).add(r2).mul(half).intoArray(u, 6 * kc + f);
      r2.intoArray(u, 7 * kc + f);
      r0 = w0.sub(w3).add(w6).mul(half);
      r1 = w1.sub(w4).add(w7).mul(half);
      r2 = w2.sub(w5).add(w8).mul(half);
      r0.intoArray(u, 8 * kc + f);
      r0.add(r1).add(r2).mul(half).intoArray(u, 9 * kc + f);
      r0.sub(r1).add(r2).mul(half).intoArray(u, 10 * kc + f);
      r2.intoArray(u, 11 * kc + f);
      w6.intoArray(u, 12 * kc + f);
      w6.add(w7).add(w8).mul(half).intoArray(u, 13 * kc + f);
      w6.sub(w7).add(w8).mul(half).intoArray(u, 14 * kc + f);
      w8.intoArray(u, 15 * kc + f);
    }
  }

  /** {@link #weights}, one filter at a time: the twin, and the path for fewer than L filters. */
  static void weightsScalar(float[] w, float[] u, int kc) {
    weightsScalar(w, u, kc, 0, kc);
  }

  /** {@link #weightsScalar} for filters [f0, f1) of kc. */
  static void weightsScalar(float[] w, float[] u, int kc, int f0, int f1) {
    for (int f = f0; f < f1; f++) {
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

  /**
   * dw (K, C, 3, 3) += Gᵀ dU G for the filters of input channels [c0, c1), from dUᵀ (16, C, K) at
   * du[uOff..]: filter (k, c) is element (c, k) of each transposed plane.
   */
  static void addWeightGrad(Tiles t, float[] du, int uOff, float[] dw, int c0, int c1) {
    int kc = t.k * t.c;
    for (int c = c0; c < c1; c++) {
      for (int k = 0; k < t.k; k++) {
        int e = uOff + c * t.k + k;
        int o = (k * t.c + c) * 9;
        for (int r = 0; r < 3; r++) {
          // Row r of Gᵀ·dU (4 values), then times G.
          float q0 = gtRow(r, du[e], du[e + 4 * kc], du[e + 8 * kc], du[e + 12 * kc]);
          float q1 = gtRow(r, du[e + kc], du[e + 5 * kc], du[e + 9 * kc], du[e + 13 * kc]);
          float q2 = gtRow(r, du[e + 2 * kc], du[e + 6 * kc], du[e + 10 * kc], du[e + 14 * kc]);
          float q3 = gtRow(r, du[e + 3 * kc], du[e + 7 * kc], du[e + 11 * kc], du[e + 15 * kc]);
          for (int s = 0; s < 3; s++) {
            dw[o + 3 * r + s] += gtRow(s, q0, q1, q2, q3);
          }
        }
      }
    }
  }

  // ---- polyphase planes ----------------------------------------------------------------------

  /**
   * The padded image plane x (H, W) at xOff as 4 polyphase planes in s: plane 2p + q holds xpad[2i
   * + p][2j + q] at i·tp + j, for i ≤ th and j ≤ tw (zero outside the image).
   */
  private static void polyphase(Tiles t, float[] x, int xOff, float[] s) {
    int padW = t.g.padW();
    // Padded column padW + i holds x[i]: x's even elements go to the plane of padW's parity from
    // index padW/2 on, its odd ones to the other plane from (padW + 1)/2 on.
    int evenFrom = padW / 2;
    int oddFrom = (padW + 1) / 2;
    int evens = (t.w + 1) / 2;
    int odds = t.w / 2;
    // Every zero at once (padding rows and columns, the junk column, the slack), then only the
    // image's rows: zeroing row by row took four fills of 0–2 floats per row, and with them the
    // planes of resnet20's 16×16 layers cost more than the transform that reads them (input
    // transform 1.8–2.0 → 1.3 ms per batch of 128 at 32→32, one thread, AVX2).
    java.util.Arrays.fill(s, 0, 4 * t.plane, 0f);
    int r0 = t.g.padH();
    int r1 = Math.min(t.rows, t.g.padH() + t.h);
    for (int pr = r0; pr < r1; pr++) {
      int e = 2 * (pr & 1) * t.plane + (pr >> 1) * t.tp;
      int o = e + t.plane;
      int evenRow = (padW & 1) == 0 ? e : o;
      int oddRow = (padW & 1) == 0 ? o : e;
      int from = xOff + (pr - t.g.padH()) * t.w;
      VectorInterleave.split(x, from, odds, s, evenRow + evenFrom, oddRow + oddFrom);
      if (evens > odds) {
        s[evenRow + evenFrom + odds] = x[from + t.w - 1];
      }
    }
  }

  // Offset of tap (r, c) of tile 0 in the polyphase planes (pitch tp).
  private static int tap(Tiles t, int r, int c) {
    return (2 * (r & 1) + (c & 1)) * t.plane + (r >> 1) * t.tp + (c >> 1);
  }

  // ---- tiles numbered without the junk column ----------------------------------------------

  // Lanes at or above a quarter, a half and three quarters of the register.
  private static final VectorMask<Float> UP1 = from(L / 4);
  private static final VectorMask<Float> UP2 = from(L / 2);
  private static final VectorMask<Float> UP3 = from(3 * L / 4);

  // The lanes of segment k of L/2 or L/4 lanes.
  private static final VectorMask<Float> HALF0 = UP2.not();
  private static final VectorMask<Float> QUARTER0 = UP1.not();
  private static final VectorMask<Float> QUARTER1 = UP1.andNot(UP2);
  private static final VectorMask<Float> QUARTER2 = UP2.andNot(UP3);

  private static VectorMask<Float> from(int lane) {
    return VectorMask.fromLong(S, ((1L << L) - 1) & ~((1L << lane) - 1));
  }

  /**
   * How a register of L consecutive tile numbers i·tw + j, from a multiple of tw, lies in a plane
   * of pitch tp = tw + 1: tile number τ is element τ + τ / tw, so lane l of a register starting at
   * τ0 is element τ0 + τ0 / tw + l + l / tw: 1 load where tw is a multiple of L (one tile row), L /
   * tw loads one element apart, blended, where that is 2 or 4, else 0 (the scalar way).
   */
  static int segments(int tw) {
    if (tw % L == 0) {
      return 1;
    }
    int segs = L % tw == 0 ? L / tw : 0;
    return segs == 2 || segs == 4 ? segs : 0;
  }

  /** Tile numbers τ0 .. τ0 + L − 1 (τ0 a multiple of tw) of a plane of pitch tw + 1 at s[base]. */
  static FloatVector loadTiles(float[] s, int base, int t0, int tw, int segs) {
    int p0 = base + t0 + t0 / tw;
    FloatVector v = FloatVector.fromArray(S, s, p0);
    if (segs == 2) {
      v = v.blend(FloatVector.fromArray(S, s, p0 + 1), UP2);
    } else if (segs == 4) {
      v = v.blend(FloatVector.fromArray(S, s, p0 + 1), UP1);
      v = v.blend(FloatVector.fromArray(S, s, p0 + 2), UP2);
      v = v.blend(FloatVector.fromArray(S, s, p0 + 3), UP3);
    }
    return v;
  }

  /**
   * Plane (pitch tw + 1) at s[base] += tile numbers [τ0, τ0 + L) of the run at s[d] (pitch tw), or,
   * with {@code add} false, = them. Each segment of tw lanes is one tile row: loaded, its lanes
   * replaced, and stored whole (the other lanes as loaded), so every element gets one add, whatever
   * the width. No vector crosses a call (a call the JIT does not inline would box it).
   */
  static void storeTiles(float[] s, int base, int t0, int tw, int segs, int d, boolean add) {
    int p0 = base + t0 + t0 / tw;
    int src = d + t0;
    if (segs == 1) {
      segment(s, p0, src, null, add);
    } else if (segs == 2) {
      segment(s, p0, src, HALF0, add);
      segment(s, p0 + 1, src, UP2, add);
    } else {
      segment(s, p0, src, QUARTER0, add);
      segment(s, p0 + 1, src, QUARTER1, add);
      segment(s, p0 + 2, src, QUARTER2, add);
      segment(s, p0 + 3, src, UP3, add);
    }
  }

  // s[p ..] = (+=) s[src ..] in the lanes of seg (all lanes if null).
  private static void segment(float[] s, int p, int src, VectorMask<Float> seg, boolean add) {
    FloatVector d = FloatVector.fromArray(S, s, src);
    if (seg == null) {
      if (add) {
        FloatVector.fromArray(S, s, p).add(d).intoArray(s, p);
      } else {
        d.intoArray(s, p);
      }
    } else {
      FloatVector v = FloatVector.fromArray(S, s, p);
      if (add) {
        v.blend(v.add(d), seg).intoArray(s, p);
      } else {
        v.blend(d, seg).intoArray(s, p);
      }
    }
  }

  // ---- input: V = Bᵀ d B -------------------------------------------------------------------

  // Row r of d·B column b is d[r][C1[b]] ± d[r][C2[b]] (plus for b = 1): (d0−d2, d1+d2, d2−d1,
  // d1−d3).
  private static final int[] C1 = {0, 1, 2, 1};
  private static final int[] C2 = {2, 2, 1, 3};

  /**
   * One image x (C, H, W) at xOff into V (16, C, ld) at v[vOff + tile]: every 4×4 patch of the
   * padded image, Bᵀ d B. {@code s} is scratch of {@link Tiles#rowScratch} floats.
   */
  static void input(Tiles t, float[] x, int xOff, float[] v, int vOff, int ld, float[] s) {
    input(t, x, xOff, v, vOff, ld, s, 0, t.c);
  }

  /** {@link #input} for channels [from, to) only. */
  static void input(
      Tiles t, float[] x, int xOff, float[] v, int vOff, int ld, float[] s, int from, int to) {
    if (t.byRows) {
      inputRows(t, x, xOff, v, vOff, ld, s, from, to);
    } else if (t.place != null) {
      inputPlaced(t, x, xOff, v, vOff, ld, s, from, to);
    } else {
      inputPlanes(t, x, xOff, v, vOff, ld, s, from, to);
    }
  }

  /** {@link #input} through the polyphase planes: any geometry. */
  static void inputPlanes(
      Tiles t, float[] x, int xOff, float[] v, int vOff, int ld, float[] s, int from, int to) {
    int plane = t.h * t.w;
    int ps = planeStride(t.c, ld);
    int tw = t.tw;
    int segs = segments(tw);
    for (int ch = from; ch < to; ch++) {
      polyphase(t, x, xOff + ch * plane, s);
      int o = vOff + ch * ld;
      for (int b = 0; b < 4; b++) {
        int c1 = C1[b];
        int c2 = C2[b];
        float sg = b == 1 ? 1f : -1f;
        FloatVector sgn = FloatVector.broadcast(S, sg);
        int r0a = tap(t, 0, c1), r0b = tap(t, 0, c2), r1a = tap(t, 1, c1), r1b = tap(t, 1, c2);
        int r2a = tap(t, 2, c1), r2b = tap(t, 2, c2), r3a = tap(t, 3, c1), r3b = tap(t, 3, c2);
        int n = t.tilesP;
        int i = 0;
        for (; segs > 0 && n >= L && i < n; i += L) {
          int j = Math.min(i, n - L); // the last vector overlaps the one before: same values
          // d[r][c1] ± d[r][c2] as an add of ±d[r][c2] (exact), so no vector crosses a branch.
          FloatVector h0 =
              loadTiles(s, r0a, j, tw, segs).add(loadTiles(s, r0b, j, tw, segs).mul(sgn));
          FloatVector h1 =
              loadTiles(s, r1a, j, tw, segs).add(loadTiles(s, r1b, j, tw, segs).mul(sgn));
          FloatVector h2 =
              loadTiles(s, r2a, j, tw, segs).add(loadTiles(s, r2b, j, tw, segs).mul(sgn));
          FloatVector h3 =
              loadTiles(s, r3a, j, tw, segs).add(loadTiles(s, r3b, j, tw, segs).mul(sgn));
          h0.sub(h2).intoArray(v, o + b * ps + j);
          h1.add(h2).intoArray(v, o + (4 + b) * ps + j);
          h2.sub(h1).intoArray(v, o + (8 + b) * ps + j);
          h1.sub(h3).intoArray(v, o + (12 + b) * ps + j);
        }
        for (; i < n; i++) {
          int e = i + i / tw; // tile number i in the planes
          float h0 = s[r0a + e] + s[r0b + e] * sg;
          float h1 = s[r1a + e] + s[r1b + e] * sg;
          float h2 = s[r2a + e] + s[r2b + e] * sg;
          float h3 = s[r3a + e] + s[r3b + e] * sg;
          v[o + b * ps + i] = h0 - h2;
          v[o + (4 + b) * ps + i] = h1 + h2;
          v[o + (8 + b) * ps + i] = h2 - h1;
          v[o + (12 + b) * ps + i] = h1 - h3;
        }
      }
    }
  }

  /**
   * {@link #input} where an image's tiles fit one register and a polyphase plane two ({@link
   * Tiles#place}), the same values bit for bit: the four planes are loaded as registers and each of
   * the 16 taps' registers of tiles is a permutation of its plane's two ({@link
   * Placement#gathers}), where {@link #loadTiles} would load a tap's register in L / tw pieces,
   * each reading what the planes' stores have just written a float off (8×8 images at 512 bits: 4
   * loads and 3 blends per tap). d·B's rows as d[r][c1] ± d[r][c2] by add or subtract, which {@link
   * #inputPlanes} computes as an add of ±1 times the second: the same values.
   *
   * <p>Columns 0 and 1 of d·B, then 2 and 3, each in a method of its own that loads the planes'
   * registers again and computes the three taps of a row it needs (24 permutations a channel where
   * 16 would do): C1 runs out of virtual registers on all four columns in one method (see {@link
   * #outputPlaced}), and a method that took the taps' registers as arguments would box them
   * wherever C2 does not inline it.
   */
  static void inputPlaced(
      Tiles t, float[] x, int xOff, float[] v, int vOff, int ld, float[] s, int from, int to) {
    int plane = t.h * t.w;
    int ps = planeStride(t.c, ld);
    for (int ch = from; ch < to; ch++) {
      polyphase(t, x, xOff + ch * plane, s);
      int o = vOff + ch * ld;
      placedColumns01(t, s, v, o, ps);
      placedColumns23(t, s, v, o, ps);
    }
  }

  // Plane 2p + q holds the taps (r, c) with r mod 2 = p and c mod 2 = q; offsets 0, 1, tp and
  // tp + 1 (gathers 0 to 3) are the taps with (r / 2, c / 2) = (0, 0), (0, 1), (1, 0) and (1, 1).
  // Column b of d·B: (d0 − d2, d1 + d2, d2 − d1, d1 − d3) of each row; then Bᵀ over the rows.

  /**
   * Columns 0 and 1 of d·B (taps 0, 1 and 2 of each row) and their Bᵀ, for {@link #inputPlaced}.
   */
  private static void placedColumns01(Tiles t, float[] s, float[] v, int o, int ps) {
    Placement pl = t.place;
    VectorShuffle<Float> g0 = pl.gathers[0];
    VectorShuffle<Float> g1 = pl.gathers[1];
    VectorShuffle<Float> g2 = pl.gathers[2];
    VectorShuffle<Float> g3 = pl.gathers[3];
    VectorMask<Float> m = pl.tiles;
    int p1 = t.plane;
    int p2 = 2 * t.plane;
    int p3 = 3 * t.plane;
    FloatVector a0 = FloatVector.fromArray(S, s, 0);
    FloatVector a1 = FloatVector.fromArray(S, s, L);
    FloatVector b0 = FloatVector.fromArray(S, s, p1);
    FloatVector b1 = FloatVector.fromArray(S, s, p1 + L);
    FloatVector c0 = FloatVector.fromArray(S, s, p2);
    FloatVector c1 = FloatVector.fromArray(S, s, p2 + L);
    FloatVector e0 = FloatVector.fromArray(S, s, p3);
    FloatVector e1 = FloatVector.fromArray(S, s, p3 + L);
    FloatVector d00 = a0.rearrange(g0, a1);
    FloatVector d01 = b0.rearrange(g0, b1);
    FloatVector d02 = a0.rearrange(g1, a1);
    FloatVector d10 = c0.rearrange(g0, c1);
    FloatVector d11 = e0.rearrange(g0, e1);
    FloatVector d12 = c0.rearrange(g1, c1);
    FloatVector d20 = a0.rearrange(g2, a1);
    FloatVector d21 = b0.rearrange(g2, b1);
    FloatVector d22 = a0.rearrange(g3, a1);
    FloatVector d30 = c0.rearrange(g2, c1);
    FloatVector d31 = e0.rearrange(g2, e1);
    FloatVector d32 = c0.rearrange(g3, c1);
    FloatVector h0 = d00.sub(d02);
    FloatVector h1 = d10.sub(d12);
    FloatVector h2 = d20.sub(d22);
    FloatVector h3 = d30.sub(d32);
    h0.sub(h2).intoArray(v, o, m);
    h1.add(h2).intoArray(v, o + 4 * ps, m);
    h2.sub(h1).intoArray(v, o + 8 * ps, m);
    h1.sub(h3).intoArray(v, o + 12 * ps, m);
    h0 = d01.add(d02);
    h1 = d11.add(d12);
    h2 = d21.add(d22);
    h3 = d31.add(d32);
    h0.sub(h2).intoArray(v, o + ps, m);
    h1.add(h2).intoArray(v, o + 5 * ps, m);
    h2.sub(h1).intoArray(v, o + 9 * ps, m);
    h1.sub(h3).intoArray(v, o + 13 * ps, m);
  }

  /**
   * Columns 2 and 3 of d·B (taps 1, 2 and 3 of each row) and their Bᵀ, for {@link #inputPlaced}.
   */
  private static void placedColumns23(Tiles t, float[] s, float[] v, int o, int ps) {
    Placement pl = t.place;
    VectorShuffle<Float> g0 = pl.gathers[0];
    VectorShuffle<Float> g1 = pl.gathers[1];
    VectorShuffle<Float> g2 = pl.gathers[2];
    VectorShuffle<Float> g3 = pl.gathers[3];
    VectorMask<Float> m = pl.tiles;
    int p1 = t.plane;
    int p2 = 2 * t.plane;
    int p3 = 3 * t.plane;
    FloatVector a0 = FloatVector.fromArray(S, s, 0);
    FloatVector a1 = FloatVector.fromArray(S, s, L);
    FloatVector b0 = FloatVector.fromArray(S, s, p1);
    FloatVector b1 = FloatVector.fromArray(S, s, p1 + L);
    FloatVector c0 = FloatVector.fromArray(S, s, p2);
    FloatVector c1 = FloatVector.fromArray(S, s, p2 + L);
    FloatVector e0 = FloatVector.fromArray(S, s, p3);
    FloatVector e1 = FloatVector.fromArray(S, s, p3 + L);
    FloatVector d01 = b0.rearrange(g0, b1);
    FloatVector d02 = a0.rearrange(g1, a1);
    FloatVector d03 = b0.rearrange(g1, b1);
    FloatVector d11 = e0.rearrange(g0, e1);
    FloatVector d12 = c0.rearrange(g1, c1);
    FloatVector d13 = e0.rearrange(g1, e1);
    FloatVector d21 = b0.rearrange(g2, b1);
    FloatVector d22 = a0.rearrange(g3, a1);
    FloatVector d23 = b0.rearrange(g3, b1);
    FloatVector d31 = e0.rearrange(g2, e1);
    FloatVector d32 = c0.rearrange(g3, c1);
    FloatVector d33 = e0.rearrange(g3, e1);
    FloatVector h0 = d02.sub(d01);
    FloatVector h1 = d12.sub(d11);
    FloatVector h2 = d22.sub(d21);
    FloatVector h3 = d32.sub(d31);
    h0.sub(h2).intoArray(v, o + 2 * ps, m);
    h1.add(h2).intoArray(v, o + 6 * ps, m);
    h2.sub(h1).intoArray(v, o + 10 * ps, m);
    h1.sub(h3).intoArray(v, o + 14 * ps, m);
    h0 = d01.sub(d03);
    h1 = d11.sub(d13);
    h2 = d21.sub(d23);
    h3 = d31.sub(d33);
    h0.sub(h2).intoArray(v, o + 3 * ps, m);
    h1.add(h2).intoArray(v, o + 7 * ps, m);
    h2.sub(h1).intoArray(v, o + 11 * ps, m);
    h1.sub(h3).intoArray(v, o + 15 * ps, m);
  }

  /**
   * {@link #input} from padded rows ({@link Tiles#byRows}), the same values bit for bit. Row r of
   * d·B at tile column j, (d0 − d2, d1 + d2, d2 − d1, d1 − d3), is a difference or sum of the
   * padded row p and itself shifted by one or two columns, taken at column 2j: D = p − p≫2 (its
   * even columns are d0 − d2, its odd ones d1 − d3), F = p≫1 + p≫2 and G = p≫2 − p≫1; with rows of
   * L floats a register of tiles is the even (or odd) lanes of two padded rows' registers, tile
   * rows i and i + 1 (wider rows: {@link #inputSplitRows}). Bᵀ over the rows follows as each row
   * comes, in straight-line code (a vector kept across loop iterations would be boxed). The
   * polyphase planes cost three times the loads and a blend per tap (one thread, AVX2, 64 channels
   * of 8×8: 225 → 85 ns per channel and image; with D, F and G stored per row and read back, 160).
   *
   * <p>The padded row from its columns 0, 1 and 2 is the image row's register shifted by one lane
   * either way with a zero shifted in ({@link #PAD_LEFT}, {@link #PAD_RIGHT}), the register itself
   * and the other shift; the rows above and below the image are zero. They were three unaligned
   * loads from a zero-bordered copy of the image written just before: on AMD Zen 5 (512 bits, 32
   * channels of 16×16, one thread) 98–118 ns per channel and image, in registers 61–74.
   */
  static void inputRows(
      Tiles t, float[] x, int xOff, float[] v, int vOff, int ld, float[] s, int from, int to) {
    if (t.w != L) {
      inputSplitRows(t, x, xOff, v, vOff, ld, s, from, to);
      return;
    }
    int w = t.w;
    int h = t.h;
    int ps = planeStride(t.c, ld);
    FloatVector zero = FloatVector.zero(S);
    VectorShuffle<Float> EVEN = VectorInterleave.EVEN;
    VectorShuffle<Float> ODD = VectorInterleave.ODD;
    for (int ch = from; ch < to; ch++) {
      int xo = xOff + ch * h * w;
      int o = vOff + ch * ld;
      for (int i = 0; i < t.th; i += 2) {
        int j = i * t.tw;
        // Image rows 2i − 1 … 2i + 4, padded rows 2i … 2i + 5: the first four are tile row i's,
        // the last four tile row i + 1's.
        int r0 = xo + (2 * i - 1) * w;
        FloatVector m0 = i == 0 ? zero : FloatVector.fromArray(S, x, r0);
        FloatVector m1 = FloatVector.fromArray(S, x, r0 + w);
        FloatVector m2 = FloatVector.fromArray(S, x, r0 + 2 * w);
        FloatVector m3 = FloatVector.fromArray(S, x, r0 + 3 * w);
        FloatVector m4 = FloatVector.fromArray(S, x, r0 + 4 * w);
        FloatVector m5 = i + 2 >= t.th ? zero : FloatVector.fromArray(S, x, r0 + 5 * w);
        // Row r = 0, 1, 2 of d·B for the four columns b (e_b_r), then Bᵀ's rows 0–2.
        FloatVector a00 = m0.rearrange(PAD_LEFT, zero);
        FloatVector a20 = m0.rearrange(PAD_RIGHT, zero);
        FloatVector b00 = m2.rearrange(PAD_LEFT, zero);
        FloatVector b20 = m2.rearrange(PAD_RIGHT, zero);
        FloatVector da0 = a00.sub(a20);
        FloatVector db0 = b00.sub(b20);
        FloatVector e00 = da0.rearrange(EVEN, db0);
        FloatVector e10 = m0.add(a20).rearrange(EVEN, m2.add(b20));
        FloatVector e20 = a20.sub(m0).rearrange(EVEN, b20.sub(m2));
        FloatVector e30 = da0.rearrange(ODD, db0);
        FloatVector a01 = m1.rearrange(PAD_LEFT, zero);
        FloatVector a21 = m1.rearrange(PAD_RIGHT, zero);
        FloatVector b01 = m3.rearrange(PAD_LEFT, zero);
        FloatVector b21 = m3.rearrange(PAD_RIGHT, zero);
        FloatVector da1 = a01.sub(a21);
        FloatVector db1 = b01.sub(b21);
        FloatVector e01 = da1.rearrange(EVEN, db1);
        FloatVector e11 = m1.add(a21).rearrange(EVEN, m3.add(b21));
        FloatVector e21 = a21.sub(m1).rearrange(EVEN, b21.sub(m3));
        FloatVector e31 = da1.rearrange(ODD, db1);
        // Padded row 2i + 2 is row 2 of tile row i and row 0 of tile row i + 1 (and 2i + 3 row 3
        // and row 1): their differences are computed once.
        FloatVector b02 = m4.rearrange(PAD_LEFT, zero);
        FloatVector b22 = m4.rearrange(PAD_RIGHT, zero);
        FloatVector db2 = b02.sub(b22);
        FloatVector e02 = db0.rearrange(EVEN, db2);
        FloatVector e12 = m2.add(b20).rearrange(EVEN, m4.add(b22));
        FloatVector e22 = b20.sub(m2).rearrange(EVEN, b22.sub(m4));
        FloatVector e32 = db0.rearrange(ODD, db2);
        e00.sub(e02).intoArray(v, o + 0 * ps + j);
        e01.add(e02).intoArray(v, o + 4 * ps + j);
        e02.sub(e01).intoArray(v, o + 8 * ps + j);
        e10.sub(e12).intoArray(v, o + 1 * ps + j);
        e11.add(e12).intoArray(v, o + 5 * ps + j);
        e12.sub(e11).intoArray(v, o + 9 * ps + j);
        e20.sub(e22).intoArray(v, o + 2 * ps + j);
        e21.add(e22).intoArray(v, o + 6 * ps + j);
        e22.sub(e21).intoArray(v, o + 10 * ps + j);
        e30.sub(e32).intoArray(v, o + 3 * ps + j);
        e31.add(e32).intoArray(v, o + 7 * ps + j);
        e32.sub(e31).intoArray(v, o + 11 * ps + j);
        // Row 3, then Bᵀ's row 3.
        FloatVector b03 = m5.rearrange(PAD_LEFT, zero);
        FloatVector b23 = m5.rearrange(PAD_RIGHT, zero);
        FloatVector db3 = b03.sub(b23);
        FloatVector e03 = db1.rearrange(EVEN, db3);
        FloatVector e13 = m3.add(b21).rearrange(EVEN, m5.add(b23));
        FloatVector e23 = b21.sub(m3).rearrange(EVEN, b23.sub(m5));
        FloatVector e33 = db1.rearrange(ODD, db3);
        e01.sub(e03).intoArray(v, o + 12 * ps + j);
        e11.sub(e13).intoArray(v, o + 13 * ps + j);
        e21.sub(e23).intoArray(v, o + 14 * ps + j);
        e31.sub(e33).intoArray(v, o + 15 * ps + j);
      }
    }
  }

  /** Lane i takes lane i − 1 of a register, lane 0 a zero (lane 0 of the second source). */
  private static final VectorShuffle<Float> PAD_LEFT = shiftShuffle(-1);

  /** Lane i takes lane i + 1 of a register, the last lane a zero. */
  private static final VectorShuffle<Float> PAD_RIGHT = shiftShuffle(1);

  private static VectorShuffle<Float> shiftShuffle(int by) {
    int[] idx = new int[L];
    for (int i = 0; i < L; i++) {
      int from = i + by;
      idx[i] = from < 0 || from >= L ? L : from;
    }
    return VectorShuffle.fromArray(S, idx, 0);
  }

  /**
   * {@link #inputRows} for rows of a multiple of 2·L floats, the same values bit for bit, from
   * padded rows split into their even and odd columns as they are copied: E[j] = p[2j] and O[j] =
   * p[2j + 1]. Row r of d·B at tile column j is then (E[j] − E[j+1], O[j] + E[j+1], E[j+1] − O[j],
   * O[j] − O[j+1]): four loads and four adds per row and register of tiles, where the unsplit rows
   * take six loads, six adds and four two-source lane permutations, and each padded row serves two
   * tile rows. The split itself costs two permutations per 2·L floats, once per row.
   */
  static void inputSplitRows(
      Tiles t, float[] x, int xOff, float[] v, int vOff, int ld, float[] s, int from, int to) {
    int w = t.w;
    int h = t.h;
    int half = w / 2 + L;
    int pitch = 2 * half;
    int ps = planeStride(t.c, ld);
    // Row r's E at s[r·pitch], its O at s[r·pitch + half]: E[0] and O[w/2] (the padding columns 0
    // and w + 1) and rows 0 and h + 1 stay zero, as no copy writes them.
    java.util.Arrays.fill(s, 0, (h + 2) * pitch, 0f);
    VectorShuffle<Float> EVEN = VectorInterleave.EVEN;
    VectorShuffle<Float> ODD = VectorInterleave.ODD;
    for (int ch = from; ch < to; ch++) {
      int xo = xOff + ch * h * w;
      for (int k = 0; k < w; k += 2 * L) {
        for (int r = 0; r < h; r++) {
          int e = (r + 1) * pitch;
          FloatVector a = FloatVector.fromArray(S, x, xo + r * w + k);
          FloatVector b = FloatVector.fromArray(S, x, xo + r * w + k + L);
          // Column k + 2i + 1 of x is padded column k + 2i + 2, even; column k + 2i is odd.
          a.rearrange(ODD, b).intoArray(s, e + k / 2 + 1);
          a.rearrange(EVEN, b).intoArray(s, e + half + k / 2);
        }
      }
      int o = vOff + ch * ld;
      // Tile rows innermost: a 16×16 image has one register of tiles per tile row, and C2 checks
      // the loop's ranges once per entry rather than per iteration.
      for (int j0 = 0; j0 < w / 2; j0 += L) {
        for (int i = 0; i < t.th; i++) {
          int j = i * t.tw + j0;
          int q0 = 2 * i * pitch + j0;
          FloatVector p00 = FloatVector.fromArray(S, s, q0);
          FloatVector p10 = FloatVector.fromArray(S, s, q0 + half);
          FloatVector p20 = FloatVector.fromArray(S, s, q0 + 1);
          FloatVector p30 = FloatVector.fromArray(S, s, q0 + half + 1);
          FloatVector e00 = p00.sub(p20);
          FloatVector e10 = p10.add(p20);
          FloatVector e20 = p20.sub(p10);
          FloatVector e30 = p10.sub(p30);
          int q1 = q0 + pitch;
          FloatVector p01 = FloatVector.fromArray(S, s, q1);
          FloatVector p11 = FloatVector.fromArray(S, s, q1 + half);
          FloatVector p21 = FloatVector.fromArray(S, s, q1 + 1);
          FloatVector p31 = FloatVector.fromArray(S, s, q1 + half + 1);
          FloatVector e01 = p01.sub(p21);
          FloatVector e11 = p11.add(p21);
          FloatVector e21 = p21.sub(p11);
          FloatVector e31 = p11.sub(p31);
          int q2 = q1 + pitch;
          FloatVector p02 = FloatVector.fromArray(S, s, q2);
          FloatVector p12 = FloatVector.fromArray(S, s, q2 + half);
          FloatVector p22 = FloatVector.fromArray(S, s, q2 + 1);
          FloatVector p32 = FloatVector.fromArray(S, s, q2 + half + 1);
          FloatVector e02 = p02.sub(p22);
          FloatVector e12 = p12.add(p22);
          FloatVector e22 = p22.sub(p12);
          FloatVector e32 = p12.sub(p32);
          e00.sub(e02).intoArray(v, o + 0 * ps + j);
          e01.add(e02).intoArray(v, o + 4 * ps + j);
          e02.sub(e01).intoArray(v, o + 8 * ps + j);
          e10.sub(e12).intoArray(v, o + 1 * ps + j);
          e11.add(e12).intoArray(v, o + 5 * ps + j);
          e12.sub(e11).intoArray(v, o + 9 * ps + j);
          e20.sub(e22).intoArray(v, o + 2 * ps + j);
          e21.add(e22).intoArray(v, o + 6 * ps + j);
          e22.sub(e21).intoArray(v, o + 10 * ps + j);
          e30.sub(e32).intoArray(v, o + 3 * ps + j);
          e31.add(e32).intoArray(v, o + 7 * ps + j);
          e32.sub(e31).intoArray(v, o + 11 * ps + j);
          int q3 = q2 + pitch;
          FloatVector p03 = FloatVector.fromArray(S, s, q3);
          FloatVector p13 = FloatVector.fromArray(S, s, q3 + half);
          FloatVector p23 = FloatVector.fromArray(S, s, q3 + 1);
          FloatVector p33 = FloatVector.fromArray(S, s, q3 + half + 1);
          e01.sub(p03.sub(p23)).intoArray(v, o + 12 * ps + j);
          e11.sub(p13.add(p23)).intoArray(v, o + 13 * ps + j);
          e21.sub(p23.sub(p13)).intoArray(v, o + 14 * ps + j);
          e31.sub(p13.sub(p33)).intoArray(v, o + 15 * ps + j);
        }
      }
    }
  }

  // ---- output: Y = Aᵀ M A + bias -----------------------------------------------------------

  /**
   * M (16, K, ld) at m[mOff + tile] into one image y (K, P, Q) at yOff: Aᵀ m A + bias (bias may be
   * null); the tail tiles' extra row and column are dropped.
   */
  static void output(
      Tiles t, float[] m, int mOff, int ld, float[] bias, float[] y, int yOff, float[] s) {
    output(t, m, mOff, ld, bias, y, yOff, s, 0, t.k);
  }

  /** {@link #output} for output channels [k0, k1) only. */
  static void output(
      Tiles t,
      float[] m,
      int mOff,
      int ld,
      float[] bias,
      float[] y,
      int yOff,
      float[] s,
      int k0,
      int k1) {
    if (t.byRows) {
      outputRows(t, m, mOff, ld, bias, y, yOff, k0, k1);
    } else if (t.place != null) {
      outputPlaced(t, m, mOff, ld, bias, y, yOff, s, k0, k1);
    } else {
      outputPlanes(t, m, mOff, ld, bias, y, yOff, s, k0, k1);
    }
  }

  /**
   * {@link #output} where an image's tiles fit one register ({@link Tiles#place}), the same values
   * bit for bit: the four output runs Y_pq (row p, column q of every tile) are computed as in
   * {@link #outputPlanes} and go straight into the output's registers, each a permutation of a pair
   * of them ({@link Placement#outShuffles}), where the scratch runs' way interleaves rows of Q
   * floats from memory, element by element when a row is shorter than 2·L.
   *
   * <p>The runs are loaded as whole registers: lanes past the tiles read what follows a run and are
   * never placed. Masked loads would keep to the run, but C1 runs out of virtual registers on
   * sixteen of them (the Vector API's fallbacks are all force-inlined there), and a method C1 gives
   * up on can stay in C1's lower tier for good, where every vector operation is its fallback:
   * resnet20's training ran 10–30% slower in the launches where that happened. Channels whose last
   * run ends less than a register before the end of {@code m} go through {@link #outputPlanes}
   * (WinogradPlan's M has a register of slack, so only tests' exact arrays do).
   */
  static void outputPlaced(
      Tiles t,
      float[] m,
      int mOff,
      int ld,
      float[] bias,
      float[] y,
      int yOff,
      float[] s,
      int k0,
      int k1) {
    int ps = planeStride(t.k, ld);
    Placement pl = t.place;
    int outputs = t.p * t.q;
    int whole = Math.min(k1, Math.floorDiv(m.length - L - 15 * ps - mOff, ld) + 1);
    if (whole < k1) {
      outputPlanes(t, m, mOff, ld, bias, y, yOff, s, Math.max(k0, whole), k1);
    }
    for (int k = k0; k < whole; k++) {
      FloatVector bv = FloatVector.broadcast(S, bias == null ? 0f : bias[k]);
      int o = mOff + k * ld;
      FloatVector m0 = FloatVector.fromArray(S, m, o);
      FloatVector m1 = FloatVector.fromArray(S, m, o + ps);
      FloatVector m2 = FloatVector.fromArray(S, m, o + 2 * ps);
      FloatVector m3 = FloatVector.fromArray(S, m, o + 3 * ps);
      FloatVector m4 = FloatVector.fromArray(S, m, o + 4 * ps);
      FloatVector m5 = FloatVector.fromArray(S, m, o + 5 * ps);
      FloatVector m6 = FloatVector.fromArray(S, m, o + 6 * ps);
      FloatVector m7 = FloatVector.fromArray(S, m, o + 7 * ps);
      FloatVector m8 = FloatVector.fromArray(S, m, o + 8 * ps);
      FloatVector m9 = FloatVector.fromArray(S, m, o + 9 * ps);
      FloatVector m10 = FloatVector.fromArray(S, m, o + 10 * ps);
      FloatVector m11 = FloatVector.fromArray(S, m, o + 11 * ps);
      FloatVector a0 = m0.add(m4).add(m8);
      FloatVector a1 = m1.add(m5).add(m9);
      FloatVector a2 = m2.add(m6).add(m10);
      FloatVector a3 = m3.add(m7).add(m11);
      FloatVector y00 = a0.add(a1).add(a2).add(bv);
      FloatVector y01 = a1.sub(a2).sub(a3).add(bv);
      FloatVector c0 = m4.sub(m8).sub(FloatVector.fromArray(S, m, o + 12 * ps));
      FloatVector c1 = m5.sub(m9).sub(FloatVector.fromArray(S, m, o + 13 * ps));
      FloatVector c2 = m6.sub(m10).sub(FloatVector.fromArray(S, m, o + 14 * ps));
      FloatVector c3 = m7.sub(m11).sub(FloatVector.fromArray(S, m, o + 15 * ps));
      FloatVector y10 = c0.add(c1).add(c2).add(bv);
      FloatVector y11 = c1.sub(c2).sub(c3).add(bv);
      int d = yOff + k * outputs;
      for (int r = 0; r < pl.outRegs; r++) {
        VectorShuffle<Float> sh = pl.outShuffles[r];
        FloatVector v = y00.rearrange(sh, y01).blend(y10.rearrange(sh, y11), pl.outOdd[r]);
        if (r == pl.outRegs - 1) {
          v.intoArray(y, d + r * L, pl.outLast);
        } else {
          v.intoArray(y, d + r * L);
        }
      }
    }
  }

  /** {@link #output} through scratch runs: any geometry. */
  static void outputPlanes(
      Tiles t,
      float[] m,
      int mOff,
      int ld,
      float[] bias,
      float[] y,
      int yOff,
      float[] s,
      int k0,
      int k1) {
    int ps = planeStride(t.k, ld);
    int n = t.tilesP;
    int f = t.fourAt();
    for (int k = k0; k < k1; k++) {
      float b = bias == null ? 0f : bias[k];
      FloatVector bv = FloatVector.broadcast(S, b);
      int src = mOff + k * ld;
      int i = 0;
      for (; n >= L && i < n; i += L) {
        int j = Math.min(i, n - L);
        int o = src + j;
        FloatVector m0 = FloatVector.fromArray(S, m, o);
        FloatVector m1 = FloatVector.fromArray(S, m, o + ps);
        FloatVector m2 = FloatVector.fromArray(S, m, o + 2 * ps);
        FloatVector m3 = FloatVector.fromArray(S, m, o + 3 * ps);
        FloatVector m4 = FloatVector.fromArray(S, m, o + 4 * ps);
        FloatVector m5 = FloatVector.fromArray(S, m, o + 5 * ps);
        FloatVector m6 = FloatVector.fromArray(S, m, o + 6 * ps);
        FloatVector m7 = FloatVector.fromArray(S, m, o + 7 * ps);
        FloatVector m8 = FloatVector.fromArray(S, m, o + 8 * ps);
        FloatVector m9 = FloatVector.fromArray(S, m, o + 9 * ps);
        FloatVector m10 = FloatVector.fromArray(S, m, o + 10 * ps);
        FloatVector m11 = FloatVector.fromArray(S, m, o + 11 * ps);
        // Row 0 of Aᵀ over each column b (m0b + m1b + m2b), then over the columns.
        FloatVector a0 = m0.add(m4).add(m8);
        FloatVector a1 = m1.add(m5).add(m9);
        FloatVector a2 = m2.add(m6).add(m10);
        FloatVector a3 = m3.add(m7).add(m11);
        a0.add(a1).add(a2).add(bv).intoArray(s, f + j);
        a1.sub(a2).sub(a3).add(bv).intoArray(s, f + n + j);
        // Row 1 (m1b − m2b − m3b).
        FloatVector c0 = m4.sub(m8).sub(FloatVector.fromArray(S, m, o + 12 * ps));
        FloatVector c1 = m5.sub(m9).sub(FloatVector.fromArray(S, m, o + 13 * ps));
        FloatVector c2 = m6.sub(m10).sub(FloatVector.fromArray(S, m, o + 14 * ps));
        FloatVector c3 = m7.sub(m11).sub(FloatVector.fromArray(S, m, o + 15 * ps));
        c0.add(c1).add(c2).add(bv).intoArray(s, f + 2 * n + j);
        c1.sub(c2).sub(c3).add(bv).intoArray(s, f + 3 * n + j);
      }
      for (; i < n; i++) {
        int o = src + i;
        float a0 = m[o] + m[o + 4 * ps] + m[o + 8 * ps];
        float a1 = m[o + ps] + m[o + 5 * ps] + m[o + 9 * ps];
        float a2 = m[o + 2 * ps] + m[o + 6 * ps] + m[o + 10 * ps];
        float a3 = m[o + 3 * ps] + m[o + 7 * ps] + m[o + 11 * ps];
        s[f + i] = a0 + a1 + a2 + b;
        s[f + n + i] = a1 - a2 - a3 + b;
        float c0 = m[o + 4 * ps] - m[o + 8 * ps] - m[o + 12 * ps];
        float c1 = m[o + 5 * ps] - m[o + 9 * ps] - m[o + 13 * ps];
        float c2 = m[o + 6 * ps] - m[o + 10 * ps] - m[o + 14 * ps];
        float c3 = m[o + 7 * ps] - m[o + 11 * ps] - m[o + 15 * ps];
        s[f + 2 * n + i] = c0 + c1 + c2 + b;
        s[f + 3 * n + i] = c1 - c2 - c3 + b;
      }
      scatter(t, s, f, y, yOff + k * t.p * t.q);
    }
  }

  // One output plane (P, Q) from the 4 runs Y_pq of tiles at s[f]: y[2i + p][2j + q].
  /**
   * {@link #output} for {@link Tiles#byRows} geometries (padding 1: the output is the input's
   * size), the same values bit for bit: a register's four output vectors (row a, column c of its
   * tiles) go straight into y's rows, columns c = 0 and 1 interleaved by a lane shuffle. With rows
   * of L floats a register holds two tile rows, the low and high halves of the shuffle. The other
   * way round trips them through scratch and interleaves rows of 2·(L/2) floats one by one.
   */
  static void outputRows(
      Tiles t, float[] m, int mOff, int ld, float[] bias, float[] y, int yOff, int k0, int k1) {
    int ps = planeStride(t.k, ld);
    int q = t.q;
    boolean pairs = q == L;
    for (int k = k0; k < k1; k++) {
      FloatVector bv = FloatVector.broadcast(S, bias == null ? 0f : bias[k]);
      int src = mOff + k * ld;
      int yk = yOff + k * t.p * q;
      for (int j = 0; j < t.tilesP; j += L) {
        int o = src + j;
        FloatVector m0 = FloatVector.fromArray(S, m, o);
        FloatVector m1 = FloatVector.fromArray(S, m, o + ps);
        FloatVector m2 = FloatVector.fromArray(S, m, o + 2 * ps);
        FloatVector m3 = FloatVector.fromArray(S, m, o + 3 * ps);
        FloatVector m4 = FloatVector.fromArray(S, m, o + 4 * ps);
        FloatVector m5 = FloatVector.fromArray(S, m, o + 5 * ps);
        FloatVector m6 = FloatVector.fromArray(S, m, o + 6 * ps);
        FloatVector m7 = FloatVector.fromArray(S, m, o + 7 * ps);
        FloatVector m8 = FloatVector.fromArray(S, m, o + 8 * ps);
        FloatVector m9 = FloatVector.fromArray(S, m, o + 9 * ps);
        FloatVector m10 = FloatVector.fromArray(S, m, o + 10 * ps);
        FloatVector m11 = FloatVector.fromArray(S, m, o + 11 * ps);
        FloatVector a0 = m0.add(m4).add(m8);
        FloatVector a1 = m1.add(m5).add(m9);
        FloatVector a2 = m2.add(m6).add(m10);
        FloatVector a3 = m3.add(m7).add(m11);
        FloatVector y00 = a0.add(a1).add(a2).add(bv);
        FloatVector y01 = a1.sub(a2).sub(a3).add(bv);
        FloatVector c0 = m4.sub(m8).sub(FloatVector.fromArray(S, m, o + 12 * ps));
        FloatVector c1 = m5.sub(m9).sub(FloatVector.fromArray(S, m, o + 13 * ps));
        FloatVector c2 = m6.sub(m10).sub(FloatVector.fromArray(S, m, o + 14 * ps));
        FloatVector c3 = m7.sub(m11).sub(FloatVector.fromArray(S, m, o + 15 * ps));
        FloatVector y10 = c0.add(c1).add(c2).add(bv);
        FloatVector y11 = c1.sub(c2).sub(c3).add(bv);
        // Tile (i, jj) is output rows 2i, 2i + 1 and columns 2jj, 2jj + 1.
        int i = j / t.tw;
        int at = yk + 2 * i * q + 2 * (j % t.tw);
        y00.rearrange(VectorInterleave.LOW, y01).intoArray(y, at);
        y10.rearrange(VectorInterleave.LOW, y11).intoArray(y, at + q);
        if (pairs) {
          y00.rearrange(VectorInterleave.HIGH, y01).intoArray(y, at + 2 * q);
          y10.rearrange(VectorInterleave.HIGH, y11).intoArray(y, at + 3 * q);
        } else {
          y00.rearrange(VectorInterleave.HIGH, y01).intoArray(y, at + L);
          y10.rearrange(VectorInterleave.HIGH, y11).intoArray(y, at + q + L);
        }
      }
    }
  }

  private static void scatter(Tiles t, float[] s, int f, float[] y, int yOff) {
    for (int r = 0; r < t.p; r++) {
      int src = f + (r & 1) * 2 * t.tilesP + (r >> 1) * t.pitch;
      VectorInterleave.merge(s, src, s, src + t.tilesP, y, yOff + r * t.q, t.q);
    }
  }
}
