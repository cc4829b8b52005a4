package bnlab.kernel;

import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * The direct convolution with the vectors across output channels instead of across output columns,
 * as oneDNN's direct convolutions run on blocked layouts: a register tile holds six output pixels ×
 * two vectors of output channels, and each tap adds x[pixel + tap] (broadcast) times the tap's
 * weights for those channels (two vector loads of the transposed weight). Unlike {@link
 * DirectConv}'s wide rows it computes only the valid outputs, and a layer whose output channels are
 * a multiple of 2·L fills every tile: the article's second layer (6→16, 5×5 on 14×14) has 100
 * outputs per channel where wide rows compute 144, in tiles of 6 + 6 + 4 channels.
 *
 * <p>Each output is the same chain of fused multiply-adds over the taps in the same order as in
 * {@link DirectConv#forward}, from zero, with the bias added afterwards: the results are those of
 * the wide rows bit for bit.
 */
final class PixelTiles {
  private PixelTiles() {}

  /** Pixels per register tile. */
  static final int PIXELS = 6;

  /** Whether this form computes a geometry (unpadded, stride 1): whole blocks of 2·L channels. */
  static boolean applies(ConvGeometry g) {
    return g.outChannels() % (2 * L) == 0;
  }

  /**
   * Where a plan's forward runs on pixel tiles rather than wide rows: where it {@link #applies} and
   * the wide rows would compute a third more outputs than the valid ones (valid outputs under
   * {@link #WIDE_SHARE} of the wide row). The article's second layer (100 of 144) measured 1.2–1.5×
   * faster so; resnet20's and vgg's 3×3 layers (80–94%) within ±5% of the wide rows, the tile's
   * scattered broadcasts costing about what the wide rows' extra columns do (one thread, AVX2).
   */
  static boolean pays(DirectConv.Layout pl) {
    return applies(pl.g) && pl.p * pl.q < WIDE_SHARE * pl.widePad;
  }

  /** See {@link #pays}. */
  static final double WIDE_SHARE = 0.75;

  /**
   * Each output pixel's offset in the image (row·W + column) for pixels 0..P·Q−1, then the last
   * pixel repeated to a whole number of tiles, so the last tile reads only inside the image.
   */
  static int[] bases(ConvGeometry g) {
    int pq = g.outSize() / g.outChannels();
    int tiles = (pq + PIXELS - 1) / PIXELS;
    int[] b = new int[tiles * PIXELS];
    for (int i = 0; i < b.length; i++) {
      int pix = Math.min(i, pq - 1);
      b[i] = pix / g.outW() * g.width() + pix % g.outW();
    }
    return b;
  }

  /** Floats of {@link #forward}'s scratch: the channel-minor outputs, and one tile of slack. */
  static int colsSize(ConvGeometry g) {
    int pq = g.outSize() / g.outChannels();
    return (pq + PIXELS) * 2 * L;
  }

  /** wT (K / 2L, crs, 2L): each block of 2·L output channels' weights, tap by tap. */
  static void transposeWeight(ConvGeometry g, float[] w, float[] wT) {
    int crs = g.crs();
    int bw = 2 * L;
    for (int k = 0; k < g.outChannels(); k++) {
      int blk = k / bw;
      int lane = k % bw;
      for (int t = 0; t < crs; t++) {
        wT[(blk * crs + t) * bw + lane] = w[k * crs + t];
      }
    }
  }

  /**
   * Image x at xOff (C, H, W, unpadded geometry) → y (K, P, Q) at yOff, plus bias (may be null),
   * from the transposed weight ({@link #transposeWeight}), the tap offsets {@code off} ({@link
   * DirectConv.Layout#rowOff}) and the pixel bases ({@link #bases}); {@code cols} holds {@link
   * #colsSize} floats.
   */
  static void forward(
      ConvGeometry g,
      int[] off,
      int[] bases,
      float[] wT,
      float[] x,
      int xOff,
      float[] bias,
      float[] y,
      int yOff,
      float[] cols) {
    int crs = g.crs();
    int pq = g.outSize() / g.outChannels();
    int bw = 2 * L;
    for (int blk = 0; blk < g.outChannels() / bw; blk++) {
      int wi = blk * crs * bw;
      for (int p0 = 0; p0 < bases.length; p0 += PIXELS) {
        k6x2(crs, wT, wi, x, xOff, bases, p0, off, cols, p0 * bw);
      }
      // Channel-minor tile outputs into y's channel planes, plus the bias.
      for (int j = 0; j < bw; j++) {
        int k = blk * bw + j;
        float b = bias == null ? 0f : bias[k];
        int d = yOff + k * pq;
        for (int i = 0; i < pq; i++) {
          y[d + i] = cols[i * bw + j] + b;
        }
      }
    }
  }

  /**
   * cols[ci + i·2L + (0..2L)] = Σ_t x[xOff + bases[p0 + i] + off[t]] · wT[wi + t·2L + (0..2L)] for
   * pixels i = 0..5.
   */
  static void k6x2(
      int crs,
      float[] wT,
      int wi,
      float[] x,
      int xOff,
      int[] bases,
      int p0,
      int[] off,
      float[] cols,
      int ci) {
    int b0 = xOff + bases[p0];
    int b1 = xOff + bases[p0 + 1];
    int b2 = xOff + bases[p0 + 2];
    int b3 = xOff + bases[p0 + 3];
    int b4 = xOff + bases[p0 + 4];
    int b5 = xOff + bases[p0 + 5];
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    FloatVector c40 = c00;
    FloatVector c41 = c00;
    FloatVector c50 = c00;
    FloatVector c51 = c00;
    for (int t = 0; t < crs; t++) {
      int o = off[t];
      int wj = wi + t * 2 * L;
      FloatVector w0 = FloatVector.fromArray(S, wT, wj);
      FloatVector w1 = FloatVector.fromArray(S, wT, wj + L);
      FloatVector a = FloatVector.broadcast(S, x[b0 + o]);
      c00 = a.fma(w0, c00);
      c01 = a.fma(w1, c01);
      a = FloatVector.broadcast(S, x[b1 + o]);
      c10 = a.fma(w0, c10);
      c11 = a.fma(w1, c11);
      a = FloatVector.broadcast(S, x[b2 + o]);
      c20 = a.fma(w0, c20);
      c21 = a.fma(w1, c21);
      a = FloatVector.broadcast(S, x[b3 + o]);
      c30 = a.fma(w0, c30);
      c31 = a.fma(w1, c31);
      a = FloatVector.broadcast(S, x[b4 + o]);
      c40 = a.fma(w0, c40);
      c41 = a.fma(w1, c41);
      a = FloatVector.broadcast(S, x[b5 + o]);
      c50 = a.fma(w0, c50);
      c51 = a.fma(w1, c51);
    }
    int bw = 2 * L;
    c00.intoArray(cols, ci);
    c01.intoArray(cols, ci + L);
    c10.intoArray(cols, ci + bw);
    c11.intoArray(cols, ci + bw + L);
    c20.intoArray(cols, ci + 2 * bw);
    c21.intoArray(cols, ci + 2 * bw + L);
    c30.intoArray(cols, ci + 3 * bw);
    c31.intoArray(cols, ci + 3 * bw + L);
    c40.intoArray(cols, ci + 4 * bw);
    c41.intoArray(cols, ci + 4 * bw + L);
    c50.intoArray(cols, ci + 5 * bw);
    c51.intoArray(cols, ci + 5 * bw + L);
  }
}
