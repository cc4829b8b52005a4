package bnlab.kernel;

/**
 * The sizes of one convolution, for the batched kernels {@link Kernels#convForward} and {@link
 * Kernels#convBackward}: x (N, channels, height, width), weight (outChannels, channels, kernelH,
 * kernelW) -> y (N, outChannels, outH, outW). A 1-d convolution over (N, C, L) is height 1, kernelH
 * 1, strideH 1, padH 0.
 *
 * @param channels input channels C
 * @param height input height H
 * @param width input width W
 * @param outChannels output channels K
 * @param kernelH kernel height R
 * @param kernelW kernel width S
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param padH zero padding top and bottom
 * @param padW zero padding left and right
 */
public record ConvGeometry(
    int channels,
    int height,
    int width,
    int outChannels,
    int kernelH,
    int kernelW,
    int strideH,
    int strideW,
    int padH,
    int padW) {

  /** Output height P. */
  public int outH() {
    return Kernels.outSize(height, kernelH, strideH, padH);
  }

  /** Output width Q. */
  public int outW() {
    return Kernels.outSize(width, kernelW, strideW, padW);
  }

  /** Rows of one image's im2col matrix, C·R·S. */
  public int crs() {
    return channels * kernelH * kernelW;
  }

  /** Columns of one image's im2col matrix, P·Q. */
  public int pq() {
    return outH() * outW();
  }

  /** Elements of one input image, C·H·W. */
  public int inSize() {
    return channels * height * width;
  }
}
