package bnlab.kernel;

/**
 * im2col and col2im moving whole contiguous runs: for stride 1 along the width each (c, r, s, p)
 * row segment of col is one copy of an input row plus zero edges, and col2im adds such runs with
 * vectors; for stride 2 (resnet20's downsampling layers) the runs are every other input element,
 * gathered and scatter-added by lane permutations ({@link VectorInterleave#evens}, {@link
 * VectorInterleave#addIntoEvens}). Other strides take the naive {@link Im2col}. The results equal
 * the naive twin's bit for bit (the same additions in the same order per element).
 */
final class VectorIm2col {
  private VectorIm2col() {}

  // x (C,H,W) at xOff -> col (C*R*S, P*Q) at colOff
  static void im2col(ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
    if (g.strideW() == 2) {
      im2colStride2(g, x, xOff, col, colOff);
      return;
    }
    if (g.strideW() != 1) {
      Im2col.im2col(g, x, xOff, col, colOff);
      return;
    }
    int outH = g.outH();
    int outW = g.outW();
    int h = g.height();
    int w = g.width();
    int channels = g.channels();
    int kernelH = g.kernelH();
    int kernelW = g.kernelW();
    int strideH = g.strideH();
    int padH = g.padH();
    int padW = g.padW();
    int idx = colOff;
    for (int c = 0; c < channels; c++) {
      for (int r = 0; r < kernelH; r++) {
        for (int s = 0; s < kernelW; s++) {
          int q0 = Math.max(0, padW - s);
          int q1 = Math.min(outW, w + padW - s);
          for (int p = 0; p < outH; p++, idx += outW) {
            int ih = p * strideH - padH + r;
            if (ih < 0 || ih >= h || q0 >= q1) {
              java.util.Arrays.fill(col, idx, idx + outW, 0f);
              continue;
            }
            java.util.Arrays.fill(col, idx, idx + q0, 0f);
            System.arraycopy(x, xOff + (c * h + ih) * w + q0 - padW + s, col, idx + q0, q1 - q0);
            java.util.Arrays.fill(col, idx + q1, idx + outW, 0f);
          }
        }
      }
    }
  }

  // col (C*R*S, P*Q) at colOff -> dX (C,H,W) at xOff, accumulated; runs of Q added with vectors.
  static void col2im(ConvGeometry g, float[] col, int colOff, float[] dx, int xOff) {
    if (g.strideW() == 2) {
      col2imStride2(g, col, colOff, dx, xOff);
      return;
    }
    if (g.strideW() != 1) {
      Im2col.col2im(g, col, colOff, dx, xOff);
      return;
    }
    int outH = g.outH();
    int outW = g.outW();
    int h = g.height();
    int w = g.width();
    int channels = g.channels();
    int kernelH = g.kernelH();
    int kernelW = g.kernelW();
    int strideH = g.strideH();
    int padH = g.padH();
    int padW = g.padW();
    int idx = colOff;
    for (int c = 0; c < channels; c++) {
      for (int r = 0; r < kernelH; r++) {
        for (int s = 0; s < kernelW; s++) {
          int q0 = Math.max(0, padW - s);
          int q1 = Math.min(outW, w + padW - s);
          for (int p = 0; p < outH; p++, idx += outW) {
            int ih = p * strideH - padH + r;
            if (ih >= 0 && ih < h && q0 < q1) {
              VectorArrays.addInto(
                  col, idx + q0, dx, xOff + (c * h + ih) * w + q0 - padW + s, q1 - q0);
            }
          }
        }
      }
    }
  }

  // Output columns [q0, q1) of kernel column s at stride 2 read the input: 0 ≤ 2q − padW + s < w.
  private static int firstColumn(ConvGeometry g, int s) {
    return Math.max(0, (g.padW() - s + 1) / 2);
  }

  private static int endColumn(ConvGeometry g, int s) {
    return Math.min(g.outW(), Math.max(0, (g.width() + g.padW() - s + 1) / 2));
  }

  // im2col for stride 2 along the width: each row segment is every other element of an input row.
  private static void im2colStride2(ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
    int outH = g.outH();
    int outW = g.outW();
    int h = g.height();
    int w = g.width();
    int idx = colOff;
    for (int c = 0; c < g.channels(); c++) {
      for (int r = 0; r < g.kernelH(); r++) {
        for (int s = 0; s < g.kernelW(); s++) {
          int q0 = firstColumn(g, s);
          int q1 = endColumn(g, s);
          for (int p = 0; p < outH; p++, idx += outW) {
            int ih = p * g.strideH() - g.padH() + r;
            if (ih < 0 || ih >= h || q0 >= q1) {
              java.util.Arrays.fill(col, idx, idx + outW, 0f);
              continue;
            }
            java.util.Arrays.fill(col, idx, idx + q0, 0f);
            int from = xOff + (c * h + ih) * w + 2 * q0 - g.padW() + s;
            VectorInterleave.evens(x, from, q1 - q0, col, idx + q0, x.length);
            java.util.Arrays.fill(col, idx + q1, idx + outW, 0f);
          }
        }
      }
    }
  }

  // col2im for stride 2 along the width, within the image's dX (other threads own the rest).
  private static void col2imStride2(ConvGeometry g, float[] col, int colOff, float[] dx, int xOff) {
    int outH = g.outH();
    int outW = g.outW();
    int h = g.height();
    int w = g.width();
    int end = xOff + g.inSize();
    int idx = colOff;
    for (int c = 0; c < g.channels(); c++) {
      for (int r = 0; r < g.kernelH(); r++) {
        for (int s = 0; s < g.kernelW(); s++) {
          int q0 = firstColumn(g, s);
          int q1 = endColumn(g, s);
          for (int p = 0; p < outH; p++, idx += outW) {
            int ih = p * g.strideH() - g.padH() + r;
            if (ih >= 0 && ih < h && q0 < q1) {
              int to = xOff + (c * h + ih) * w + 2 * q0 - g.padW() + s;
              VectorInterleave.addIntoEvens(col, idx + q0, dx, to, q1 - q0, end);
            }
          }
        }
      }
    }
  }
}
