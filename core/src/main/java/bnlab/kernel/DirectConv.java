package bnlab.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels of {@link ConvStrategy#DIRECT}: convolution for stride 1 and no padding without
 * im2col (a padded convolution runs on padded copies, see {@link DirectConvPlan}); the scalar twin
 * is {@link ScalarConvPlan}.
 *
 * <p>The trick is to compute each output plane "wide": output (p, q) is stored at p·W + q of a row
 * of length (P−1)·W + Q, as if the output were as wide as the input. Then for every kernel tap (c,
 * r, s) the inputs it needs form one contiguous run, x[c·H·W + r·W + s + o] for o along the wide
 * row, so y_wide (K, wide) = weight (K, C·R·S) · X with row crs of X a shifted view of x: a matrix
 * product whose B rows are found through a table of offsets instead of a leading dimension, run by
 * the GEMM's register tiles in their offset-table variant ({@link Tile2Rows}). The columns q ≥ Q of
 * the wide rows are junk and are dropped when the result is copied into y (with the bias added).
 * The im2col matrix, C·R·S·P·Q floats per image (235 KB for the article's first layer), is never
 * written or read.
 *
 * <p>The weight gradient is the transposed product: dW[k, crs] = Σ_images Σ_o dy_wide[k, o] ·
 * x[rowOff[crs] + o], with dy copied into wide rows whose junk columns are zero, so the junk inputs
 * they meet add nothing (unless an input is infinite or NaN, when the gradient is NaN anyway in the
 * entries it reaches, and here possibly in a few more).
 *
 * <p>Every output element is computed by the same operations whichever chunk of images it is in, so
 * results do not depend on the thread count.
 */
final class DirectConv {
  private static final VectorSpecies<Float> S = VectorGemm.S;
  private static final int L = VectorGemm.L;

  /** The wide dY rows one weight-gradient block reads per pass ({@link Layout#groupImages}). */
  private static final int GROUP_FLOATS = 4096;

  /** Columns per register tile; wide rows are padded to whole tiles. */
  private static final int NR = VectorWidth.TILE_COLS;

  private DirectConv() {}

  /**
   * The same convolution over the zero-padded input: (H + 2·padH, W + 2·padW), no padding. A padded
   * convolution runs on copies of its images with the zeros written in.
   */
  static ConvGeometry unpadded(ConvGeometry g) {
    if (g.padH() == 0 && g.padW() == 0) {
      return g;
    }
    return new ConvGeometry(
        g.channels(),
        g.height() + 2 * g.padH(),
        g.width() + 2 * g.padW(),
        g.outChannels(),
        g.kernelH(),
        g.kernelW(),
        g.strideH(),
        g.strideW(),
        0,
        0);
  }

  /** Image x at xOff (C, H, W) into dst at dOff as (C, H + 2·padH, W + 2·padW) with zero edges. */
  static void padImage(ConvGeometry g, float[] x, int xOff, float[] dst, int dOff) {
    int h = g.height();
    int w = g.width();
    int hp = h + 2 * g.padH();
    int wp = w + 2 * g.padW();
    int pw = g.padW();
    // Only the border is zeroed: the interior is overwritten by the copy anyway.
    for (int c = 0; c < g.channels(); c++) {
      int base = dOff + c * hp * wp;
      java.util.Arrays.fill(dst, base, base + g.padH() * wp, 0f);
      for (int r = 0; r < h; r++) {
        int row = base + (r + g.padH()) * wp;
        for (int i = 0; i < pw; i++) {
          dst[row + i] = 0f;
          dst[row + pw + w + i] = 0f;
        }
        VectorArrays.copy(x, xOff + (c * h + r) * w, dst, row + pw, w);
      }
      java.util.Arrays.fill(dst, base + (g.padH() + h) * wp, base + hp * wp, 0f);
    }
  }

  /** The inverse of {@link #padImage}: the interior of src (padded) into dx at dxOff. */
  static void cropImage(ConvGeometry g, float[] src, float[] dx, int dxOff) {
    int h = g.height();
    int w = g.width();
    int hp = h + 2 * g.padH();
    int wp = w + 2 * g.padW();
    for (int c = 0; c < g.channels(); c++) {
      for (int r = 0; r < h; r++) {
        System.arraycopy(
            src, (c * hp + r + g.padH()) * wp + g.padW(), dx, dxOff + (c * h + r) * w, w);
      }
    }
  }

  /**
   * The input gradient as a direct convolution: dY (K, P, Q) zero-padded by R−1−padH rows and
   * S−1−padW columns on each side, convolved (stride 1, no padding) with the flipped weight, gives
   * dX (C, H, W) at once. Each dX element sums the same products in the same order as the padded
   * image's gradient did before its edges were dropped; only the taps that land on those edges are
   * no longer computed (11% of the products of resnet20's 16→16 layers, and a copy). Needs padH ≤
   * R−1 and padW ≤ S−1 ({@link #gradientFitsPadding}); a geometry without padding gets R−1 and S−1.
   */
  static ConvGeometry inputGradient(ConvGeometry g) {
    return new ConvGeometry(
        g.outChannels(),
        g.outH() + 2 * (g.kernelH() - 1 - g.padH()),
        g.outW() + 2 * (g.kernelW() - 1 - g.padW()),
        g.channels(),
        g.kernelH(),
        g.kernelW(),
        1,
        1,
        0,
        0);
  }

  /** Whether {@link #inputGradient} applies: padding no wider than the kernel less one. */
  static boolean gradientFitsPadding(ConvGeometry g) {
    return g.padH() <= g.kernelH() - 1 && g.padW() <= g.kernelW() - 1;
  }

  /** wT[c, k, r, s] = w[k, c, R−1−r, S−1−s] for weight w (K, C, R, S). */
  static void flipWeight(ConvGeometry g, float[] w, float[] wT) {
    int kk = g.outChannels();
    int cc = g.channels();
    int rr = g.kernelH();
    int ss = g.kernelW();
    for (int k = 0; k < kk; k++) {
      for (int c = 0; c < cc; c++) {
        for (int r = 0; r < rr; r++) {
          for (int s = 0; s < ss; s++) {
            wT[((c * kk + k) * rr + r) * ss + s] =
                w[((k * cc + c) * rr + rr - 1 - r) * ss + ss - 1 - s];
          }
        }
      }
    }
  }

  /**
   * dY of image t (K, P, Q) into the zero-padded planes of {@link #inputGradient}'s input at dst
   * (which holds at least that plan's reach, so no copy is made for the read-ahead).
   */
  static void padGradient(ConvGeometry g, float[] dy, int t, float[] dst) {
    int kk = g.outChannels();
    int p = g.outH();
    int q = g.outW();
    int eh = g.kernelH() - 1 - g.padH();
    int ew = g.kernelW() - 1 - g.padW();
    int ph = p + 2 * eh;
    int pw = q + 2 * ew;
    // The whole planes cleared at once: per-row fills of the borders alone measured slower.
    java.util.Arrays.fill(dst, 0, kk * ph * pw, 0f);
    for (int k = 0; k < kk; k++) {
      for (int r = 0; r < p; r++) {
        VectorArrays.copy(dy, ((t * kk + k) * p + r) * q, dst, (k * ph + r + eh) * pw + ew, q);
      }
    }
  }

  /** Sizes and the tap offset table of one (unpadded, stride-1) geometry, computed once. */
  static final class Layout {
    final ConvGeometry g;
    final int p;
    final int q;
    final int crs;

    /** Taps rounded up to a multiple of 4 for the weight-gradient kernel; extra taps read x[0]. */
    final int crsPad;

    /** Output channels rounded up to even for the weight-gradient kernel. */
    final int kPad;

    /** Length of a wide output row rounded up to whole register tiles. */
    final int widePad;

    /** Elements read from an image's start: the last tap's offset plus a wide row. */
    final int reach;

    /**
     * Whether an output row is a whole number of column tiles (Q a multiple of NR): each tile can
     * then cover one row's columns and store into y itself ({@link #rows}), computing none of the
     * wide rows' extra columns and copying nothing out.
     */
    final boolean rowTiles;

    /** Offset of each tap's run within an image: c·H·W + r·W + s. */
    final int[] rowOff;

    /**
     * {@link Reduction#P} in a field that C2 does not take for a constant (set in the constructor,
     * so that javac does not inline it either): the stride of {@link #weightGradImages}' position
     * loop in its one-copy form.
     */
    final int positionStep;

    /** Which form of {@link #weightGradImages}' position loop runs here ({@link KernelRace}). */
    final KernelRace positionLoop =
        new KernelRace("the direct weight gradient's position loop", "unrolled", "one copy");

    Layout(ConvGeometry g) {
      this(g, offsets(g));
    }

    /**
     * The layout of g over only the taps at {@code taps} (offsets within an image, in the order of
     * the weight's columns): g's sizes and wide rows, any subset and order of its taps. {@link
     * StridePhases} gives a stride-2 convolution's nine taps per channel among the sixteen of its
     * phases' 2×2 kernels this way.
     */
    Layout(ConvGeometry g, int[] taps) {
      if (taps.length == 0) {
        throw new IllegalArgumentException("a direct convolution needs at least one tap: " + g);
      }
      this.g = g;
      p = g.outH();
      q = g.outW();
      crs = taps.length;
      crsPad = (crs + 3) & ~3;
      kPad = (g.outChannels() + 1) & ~1;
      int wide = (p - 1) * g.width() + q;
      widePad = (wide + NR - 1) / NR * NR;
      rowOff = Arrays.copyOf(taps, crsPad);
      int last = 0;
      for (int t : taps) {
        last = Math.max(last, t);
      }
      reach = last + widePad;
      rowTiles = q > 0 && q % NR == 0;
      positionStep = Reduction.P;
    }

    // Every tap of g in the weight's order (c, r, s): c·H·W + r·W + s.
    private static int[] offsets(ConvGeometry g) {
      int[] off = new int[g.crs()];
      int i = 0;
      for (int c = 0; c < g.channels(); c++) {
        for (int r = 0; r < g.kernelH(); r++) {
          for (int s = 0; s < g.kernelW(); s++) {
            off[i++] = (c * g.height() + r) * g.width() + s;
          }
        }
      }
      return off;
    }

    /** Scratch for one image's wide output: K·widePad plus a vector of slack. */
    int wideSize() {
      return g.outChannels() * widePad + L;
    }

    /** Scratch for one image's wide dY rows (kPad rows). */
    int dyWideSize() {
      return kPad * widePad;
    }

    /** The weight gradient's partial sums: {@link Reduction#P} per weight of the padded blocks. */
    int accSize() {
      return kPad * crsPad * Reduction.P;
    }

    /**
     * Images per {@link #weightGradImages} pass: as many as keep one block's two wide dY rows
     * within {@link #GROUP_FLOATS} (16 KB; with the input rows they meet, about what L1 holds), at
     * least one. A 256-bit register covers half of the P = 16 partials, so each block reads its
     * rows twice, and the second time they should come from L1. Passes of 7 images over the
     * article's first layer ran at 33 GFLOP/s, of 1 or 2 at 44–48 (one thread, AVX2). resnet20's
     * and the article's 32×32 layers (896–1088-float rows) take 1 or 2 images, the article's 14×14
     * layer (144) 14, so that a chunk of batch 10 still runs in one pass (image by image, that
     * layer's sums would go to memory and back every 9 vectors).
     */
    int groupImages(int imagesPerChunk) {
      return Math.max(1, Math.min(imagesPerChunk, GROUP_FLOATS / (2 * widePad)));
    }
  }

  /**
   * Image x at xOff → y (K, P, Q) at yOff, plus bias (may be null), for the weight w (K, C·R·S)
   * laid out by {@link #panels}. {@code wide} holds {@link Layout#wideSize} floats, {@code pad}
   * {@link Layout#reach}; the latter is used when the image is so near the end of x that a wide row
   * would read past it.
   */
  static void forward(
      Layout pl,
      float[] x,
      int xOff,
      float[] w,
      float[] bias,
      float[] y,
      int yOff,
      float[] wide,
      float[] pad) {
    if (bias == null && pl.rowTiles) {
      rows(pl, w, x, xOff, y, yOff, 0, pl.p);
      return;
    }
    // Near the end of x a wide row would read past it: use the image copied into pad, zeros after.
    boolean padded = needsReadAhead(pl, x, xOff);
    if (padded) {
      readAhead(pl, x, xOff, pad);
    }
    float[] xs = padded ? pad : x;
    int so = padded ? 0 : xOff;
    columns(pl, w, xs, so, wide, 0, pl.widePad / NR);
    compact(pl, wide, bias, y, yOff, 0, pl.g.outChannels());
  }

  /**
   * Output rows [r0, r1) of {@link #forward} without bias where the layout has {@link
   * Layout#rowTiles}: each tile is NR columns of one row, all output channels, stored into y at
   * yOff (K, P, Q). Every output sums the same products in the same order as in the wide rows, so
   * the bits are those of {@link #forward} with {@link #compact}. A row tile reads no further than
   * the image's last element (the last row's last tap ends at (C−1)·H·W + (P+R−2)·W + Q+S−2 = C·H·W
   * − 1), so no read-ahead copy is needed. resnet20's 16→16 layers at 32×32 (34-wide rows) computed
   * 6% more products and copied every output once more in the wide form.
   */
  static void rows(Layout pl, float[] w, float[] xs, int so, float[] y, int yOff, int r0, int r1) {
    int width = pl.g.width();
    for (int r = r0; r < r1; r++) {
      row(pl, pl.crs, pl.rowOff, w, xs, so + r * width, y, yOff + r * pl.q);
    }
  }

  // One output row's column tiles over taps (their offsets off, the weight's panels w), stored
  // into y at yj with the channels P·Q apart.
  private static void row(
      Layout pl, int taps, int[] off, float[] w, float[] xs, int xj, float[] y, int yj) {
    int k = pl.g.outChannels();
    int pq = pl.p * pl.q;
    int n = pl.q / NR;
    int c = 0;
    if (pairs(k)) {
      for (; c + 1 < n; c += 2) {
        pairTiles(taps, off, pq, w, xs, xj + c * NR, y, yj + c * NR);
      }
    }
    for (; c < n; c++) {
      tiles(taps, off, pq, w, xs, xj + c * NR, y, yj + c * NR, k);
    }
  }

  /**
   * {@link #forward} over only the taps of {@code bands} (an input gradient's, {@link Bands}): the
   * same bits, since the taps left out multiply zeros.
   */
  static void forwardBands(
      Layout pl, Bands bands, float[] x, int xOff, float[] y, int yOff, float[] wide, float[] pad) {
    if (pl.rowTiles) {
      rowsBands(pl, bands, x, xOff, y, yOff);
      return;
    }
    boolean padded = needsReadAhead(pl, x, xOff);
    if (padded) {
      readAhead(pl, x, xOff, pad);
    }
    float[] xs = padded ? pad : x;
    int so = padded ? 0 : xOff;
    int k = pl.g.outChannels();
    boolean pairs = pairs(k);
    for (int c = 0, n = columnTiles(pl); c < n; c++) {
      int b = bands.band[c];
      int t = bands.taps[b];
      if (pairs && c + 1 < n && bands.band[c + 1] == b) {
        pairTiles(t, bands.off[b], pl.widePad, bands.w[b], xs, so + c * NR, wide, c * NR);
        c++;
      } else {
        tiles(t, bands.off[b], pl.widePad, bands.w[b], xs, so + c * NR, wide, c * NR, k);
      }
    }
    compact(pl, wide, null, y, yOff, 0, k);
  }

  // forwardBands by row tiles (rows): one band per output row.
  private static void rowsBands(Layout pl, Bands bands, float[] xs, int so, float[] y, int yOff) {
    int width = pl.g.width();
    for (int r = 0; r < pl.p; r++) {
      int b = bands.band[r];
      row(pl, bands.taps[b], bands.off[b], bands.w[b], xs, so + r * width, y, yOff + r * pl.q);
    }
  }

  /**
   * The taps of an input gradient ({@link #inputGradient}) that can meet a nonzero dY, per column
   * tile of its wide rows (per row where the layout has {@link Layout#rowTiles}). dY is padded by e
   * = R−1−padH zero rows on each side, so dX row ρ reads dY through kernel row r only for e ≤ ρ + r
   * < e + P: the tiles of the first and last R−1−padH rows skip the other kernel rows; a tile
   * spanning several rows takes the taps of any of them. For the article's conv2 (5×5, no padding:
   * 4 zero rows each side of 10) that leaves out 20% of the products (its input gradient took 2.4
   * ms at batch 128 before, 2.1 after; one thread, AVX2); the columns' zeros are still multiplied.
   * A band is a range of kernel rows [lo, hi) with its taps, their offsets and its columns of the
   * flipped weight ({@link #weights}), in the order of the full tap list, so every dX element sums
   * the same nonzero products in the same order.
   */
  static final class Bands {
    /** Band of each column tile (of each row, with {@link Layout#rowTiles}). */
    final int[] band;

    /**
     * Taps of each band, their offsets, and the flipped weight's columns (filled by weights, laid
     * out by {@link #panels}).
     */
    final int[] taps;

    final int[][] off;
    final float[][] w;
    private final int[] lo;
    private final int[] hi;
    private final Layout pl;

    /** A band's weight row-major, before {@link #panels}: the largest band's size. */
    private final float[] rowMajor;

    private Bands(Layout pl, int[] band, int[] lo, int[] hi) {
      this.pl = pl;
      this.band = band;
      this.lo = lo;
      this.hi = hi;
      int n = lo.length;
      int kk = pl.g.channels();
      int r = pl.g.kernelH();
      int ss = pl.g.kernelW();
      taps = new int[n];
      off = new int[n][];
      w = new float[n][];
      int most = 0;
      for (int b = 0; b < n; b++) {
        taps[b] = kk * (hi[b] - lo[b]) * ss;
        most = Math.max(most, taps[b]);
        off[b] = new int[taps[b]];
        w[b] = new float[pl.g.outChannels() * taps[b]];
        int t = 0;
        for (int k = 0; k < kk; k++) {
          for (int i = lo[b]; i < hi[b]; i++) {
            for (int s = 0; s < ss; s++) {
              off[b][t++] = pl.rowOff[(k * r + i) * ss + s];
            }
          }
        }
      }
      rowMajor = new float[pl.g.outChannels() * most];
    }

    /**
     * The bands of {@code grad} = {@link #inputGradient}(g), or null where every tile needs every
     * tap (padding R−1 on both sides).
     */
    static Bands of(ConvGeometry g, Layout grad) {
      int e = g.kernelH() - 1 - g.padH();
      if (e <= 0) {
        return null;
      }
      int rr = g.kernelH();
      int p = g.outH();
      int wp = grad.g.width();
      // One band per column tile of the wide rows, or per row where the tiles are rows' columns.
      int tiles = grad.rowTiles ? grad.p : grad.widePad / NR;
      int[] band = new int[tiles];
      int[] lo = new int[tiles];
      int[] hi = new int[tiles];
      int n = 0;
      for (int c = 0; c < tiles; c++) {
        int first = grad.rowTiles ? c : Math.min(grad.p - 1, c * NR / wp);
        int last = grad.rowTiles ? c : Math.min(grad.p - 1, (c * NR + NR - 1) / wp);
        int l = Math.max(0, e - last);
        int h = Math.min(rr, e + p - first);
        int b = 0;
        while (b < n && (lo[b] != l || hi[b] != h)) {
          b++;
        }
        if (b == n) {
          lo[n] = l;
          hi[n] = h;
          n++;
        }
        band[c] = b;
      }
      return new Bands(grad, band, Arrays.copyOf(lo, n), Arrays.copyOf(hi, n));
    }

    /** Each band's columns of the flipped weight wT (outputs, K·R·S) of the gradient's layout. */
    void weights(float[] wT) {
      int crs = pl.crs;
      int kk = pl.g.channels();
      int r = pl.g.kernelH();
      int ss = pl.g.kernelW();
      for (int b = 0; b < taps.length; b++) {
        int width = (hi[b] - lo[b]) * ss;
        for (int o = 0; o < pl.g.outChannels(); o++) {
          for (int k = 0; k < kk; k++) {
            System.arraycopy(
                wT, o * crs + (k * r + lo[b]) * ss, rowMajor, o * taps[b] + k * width, width);
          }
        }
        panels(rowMajor, 0, pl.g.outChannels(), taps[b], w[b]);
      }
    }

    /** Products per image over all column tiles, for the tests: Σ tiles' taps. */
    long products() {
      long sum = 0;
      for (int b : band) {
        sum += taps[b];
      }
      return sum * (pl.rowTiles ? pl.q : NR) * pl.g.outChannels();
    }
  }

  /** Whether {@link #forward} would read the image from {@code pad} (see {@link #readAhead}). */
  static boolean needsReadAhead(Layout pl, float[] x, int xOff) {
    return xOff + pl.reach > x.length;
  }

  /** The image at x[xOff] copied into pad with zeros after it, for {@link #columns}. */
  static void readAhead(Layout pl, float[] x, int xOff, float[] pad) {
    readAhead(pl, x, xOff, pad, 0);
  }

  /**
   * The image at x[xOff] copied to pad[pOff], followed by zeros up to the plan's reach: for an
   * image so near the end of x that its last wide rows would read past it.
   */
  static void readAhead(Layout pl, float[] x, int xOff, float[] pad, int pOff) {
    int size = pl.g.inSize();
    System.arraycopy(x, xOff, pad, pOff, size);
    java.util.Arrays.fill(pad, pOff + size, pOff + pl.reach, 0f);
  }

  /**
   * Column tiles [c0, c1) (of NR wide columns each) of {@link #forward}'s wide output, all output
   * channels, for the image at xs[so]: a part of one image's forward that another thread can run
   * beside the others.
   */
  static void columns(Layout pl, float[] w, float[] xs, int so, float[] wide, int c0, int c1) {
    int k = pl.g.outChannels();
    int c = c0;
    if (pairs(k)) {
      // Five vectors of columns at a time (a column tile is NR / L = 2 vectors), an even number of
      // such tiles, so that the column tiles left are whole.
      int v = c0 * (NR / L);
      for (int end = v + 5 * (((c1 - c0) * (NR / L) / 5) & ~1); v < end; v += 5) {
        fiveTiles(pl.crs, pl.rowOff, pl.widePad, w, xs, so + v * L, wide, v * L);
      }
      for (c = v / (NR / L); c + 1 < c1; c += 2) {
        pairTiles(pl.crs, pl.rowOff, pl.widePad, w, xs, so + c * NR, wide, c * NR);
      }
    }
    for (; c < c1; c++) {
      tiles(pl, w, xs, so + c * NR, wide, c * NR, k);
    }
  }

  /** Column tiles of a wide output: widePad / NR. */
  static int columnTiles(Layout pl) {
    return pl.widePad / NR;
  }

  // Output channels [0, k) of the wide columns [j, j + NR), panel by panel (panelRows).
  private static void tiles(Layout pl, float[] w, float[] xs, int xj, float[] wide, int j, int k) {
    tiles(pl.crs, pl.rowOff, pl.widePad, w, xs, xj, wide, j, k);
  }

  // The same over crs taps of weight panels w (panels) at offsets off.
  private static void tiles(
      int crs, int[] off, int ld, float[] w, float[] xs, int xj, float[] wide, int j, int k) {
    if (pairs(k)) {
      for (int i = 0; i < k; i += 2) {
        Tile2Rows.k2x2Pair(crs, w, i * crs, xs, xj, off, wide, i * ld + j, ld);
      }
      return;
    }
    for (int i = 0; i < k; ) {
      int rows = panelRows(k - i);
      int wi = i * crs;
      int ci = i * ld + j;
      switch (rows) {
        case 8 -> Tile2Rows.k8x2Rows(crs, w, wi, crs, xs, xj, off, 0f, wide, ci, ld);
        case 6 -> Tile2Rows.k6x2Rows(crs, w, wi, crs, xs, xj, off, 0f, wide, ci, ld);
        case 4 -> {
          if (PACKED_FOURS) {
            Tile2Rows.k4x2Panel(crs, w, wi, xs, xj, off, wide, ci, ld);
          } else {
            Tile2Rows.k4x2Rows(crs, w, wi, crs, xs, xj, off, 0f, wide, ci, ld);
          }
        }
        case 2 -> Tile2Rows.k2x2Rows(crs, w, wi, crs, xs, xj, off, 0f, wide, ci, ld);
        default -> Tile2Rows.k1x2Rows(crs, w, wi, crs, xs, xj, off, 0f, wide, ci, ld);
      }
      i += rows;
    }
  }

  // Five vectors of columns [j, j + 5·L) of a weight in row pairs (pairs): three 2×5 tiles.
  private static void fiveTiles(
      int crs, int[] off, int ld, float[] w, float[] xs, int xj, float[] wide, int j) {
    for (int i = 0; i < 6; i += 2) {
      Tile2Rows.k2x5Pair(crs, w, i * crs, xs, xj, off, wide, i * ld + j, ld);
    }
  }

  // Two column tiles [j, j + 2·NR) of a weight in row pairs (pairs): three 2×4 tiles.
  private static void pairTiles(
      int crs, int[] off, int ld, float[] w, float[] xs, int xj, float[] wide, int j) {
    for (int i = 0; i < 6; i += 2) {
      Tile2Rows.k2x4Pair(crs, w, i * crs, xs, xj, off, wide, i * ld + j, ld);
    }
  }

  /**
   * Whether a weight of k rows goes in row pairs, two column tiles at a time through 2×4 tiles
   * ({@link Tile2Rows#k2x4Pair}), instead of one 6×2 tile: k = 6 (the article's first layer and its
   * second layer's input gradient) with 16 registers, where the 6×2 tile spills. The article's
   * first layer alone (3→6, 5×5 on 32×32, 64 images in turn, one thread, AVX2, Zen 3): 38–57
   * GFLOP/s with 6×2, 49–80 with 2×4 on pairs; its second layer's input gradient (k = 6, 400 taps)
   * 84 and 82.
   */
  static boolean pairs(int k) {
    return k == 6 && PACKED_FOURS;
  }

  /**
   * Whether 4-row panels are packed ({@link #panels}): where the tile has 6 rows (16 registers), C2
   * keeps the 6×2 tile's six row offsets and twelve accumulators only by spilling a B vector and
   * row offsets around every k step (44 instructions for 12 FMAs in the disassembly), and the 4×2
   * tile on packed rows needs neither. The wide forward of resnet20's 16→16 layer alone (one
   * thread, AVX2, Zen 3, 64 images in turn): 57.7 GFLOP/s with 6 + 6 + 4 rows, 69.5 with four
   * strided 4×2 tiles, 80.6 with four packed ones. A packed 6×2 tile spills an accumulator (44
   * GFLOP/s), so 6 rows stay strided; with 32 registers nothing changes.
   */
  static final boolean PACKED_FOURS = VectorWidth.DIRECT_ROWS == 4;

  /**
   * Rows of the next panel of the weight's {@code left} remaining rows: 8 where the tile has 8
   * rows; else 4, but 6 for the last 6 or 7 rows, where 4 + 2 would end in a 2×2 tile whose four
   * accumulators wait out the multiply-adds' latency (with 16 registers a weight of exactly 6 rows
   * goes in {@link #pairs} instead); then 2 and 1. With 32 registers the 6×2 tile fits too: the
   * article's Net (first layer 3→6, second layer's input gradient 16→6) trained 1.08–1.12× faster
   * at batch 128 than with 4 + 2 (two builds alternating in one process, medians of 12, AMD Zen 5,
   * 512 bits, two threads).
   */
  static int panelRows(int left) {
    if (VectorWidth.TILE_ROWS == 8 && left >= 8) {
      return 8;
    }
    if (left == 6 || left == 7) {
      return 6;
    }
    return left >= 4 ? 4 : left >= 2 ? 2 : 1;
  }

  /**
   * Weight w (k rows of crs taps, row-major at wOff) into dst as the forward's tiles read it: panel
   * by panel ({@link #panelRows}), each in the rows' range of w; a packed panel of 4 rows ({@link
   * #PACKED_FOURS}) holds column p's four values at 4·p + (0..3), every other panel is copied as it
   * is. A weight that goes in row pairs ({@link #pairs}) holds each pair's column p at 2·p + (0,
   * 1). Each output element still sums the same products in the same order.
   */
  static void panels(float[] w, int wOff, int k, int crs, float[] dst) {
    if (pairs(k)) {
      for (int i = 0; i < k; i += 2) {
        for (int r = 0; r < 2; r++) {
          int src = wOff + (i + r) * crs;
          for (int p = 0; p < crs; p++) {
            dst[i * crs + 2 * p + r] = w[src + p];
          }
        }
      }
      return;
    }
    for (int i = 0; i < k; ) {
      int rows = panelRows(k - i);
      int base = i * crs;
      if (rows == 4 && PACKED_FOURS) {
        for (int r = 0; r < 4; r++) {
          int src = wOff + base + r * crs;
          for (int p = 0; p < crs; p++) {
            dst[base + 4 * p + r] = w[src + p];
          }
        }
      } else {
        System.arraycopy(w, wOff + base, dst, base, rows * crs);
      }
      i += rows;
    }
  }

  /**
   * Copies the wide rows' valid columns of output channels [k0, k1) into y, adding the bias. A
   * row's last vector may run past Q into the rows after it, which are written afterwards; where it
   * would run past channel k1's output (another thread may own what follows) the row's tail is
   * copied element by element.
   *
   * <p>A channel's rows go through one loop over their vectors, not a loop per row: rows of 10–28
   * floats are 2–4 vectors, and C2 splits every loop into pre-, main and post-loops whose entries
   * and exits cost several times the copy. One image of the article's first layer (6 channels of 28
   * rows) took 2.3–2.7 μs with a loop per row, its second (16 × 10 rows of 10) 1.9–2.2 μs (one
   * thread, AVX2, AMD Zen 3), about a fifth of the direct forward.
   */
  static void compact(Layout pl, float[] wide, float[] bias, float[] y, int yOff, int k0, int k1) {
    int w = pl.g.width();
    int p = pl.p;
    int q = pl.q;
    int vectors = (q + L - 1) / L;
    int end = yOff + k1 * p * q;
    for (int k = k0; k < k1; k++) {
      float b = bias == null ? 0f : bias[k];
      FloatVector bv = FloatVector.broadcast(S, b);
      int s = k * pl.widePad;
      int d = yOff + k * p * q;
      // Rows whose last vector ends before `end`: all of them but in the last channel or two.
      int whole = Math.clamp(Math.floorDiv(end - vectors * L - d, q) + 1, 0, p);
      int e = 0;
      for (int n = whole * vectors; n > 0; n--) {
        FloatVector.fromArray(S, wide, s + e).add(bv).intoArray(y, d + e);
        e += L;
        if (e >= q) {
          e = 0;
          s += w;
          d += q;
        }
      }
      for (int r = whole; r < p; r++, s += w, d += q) {
        e = 0;
        for (; e < q && d + e + L <= end; e += L) {
          FloatVector.fromArray(S, wide, s + e).add(bv).intoArray(y, d + e);
        }
        for (; e < q; e++) {
          y[d + e] = wide[s + e] + b;
        }
      }
    }
  }

  /** Clears the wide dY rows of {@code images} images (their junk columns stay zero afterwards). */
  static void weightGradBegin(Layout pl, float[] dyWide, int images) {
    java.util.Arrays.fill(dyWide, 0, images * pl.dyWideSize(), 0f);
  }

  /** dY of the image at dy[dyOff] into wide-row slot i of dyWide. */
  static void wideGradient(Layout pl, float[] dy, int dyOff, float[] dyWide, int i) {
    int kk = pl.g.outChannels();
    int p = pl.p;
    int q = pl.q;
    int w = pl.g.width();
    int base = i * pl.dyWideSize();
    for (int k = 0; k < kk; k++) {
      for (int r = 0; r < p; r++) {
        VectorArrays.copy(dy, dyOff + (k * p + r) * q, dyWide, base + k * pl.widePad + r * w, q);
      }
    }
  }

  /**
   * Adds a group of n images to the weight gradient's partial sums: acc[k, crs] += Σ_i Σ_o
   * dyWide_i[k, o] · xs_i[xb_i + rowOff[crs] + o], image i's input at srcs[i][offs[i]] (reading
   * {@link Layout#reach} floats, see {@link #needsReadAhead}) and its dY in wide-row slot i. The
   * chunk's first group starts from zero ({@code first}; acc is then only written); after its last
   * group ({@code part} not null) each weight's P partial sums are combined by {@link
   * Reduction#tree} into part[pOff + k·C·R·S + crs].
   *
   * <p>A chunk's images go through in groups so that what the sums read stays in the caches: one
   * image's dY and input (144 KB for resnet20's 16→16 layers) fit in L2 while a chunk of 16 did
   * not, and every 2×4 block of partial sums read them all again; with one thread and AVX2 that
   * layer's weight gradient ran at 35 GFLOP/s over 16 images at once, 46–47 image by image. Between
   * groups the sums wait in {@code acc} ({@link Layout#accSize}); a float stored and loaded is
   * exact, so the additions and the bits are those of one loop over all the images.
   */
  static void weightGradImages(
      Layout pl,
      int n,
      float[][] srcs,
      int[] offs,
      float[] dyWide,
      float[] acc,
      boolean first,
      float[] part,
      int pOff) {
    KernelRace race = pl.positionLoop;
    int ticket = race.ticket();
    int form = KernelRace.form(ticket);
    if (!KernelRace.timed(ticket)) {
      weightGradImages(pl, n, srcs, offs, dyWide, acc, first, part, pOff, form);
      return;
    }
    long t0 = System.nanoTime();
    weightGradImages(pl, n, srcs, offs, dyWide, acc, first, part, pOff, form);
    race.record(ticket, (System.nanoTime() - t0) / (double) n);
  }

  /**
   * {@link #weightGradImages} with the position loop in one form: 0, a constant stride, which C2
   * unrolls four times; 1, a stride read from a field ({@link Layout#positionStep}), which keeps
   * the loop one copy with a range check per load. The same products in the same order, so the same
   * bits; which is faster depends on the core, so the layout's {@link KernelRace} picks one. With
   * 16 registers the unrolled body spills: on AMD Zen 5 limited to AVX2 the one copy ran the
   * article's first layer's sums 1.77–1.80× as fast (one thread, alternating in one process), and
   * the Net's training step at batch 128 1.12×; natively on AMD Zen 3 the unrolled loop had been
   * 1.05–1.12× faster, with 32 registers it is 1.3× faster (docs/performance.md, "Zen 5, a sixth
   * time").
   */
  static void weightGradImages(
      Layout pl,
      int n,
      float[][] srcs,
      int[] offs,
      float[] dyWide,
      float[] acc,
      boolean first,
      float[] part,
      int pOff,
      int form) {
    // Reduction's order, so that the weight gradient is the same at every vector width: position o
    // of the wide rows goes to partial o mod P, one pass per L-lane slice h of the P partials (a
    // single pass on 512-bit registers); padding adds exact zeros. Each sum's chain of FMAs is the
    // same in a tile of 2 or 3 output channels, so the tiles do not move a bit.
    int k = 0;
    while (k < pl.kPad) {
      int rows = threeRows(pl.kPad - k) ? 3 : 2;
      int c0 = 0;
      if (rows == 2) {
        // Five taps at a time (ten sums) as long as the taps left stay a multiple of four.
        for (int n5 = (pl.crsPad / 5) & ~3; c0 < 5 * n5; c0 += 5) {
          for (int h = 0; h < Reduction.P; h += L) {
            rows2x5(pl, n, srcs, offs, dyWide, acc, first, k, c0, h, form);
          }
        }
      }
      for (int c = c0; c < pl.crsPad; c += 4) {
        for (int h = 0; h < Reduction.P; h += L) {
          if (rows == 3) {
            rows3(pl, n, srcs, offs, dyWide, acc, first, k, c, h, form);
          } else {
            rows2(pl, n, srcs, offs, dyWide, acc, first, k, c, h, form);
          }
        }
      }
      k += rows;
    }
    if (part == null) {
      return;
    }
    // The last group: each weight's P partials combined by the tree, eight weights of a row at
    // once.
    int kk = pl.g.outChannels();
    int crs = pl.crs;
    for (int r = 0; r < kk; r++) {
      int c = 0;
      for (; c + 8 <= crs; c += 8) {
        int w0 = pOff + r * crs + c;
        VectorTree.tree8(acc, (r * pl.crsPad + c) * Reduction.P, part, w0, w0 + 4);
      }
      for (; c < crs; c++) {
        part[pOff + r * crs + c] = VectorTree.tree(acc, (r * pl.crsPad + c) * Reduction.P);
      }
    }
  }

  /**
   * Whether the next tile of weightGradImages takes 3 output channels rather than 2, with {@code
   * left} (even) padded channels to go: where there are 32 registers (12 sums, 3 dY vectors and an
   * input vector; with 16 they spilled), as long as what is left after it is not a single channel.
   * The article's first layer (K = 6) alone at 512 bits: 2×4 tiles 7.4 µs per image, 3×4 6.6.
   */
  private static boolean threeRows(int left) {
    return VectorWidth.TILE_ROWS == 8 && left >= 3 && left != 4;
  }

  // Output channels k..k+1 × taps c..c+3 of weightGradImages, for one L-lane slice h of the P
  // partials: 8 sums in registers.
  private static void rows2(
      Layout pl,
      int n,
      float[][] srcs,
      int[] offs,
      float[] dyWide,
      float[] acc,
      boolean first,
      int k,
      int c,
      int h,
      int form) {
    final int q16 = Reduction.P;
    final int step = pl.positionStep;
    int ld = pl.widePad;
    int dw = pl.dyWideSize();
    int rs = pl.crsPad * q16;
    int a = (k * pl.crsPad + c) * q16;
    int[] off = pl.rowOff;
    int o0 = off[c], o1 = off[c + 1], o2 = off[c + 2], o3 = off[c + 3];
    FloatVector a0, a1, a2, a3, b0, b1, b2, b3;
    if (first) {
      a0 = FloatVector.zero(S);
      a1 = a0;
      a2 = a0;
      a3 = a0;
      b0 = a0;
      b1 = a0;
      b2 = a0;
      b3 = a0;
    } else {
      a0 = FloatVector.fromArray(S, acc, a + h);
      a1 = FloatVector.fromArray(S, acc, a + q16 + h);
      a2 = FloatVector.fromArray(S, acc, a + 2 * q16 + h);
      a3 = FloatVector.fromArray(S, acc, a + 3 * q16 + h);
      b0 = FloatVector.fromArray(S, acc, a + rs + h);
      b1 = FloatVector.fromArray(S, acc, a + rs + 1 * q16 + h);
      b2 = FloatVector.fromArray(S, acc, a + rs + 2 * q16 + h);
      b3 = FloatVector.fromArray(S, acc, a + rs + 3 * q16 + h);
    }
    for (int i = 0; i < n; i++) {
      float[] xs = srcs[i];
      int xb = offs[i];
      int g0 = i * dw + k * ld;
      // The position loop in the race's form: two copies of one body, on purpose; what makes C2
      // compile them differently is that one stride is a constant and the other is not, which a
      // shared loop could not keep apart. The same products in the same order either way.
      if (form == 0) {
        for (int o = h; o < ld; o += q16) {
          FloatVector d0 = FloatVector.fromArray(S, dyWide, g0 + o);
          FloatVector d1 = FloatVector.fromArray(S, dyWide, g0 + ld + o);
          FloatVector v = FloatVector.fromArray(S, xs, xb + o0 + o);
          a0 = d0.fma(v, a0);
          b0 = d1.fma(v, b0);
          v = FloatVector.fromArray(S, xs, xb + o1 + o);
          a1 = d0.fma(v, a1);
          b1 = d1.fma(v, b1);
          v = FloatVector.fromArray(S, xs, xb + o2 + o);
          a2 = d0.fma(v, a2);
          b2 = d1.fma(v, b2);
          v = FloatVector.fromArray(S, xs, xb + o3 + o);
          a3 = d0.fma(v, a3);
          b3 = d1.fma(v, b3);
        }
      } else {
        for (int o = h; o < ld; o += step) {
          FloatVector d0 = FloatVector.fromArray(S, dyWide, g0 + o);
          FloatVector d1 = FloatVector.fromArray(S, dyWide, g0 + ld + o);
          FloatVector v = FloatVector.fromArray(S, xs, xb + o0 + o);
          a0 = d0.fma(v, a0);
          b0 = d1.fma(v, b0);
          v = FloatVector.fromArray(S, xs, xb + o1 + o);
          a1 = d0.fma(v, a1);
          b1 = d1.fma(v, b1);
          v = FloatVector.fromArray(S, xs, xb + o2 + o);
          a2 = d0.fma(v, a2);
          b2 = d1.fma(v, b2);
          v = FloatVector.fromArray(S, xs, xb + o3 + o);
          a3 = d0.fma(v, a3);
          b3 = d1.fma(v, b3);
        }
      }
    }
    a0.intoArray(acc, a + h);
    a1.intoArray(acc, a + q16 + h);
    a2.intoArray(acc, a + 2 * q16 + h);
    a3.intoArray(acc, a + 3 * q16 + h);
    b0.intoArray(acc, a + rs + h);
    b1.intoArray(acc, a + rs + 1 * q16 + h);
    b2.intoArray(acc, a + rs + 2 * q16 + h);
    b3.intoArray(acc, a + rs + 3 * q16 + h);
  }

  // rows2 over taps c..c+4: 10 sums, two dY vectors and one input vector in 13 of 16 registers,
  // where eight sums leave the multiply-adds' latency partly exposed. The article's first layer's
  // weight gradient (one thread, AVX2, AMD Zen 5): see docs/performance.md, "Zen 5, a tenth time".
  private static void rows2x5(
      Layout pl,
      int n,
      float[][] srcs,
      int[] offs,
      float[] dyWide,
      float[] acc,
      boolean first,
      int k,
      int c,
      int h,
      int form) {
    final int q16 = Reduction.P;
    final int step = pl.positionStep;
    int ld = pl.widePad;
    int dw = pl.dyWideSize();
    int rs = pl.crsPad * q16;
    int a = (k * pl.crsPad + c) * q16;
    int[] off = pl.rowOff;
    int o0 = off[c], o1 = off[c + 1], o2 = off[c + 2], o3 = off[c + 3], o4 = off[c + 4];
    FloatVector a0, a1, a2, a3, a4, b0, b1, b2, b3, b4;
    if (first) {
      a0 = FloatVector.zero(S);
      a1 = a0;
      a2 = a0;
      a3 = a0;
      a4 = a0;
      b0 = a0;
      b1 = a0;
      b2 = a0;
      b3 = a0;
      b4 = a0;
    } else {
      a0 = FloatVector.fromArray(S, acc, a + h);
      a1 = FloatVector.fromArray(S, acc, a + q16 + h);
      a2 = FloatVector.fromArray(S, acc, a + 2 * q16 + h);
      a3 = FloatVector.fromArray(S, acc, a + 3 * q16 + h);
      a4 = FloatVector.fromArray(S, acc, a + 4 * q16 + h);
      b0 = FloatVector.fromArray(S, acc, a + rs + h);
      b1 = FloatVector.fromArray(S, acc, a + rs + 1 * q16 + h);
      b2 = FloatVector.fromArray(S, acc, a + rs + 2 * q16 + h);
      b3 = FloatVector.fromArray(S, acc, a + rs + 3 * q16 + h);
      b4 = FloatVector.fromArray(S, acc, a + rs + 4 * q16 + h);
    }
    for (int i = 0; i < n; i++) {
      float[] xs = srcs[i];
      int xb = offs[i];
      int g0 = i * dw + k * ld;
      // The position loop in the race's form: two copies of one body, on purpose; what makes C2
      // compile them differently is that one stride is a constant and the other is not, which a
      // shared loop could not keep apart. The same products in the same order either way.
      if (form == 0) {
        for (int o = h; o < ld; o += q16) {
          FloatVector d0 = FloatVector.fromArray(S, dyWide, g0 + o);
          FloatVector d1 = FloatVector.fromArray(S, dyWide, g0 + ld + o);
          FloatVector v = FloatVector.fromArray(S, xs, xb + o0 + o);
          a0 = d0.fma(v, a0);
          b0 = d1.fma(v, b0);
          v = FloatVector.fromArray(S, xs, xb + o1 + o);
          a1 = d0.fma(v, a1);
          b1 = d1.fma(v, b1);
          v = FloatVector.fromArray(S, xs, xb + o2 + o);
          a2 = d0.fma(v, a2);
          b2 = d1.fma(v, b2);
          v = FloatVector.fromArray(S, xs, xb + o3 + o);
          a3 = d0.fma(v, a3);
          b3 = d1.fma(v, b3);
          v = FloatVector.fromArray(S, xs, xb + o4 + o);
          a4 = d0.fma(v, a4);
          b4 = d1.fma(v, b4);
        }
      } else {
        for (int o = h; o < ld; o += step) {
          FloatVector d0 = FloatVector.fromArray(S, dyWide, g0 + o);
          FloatVector d1 = FloatVector.fromArray(S, dyWide, g0 + ld + o);
          FloatVector v = FloatVector.fromArray(S, xs, xb + o0 + o);
          a0 = d0.fma(v, a0);
          b0 = d1.fma(v, b0);
          v = FloatVector.fromArray(S, xs, xb + o1 + o);
          a1 = d0.fma(v, a1);
          b1 = d1.fma(v, b1);
          v = FloatVector.fromArray(S, xs, xb + o2 + o);
          a2 = d0.fma(v, a2);
          b2 = d1.fma(v, b2);
          v = FloatVector.fromArray(S, xs, xb + o3 + o);
          a3 = d0.fma(v, a3);
          b3 = d1.fma(v, b3);
          v = FloatVector.fromArray(S, xs, xb + o4 + o);
          a4 = d0.fma(v, a4);
          b4 = d1.fma(v, b4);
        }
      }
    }
    a0.intoArray(acc, a + h);
    a1.intoArray(acc, a + q16 + h);
    a2.intoArray(acc, a + 2 * q16 + h);
    a3.intoArray(acc, a + 3 * q16 + h);
    b0.intoArray(acc, a + rs + h);
    b1.intoArray(acc, a + rs + 1 * q16 + h);
    b2.intoArray(acc, a + rs + 2 * q16 + h);
    b3.intoArray(acc, a + rs + 3 * q16 + h);
    a4.intoArray(acc, a + 4 * q16 + h);
    b4.intoArray(acc, a + rs + 4 * q16 + h);
  }

  // Output channels k..k+2 × taps c..c+3 of weightGradImages, for one L-lane slice h of the P
  // partials: 12 sums in registers.
  private static void rows3(
      Layout pl,
      int n,
      float[][] srcs,
      int[] offs,
      float[] dyWide,
      float[] acc,
      boolean first,
      int k,
      int c,
      int h,
      int form) {
    final int q16 = Reduction.P;
    final int step = pl.positionStep;
    int ld = pl.widePad;
    int dw = pl.dyWideSize();
    int rs = pl.crsPad * q16;
    int a = (k * pl.crsPad + c) * q16;
    int[] off = pl.rowOff;
    int o0 = off[c], o1 = off[c + 1], o2 = off[c + 2], o3 = off[c + 3];
    FloatVector a0, a1, a2, a3, b0, b1, b2, b3, e0, e1, e2, e3;
    if (first) {
      a0 = FloatVector.zero(S);
      a1 = a0;
      a2 = a0;
      a3 = a0;
      b0 = a0;
      b1 = a0;
      b2 = a0;
      b3 = a0;
      e0 = a0;
      e1 = a0;
      e2 = a0;
      e3 = a0;
    } else {
      a0 = FloatVector.fromArray(S, acc, a + h);
      a1 = FloatVector.fromArray(S, acc, a + q16 + h);
      a2 = FloatVector.fromArray(S, acc, a + 2 * q16 + h);
      a3 = FloatVector.fromArray(S, acc, a + 3 * q16 + h);
      b0 = FloatVector.fromArray(S, acc, a + rs + h);
      b1 = FloatVector.fromArray(S, acc, a + rs + 1 * q16 + h);
      b2 = FloatVector.fromArray(S, acc, a + rs + 2 * q16 + h);
      b3 = FloatVector.fromArray(S, acc, a + rs + 3 * q16 + h);
      e0 = FloatVector.fromArray(S, acc, a + 2 * rs + h);
      e1 = FloatVector.fromArray(S, acc, a + 2 * rs + 1 * q16 + h);
      e2 = FloatVector.fromArray(S, acc, a + 2 * rs + 2 * q16 + h);
      e3 = FloatVector.fromArray(S, acc, a + 2 * rs + 3 * q16 + h);
    }
    for (int i = 0; i < n; i++) {
      float[] xs = srcs[i];
      int xb = offs[i];
      int g0 = i * dw + k * ld;
      // The position loop in the race's form: two copies of one body, on purpose; what makes C2
      // compile them differently is that one stride is a constant and the other is not, which a
      // shared loop could not keep apart. The same products in the same order either way.
      if (form == 0) {
        for (int o = h; o < ld; o += q16) {
          FloatVector d0 = FloatVector.fromArray(S, dyWide, g0 + o);
          FloatVector d1 = FloatVector.fromArray(S, dyWide, g0 + ld + o);
          FloatVector d2 = FloatVector.fromArray(S, dyWide, g0 + 2 * ld + o);
          FloatVector v = FloatVector.fromArray(S, xs, xb + o0 + o);
          a0 = d0.fma(v, a0);
          b0 = d1.fma(v, b0);
          e0 = d2.fma(v, e0);
          v = FloatVector.fromArray(S, xs, xb + o1 + o);
          a1 = d0.fma(v, a1);
          b1 = d1.fma(v, b1);
          e1 = d2.fma(v, e1);
          v = FloatVector.fromArray(S, xs, xb + o2 + o);
          a2 = d0.fma(v, a2);
          b2 = d1.fma(v, b2);
          e2 = d2.fma(v, e2);
          v = FloatVector.fromArray(S, xs, xb + o3 + o);
          a3 = d0.fma(v, a3);
          b3 = d1.fma(v, b3);
          e3 = d2.fma(v, e3);
        }
      } else {
        for (int o = h; o < ld; o += step) {
          FloatVector d0 = FloatVector.fromArray(S, dyWide, g0 + o);
          FloatVector d1 = FloatVector.fromArray(S, dyWide, g0 + ld + o);
          FloatVector d2 = FloatVector.fromArray(S, dyWide, g0 + 2 * ld + o);
          FloatVector v = FloatVector.fromArray(S, xs, xb + o0 + o);
          a0 = d0.fma(v, a0);
          b0 = d1.fma(v, b0);
          e0 = d2.fma(v, e0);
          v = FloatVector.fromArray(S, xs, xb + o1 + o);
          a1 = d0.fma(v, a1);
          b1 = d1.fma(v, b1);
          e1 = d2.fma(v, e1);
          v = FloatVector.fromArray(S, xs, xb + o2 + o);
          a2 = d0.fma(v, a2);
          b2 = d1.fma(v, b2);
          e2 = d2.fma(v, e2);
          v = FloatVector.fromArray(S, xs, xb + o3 + o);
          a3 = d0.fma(v, a3);
          b3 = d1.fma(v, b3);
          e3 = d2.fma(v, e3);
        }
      }
    }
    a0.intoArray(acc, a + h);
    a1.intoArray(acc, a + q16 + h);
    a2.intoArray(acc, a + 2 * q16 + h);
    a3.intoArray(acc, a + 3 * q16 + h);
    b0.intoArray(acc, a + rs + h);
    b1.intoArray(acc, a + rs + 1 * q16 + h);
    b2.intoArray(acc, a + rs + 2 * q16 + h);
    b3.intoArray(acc, a + rs + 3 * q16 + h);
    e0.intoArray(acc, a + 2 * rs + h);
    e1.intoArray(acc, a + 2 * rs + 1 * q16 + h);
    e2.intoArray(acc, a + 2 * rs + 2 * q16 + h);
    e3.intoArray(acc, a + 2 * rs + 3 * q16 + h);
  }
}
