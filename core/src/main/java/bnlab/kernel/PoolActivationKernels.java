package bnlab.kernel;

/**
 * The pooling and activation concern of a {@link KernelProvider}: ReLU, PyTorch's {@code
 * MaxPool2d(2)} and the residual addition (alone or with the ReLU after it), memory-bound passes
 * whose vector twins are bit-identical to the scalar ones (no sum is reordered).
 */
public interface PoolActivationKernels {
  /**
   * ReLU forward, as PyTorch: y[i] = x[i] ≤ 0 ? 0 : x[i] for i in [0, n). NaN propagates (relu(NaN)
   * = NaN, so a diverged model cannot look healthy downstream) and −0 gives +0.
   */
  void relu(float[] x, float[] y, int n);

  /**
   * {@link #relu} in place on y[from, to), on the calling thread: a convolution's {@link
   * ConvEpilogue} on an image's output while it is in cache. The same bits as {@link #relu}.
   */
  void reluInPlace(float[] y, int from, int to);

  /**
   * ReLU backward from the output, PyTorch's rule: dx[i] = y[i] &gt; 0 ? dy[i] : 0 for i in [0, n)
   * (so 0 where the output is 0 or NaN).
   */
  void reluBackward(float[] y, float[] dy, float[] dx, int n);

  /**
   * out[i] = a[i] + b[i] for i in [0, n): a residual block's sum of its branch and its shortcut
   * (forward), or of the two paths' input gradients (backward). {@code out} may be {@code a} or
   * {@code b}.
   */
  void add(float[] a, float[] b, float[] out, int n);

  /**
   * y[i] = relu(a[i] + b[i]) for i in [0, n): a residual block's output, its sum and ReLU in one
   * pass. The sum is rounded to float first, then {@link #relu}'s rule applies, so y holds the bits
   * of {@link #add} followed by {@link #relu}. {@code y} may be {@code a} or {@code b}.
   */
  void addRelu(float[] a, float[] b, float[] y, int n);

  /**
   * 2×2 max pooling with stride 2 over {@code planes} planes of (h, w) → (h/2, w/2) (floor), as
   * PyTorch's {@code MaxPool2d(2)}: visiting a window's four elements in row-major order, a later
   * element replaces the best so far if it is greater, or if it is the first NaN (so the first
   * maximum wins ties and a NaN propagates). {@code argmax} gets the flat index into x of each
   * output's chosen element.
   */
  void maxPool2x2(float[] x, int planes, int h, int w, float[] y, int[] argmax);

  /**
   * {@link #maxPool2x2} of planes p0 ≤ p &lt; p1 only, on the calling thread: a convolution's
   * {@link ConvEpilogue} pooling an image's channels while they are in cache. Outputs and argmax
   * (flat indices into x) of those planes get what {@link #maxPool2x2} gives them.
   */
  void maxPool2x2Planes(float[] x, int p0, int p1, int h, int w, float[] y, int[] argmax);

  /**
   * Max pooling backward through the forward's choices: dx (planes, inPerPlane) is zeroed, then
   * dx[argmax[o]] += dy[o] for every output o in order. Every output's chosen element must lie in
   * the output's own plane (true of any max pooling); each plane's additions keep their order, so
   * splitting the planes cannot change a bit.
   */
  default void maxPoolBackward(
      float[] dy, int[] argmax, int planes, int outPerPlane, int inPerPlane, float[] dx) {
    maxPoolBackward(dy, null, argmax, planes, outPerPlane, inPerPlane, dx);
  }

  /**
   * {@link #maxPoolBackward} through a ReLU before the pooling: with {@code pooled} not null (the
   * pooling's output, whose input was the ReLU's output) dy[o] enters only where pooled[o] &gt; 0,
   * and +0 elsewhere. The bits of the pooling's backward followed by {@link #reluBackward}: the
   * ReLU passes the gradient at an input where its output is &gt; 0, and the only nonzero gradients
   * are at the argmaxes, where the ReLU's output is the pooled value itself.
   */
  void maxPoolBackward(
      float[] dy,
      float[] pooled,
      int[] argmax,
      int planes,
      int outPerPlane,
      int inPerPlane,
      float[] dx);

  /**
   * {@link #maxPoolBackward} of a {@link #maxPool2x2} (windows that do not overlap, each output's
   * argmax inside its own window): dx (planes, h, w) gets 0 + dy[o] at argmax[o] and zero elsewhere
   * (rows and columns outside every window included), the bits of the zeroing and the additions,
   * written window by window in one pass instead of a fill and a scatter.
   */
  default void maxPool2x2Backward(float[] dy, int[] argmax, int planes, int h, int w, float[] dx) {
    maxPool2x2Backward(dy, null, argmax, planes, h, w, dx);
  }

  /** {@link #maxPool2x2Backward} through a ReLU before the pooling, as {@link #maxPoolBackward}. */
  void maxPool2x2Backward(
      float[] dy, float[] pooled, int[] argmax, int planes, int h, int w, float[] dx);
}
