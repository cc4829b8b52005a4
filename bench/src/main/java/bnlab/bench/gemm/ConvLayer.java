package bnlab.bench.gemm;

import bnlab.kernel.ConvGeometry;

/**
 * One convolution of a model and the matrix products im2col turns it into: per image, forward y (K,
 * P·Q) = weight (K, C·R·S) · col (C·R·S, P·Q), so M = out channels K, N = P·Q, K = C·R·S; for a
 * batch of B images side by side N = B·P·Q.
 *
 * @param model model name ({@code vgg}, {@code resnet20})
 * @param name layer name
 * @param g the convolution's sizes
 */
record ConvLayer(String model, String name, ConvGeometry g) {
  /** The forward product's M (output channels). */
  int m() {
    return g.outChannels();
  }

  /** The forward product's N for {@code images} images side by side. */
  int n(int images) {
    return images * g.pq();
  }

  /** The forward product's K (C·R·S). */
  int k() {
    return g.crs();
  }

  /** e.g. {@code conv3 32→64 3x3/1 on 16x16}. */
  String describe() {
    return String.format(
        "%s %d→%d %dx%d/%d on %dx%d",
        name,
        g.channels(),
        g.outChannels(),
        g.kernelH(),
        g.kernelW(),
        g.strideH(),
        g.height(),
        g.width());
  }
}
