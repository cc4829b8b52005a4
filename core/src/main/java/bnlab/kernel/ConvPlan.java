package bnlab.kernel;

/**
 * One convolution planned once and executed many times, in the manner of oneDNN's primitive
 * descriptors: made by {@link ConvKernels#plan} for a geometry, a batch size and a mode (training
 * or inference; input gradient needed or not), it names its {@link #strategy()}, owns its scratch
 * and, in training, keeps what forward computed for backward.
 *
 * <p>Shapes (channels first): x (batch, C, H, W), weight (K, C, R, S), bias (K), y and dY (batch,
 * K, P, Q), dX like x. A channels-last plan ({@link ConvKernels#planChannelsLast}) takes x (batch,
 * W, C), weight (S, C, K) and gives y (batch, Q, K). Arrays may be longer than needed; shorter ones
 * are rejected.
 *
 * <p>A plan is used by one thread at a time. Results do not depend on the number of kernel threads.
 */
public interface ConvPlan {
  /** The algorithm this plan runs. */
  ConvStrategy strategy();

  /** The sizes this plan was made for. */
  ConvGeometry geometry();

  /** Images per call. */
  int batch();

  /** Whether forward keeps what backward needs (training), or keeps nothing (inference). */
  boolean training();

  /** Whether backward may be asked for dX. */
  boolean inputGrad();

  /** Whether x and y are channels-last (Keras' layout) instead of channels first. */
  boolean channelsLast();

  /** y = x ⋆ weight + bias (bias may be null); y is overwritten. */
  default void forward(float[] x, float[] weight, float[] bias, float[] y) {
    forward(x, weight, bias, y, null);
  }

  /**
   * y = epilogue(x ⋆ weight + bias): as {@link #forward(float[], float[], float[], float[])}, with
   * {@code epilogue} (unless null) applied to every image's output channels right after the plan
   * computed them, while they are in cache. The bits are those of the plain forward followed by the
   * epilogue over the whole output.
   *
   * @throws IllegalArgumentException if an epilogue is given to a channels-last plan
   */
  void forward(float[] x, float[] weight, float[] bias, float[] y, ConvEpilogue epilogue);

  /**
   * dWeight += Σ_images dY ⋆ x (summed in a fixed order) and, when dx is not null, dx = the input
   * gradient (overwritten). In training, x must be the array given to the last forward (the plan
   * reuses what it derived from it); in inference what is needed is recomputed from x. The bias
   * gradient, a plain sum of dY, is left to the layer.
   *
   * @throws IllegalStateException if dx is not null but the plan was made without the input
   *     gradient, or, in training, x is not the last forward's input
   */
  void backward(float[] dy, float[] x, float[] weight, float[] dWeight, float[] dx);
}
