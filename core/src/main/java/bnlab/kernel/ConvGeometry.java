package bnlab.kernel;

/**
 * The sizes of one convolution, from which a {@link ConvPlan} is made: x (N, channels, height,
 * width), weight (outChannels, channels, kernelH, kernelW) -> y (N, outChannels, outH, outW) with
 * outH = (height + 2·padH − kernelH) / strideH + 1 and outW likewise. A 1-d convolution over (N, C,
 * L) is height 1, kernelH 1, strideH 1, padH 0.
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

  /** Rejects sizes no convolution has, e.g. a kernel larger than the padded input. */
  public ConvGeometry {
    String problem =
        channels < 1 || height < 1 || width < 1 || outChannels < 1 || kernelH < 1 || kernelW < 1
            ? "sizes must be positive"
            : strideH < 1 || strideW < 1 || padH < 0 || padW < 0
                ? "need strides >= 1 and padding >= 0"
                : height + 2 * padH < kernelH || width + 2 * padW < kernelW
                    ? "the kernel is larger than the padded input"
                    : null;
    if (problem != null) {
      throw new IllegalArgumentException(
          String.format(
              "ConvGeometry: %s, got input (%d, %d, %d), %d output channels, kernel %dx%d,"
                  + " stride (%d, %d), padding (%d, %d)",
              problem,
              channels,
              height,
              width,
              outChannels,
              kernelH,
              kernelW,
              strideH,
              strideW,
              padH,
              padW));
    }
  }

  /** Output length of a window sweep: (in + 2·pad − kernel) / stride + 1. */
  public static int outSize(int in, int kernel, int stride, int pad) {
    return (in + 2 * pad - kernel) / stride + 1;
  }

  /** Output height P. */
  public int outH() {
    return outSize(height, kernelH, strideH, padH);
  }

  /** Output width Q. */
  public int outW() {
    return outSize(width, kernelW, strideW, padW);
  }

  /** Rows of one image's im2col matrix, C·R·S: the taps each output sums over. */
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

  /** Elements of one output image, K·P·Q. */
  public int outSize() {
    return outChannels * pq();
  }

  /** Elements of the weight, K·C·R·S. */
  public int weightSize() {
    return outChannels * crs();
  }

  /** E.g. {@code x (3, 32, 32) -> y (6, 28, 28), kernel 5x5, stride (1, 1), padding (0, 0)}. */
  @Override
  public String toString() {
    return String.format(
        "x (%d, %d, %d) -> y (%d, %d, %d), kernel %dx%d, stride (%d, %d), padding (%d, %d)",
        channels,
        height,
        width,
        outChannels,
        outH(),
        outW(),
        kernelH,
        kernelW,
        strideH,
        strideW,
        padH,
        padW);
  }
}
