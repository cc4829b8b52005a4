package bnlab.onnx;

import bnlab.nn.Module;

/** Input checks and output sizes for the exporters, with messages naming the layer. */
final class Shapes {
  private Shapes() {}

  /**
   * Checks that {@code x} has one of {@code ranks} dims and, if {@code channels} &gt; 0, that many
   * at dim 1; {@code expected} describes the accepted shape, e.g. "(N, 6, H, W)".
   */
  static void check(
      String path, Module layer, Value x, String expected, int channels, int... ranks) {
    boolean rankOk = false;
    for (int r : ranks) {
      rankOk |= x.rank() == r;
    }
    if (!rankOk || (channels > 0 && x.dim(1) != channels)) {
      throw new OnnxExportException(
          OnnxGraph.where(path)
              + " ("
              + layer
              + ") expects input "
              + expected
              + " but gets "
              + x.shapeString());
    }
  }

  /** ⌊(in + 2·padding − kernel) / stride⌋ + 1, the output size of a window op. */
  static int window(String path, Module layer, int in, int kernel, int stride, int padding) {
    int out = Math.floorDiv(in + 2 * padding - kernel, stride) + 1;
    if (out < 1) {
      throw new OnnxExportException(
          OnnxGraph.where(path)
              + " ("
              + layer
              + ") gets an input of size "
              + in
              + ", smaller than its window; export with a larger input shape");
    }
    return out;
  }

  /** The shape {@code (N, c, dims...)}. */
  static int[] batch(int c, int... dims) {
    int[] s = new int[dims.length + 2];
    s[0] = -1;
    s[1] = c;
    System.arraycopy(dims, 0, s, 2, dims.length);
    return s;
  }
}
