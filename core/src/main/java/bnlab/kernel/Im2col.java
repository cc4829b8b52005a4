package bnlab.kernel;

/**
 * The naive im2col and col2im, the reference for {@link VectorIm2col}:
 *
 * <pre>
 * col[(c·R + r)·S + s, p·Q + q] = x[c, p·strideH − padH + r, q·strideW − padW + s]
 * </pre>
 *
 * and 0 where that index falls into the zero padding; x (C, H, W) is one image, col (C·R·S, P·Q).
 * col2im is the adjoint: it <em>adds</em> every entry of col into the image position it was read
 * from and drops padding positions.
 */
final class Im2col {
  private Im2col() {}

  // x (C,H,W) at xOff -> col (C*R*S, P*Q) at colOff
  static void im2col(ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
    int outH = g.outH();
    int outW = g.outW();
    int h = g.height();
    int w = g.width();
    int channels = g.channels();
    int kernelH = g.kernelH();
    int kernelW = g.kernelW();
    int strideH = g.strideH();
    int padH = g.padH();
    int strideW = g.strideW();
    int padW = g.padW();
    int idx = colOff;
    for (int c = 0; c < channels; c++) {
      for (int r = 0; r < kernelH; r++) {
        for (int s = 0; s < kernelW; s++) {
          for (int p = 0; p < outH; p++) {
            int ih = p * strideH - padH + r;
            for (int q = 0; q < outW; q++) {
              int iw = q * strideW - padW + s;
              boolean inside = ih >= 0 && ih < h && iw >= 0 && iw < w;
              col[idx++] = inside ? x[xOff + (c * h + ih) * w + iw] : 0f;
            }
          }
        }
      }
    }
  }

  // col (C*R*S, P*Q) at colOff -> dX (C,H,W) at xOff, accumulated
  static void col2im(ConvGeometry g, float[] col, int colOff, float[] dx, int xOff) {
    int outH = g.outH();
    int outW = g.outW();
    int h = g.height();
    int w = g.width();
    int channels = g.channels();
    int kernelH = g.kernelH();
    int kernelW = g.kernelW();
    int strideH = g.strideH();
    int padH = g.padH();
    int strideW = g.strideW();
    int padW = g.padW();
    int idx = colOff;
    for (int c = 0; c < channels; c++) {
      for (int r = 0; r < kernelH; r++) {
        for (int s = 0; s < kernelW; s++) {
          for (int p = 0; p < outH; p++) {
            int ih = p * strideH - padH + r;
            for (int q = 0; q < outW; q++) {
              int iw = q * strideW - padW + s;
              if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                dx[xOff + (c * h + ih) * w + iw] += col[idx];
              }
              idx++;
            }
          }
        }
      }
    }
  }
}
