package bnlab.nn;

import bnlab.kernel.ConvEpilogue;
import bnlab.kernel.KernelProvider;
import bnlab.kernel.PoolActivationKernels;
import bnlab.tensor.Tensor;

/**
 * Rectified linear unit, y = max(0, x), elementwise on any shape, as PyTorch's {@code nn.ReLU}: NaN
 * propagates (relu(NaN) = NaN, so a diverged model shows NaN downstream instead of zeros) and −0
 * gives 0. Backward: dX = dY where the output is &gt; 0, else 0 (PyTorch's convention of a zero
 * gradient at x = 0, and at NaN). Same in train and eval mode; no parameters.
 */
public final class ReLU extends Module {
  private static final PoolActivationKernels ACT = KernelProvider.get().poolActivation();
  private Tensor out;
  private Tensor dX;

  // The convolution output the epilogue rectifies: channels and values per channel.
  private int channels;
  private int plane;

  private final ConvEpilogue convEpilogue =
      (y, t0, t1, k0, k1) -> {
        for (int t = t0; t < t1; t++) {
          ACT.reluInPlace(y, (t * channels + k0) * plane, (t * channels + k1) * plane);
        }
      };

  @Override
  public Tensor forward(Tensor x) {
    out = Tensor.ensureLike(out, x);
    ACT.relu(x.data(), out.data(), x.size());
    return out;
  }

  /**
   * forward(conv.forward(x)) with the ReLU inside the convolution, on each image's output right
   * after it is computed and still in cache, instead of in a pass of its own over memory; the
   * convolution's own output is not stored. The same bits as the two layers one after the other, in
   * training and eval mode (this layer's backward needs only its output, the convolution's only x);
   * backward is unchanged: this layer's, then conv's. {@link Sequential} does it by itself for a
   * Conv2d followed by a ReLU when no listener is installed.
   */
  public Tensor forwardAfter(Conv2d conv, Tensor x) {
    return conv.forwardRectified(x, this, null);
  }

  /**
   * pool.forward(forwardAfter(conv, x)) with the pooling in the convolution's pass too, where
   * {@code pool} takes 2×2 windows with stride 2 (else the pooling runs on its own): the same bits,
   * and each layer's backward as usual (pool's, this layer's, conv's).
   */
  public Tensor forwardAfter(Conv2d conv, Tensor x, MaxPool2d pool) {
    if (conv.poolsInPass(x, pool)) {
      return conv.forwardRectified(x, this, pool);
    }
    return pool.forward(conv.forwardRectified(x, this, null));
  }

  /** The output (n, c, p, q) a convolution computes into with {@link #convEpilogue()}. */
  Tensor convOutput(int n, int c, int p, int q) {
    out = Tensor.ensure(out, n, c, p, q);
    channels = c;
    plane = p * q;
    return out;
  }

  ConvEpilogue convEpilogue() {
    return convEpilogue;
  }

  /**
   * forward(a + b) in one pass over memory, without the sum as a tensor of its own: a residual
   * block's output ({@link BasicBlock}). The same bits as the addition followed by {@link
   * #forward}; backward is unchanged.
   */
  Tensor forwardSum(Tensor a, Tensor b) {
    if (!a.sameShape(b)) {
      throw new IllegalArgumentException(
          "ReLU: the two terms of a sum differ in shape: "
              + java.util.Arrays.toString(a.shape())
              + " and "
              + java.util.Arrays.toString(b.shape()));
    }
    out = Tensor.ensureLike(out, a);
    ACT.addRelu(a.data(), b.data(), out.data(), a.size());
    return out;
  }

  @Override
  public Tensor backward(Tensor dY) {
    if (out == null || !dY.sameShape(out)) {
      throw new IllegalStateException("ReLU.backward: call forward first with the matching shape");
    }
    dX = Tensor.ensureLike(dX, dY);
    ACT.reluBackward(out.data(), dY.data(), dX.data(), dY.size());
    return dX;
  }
}
