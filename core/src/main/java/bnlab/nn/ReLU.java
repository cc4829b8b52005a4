package bnlab.nn;

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

  @Override
  public Tensor forward(Tensor x) {
    out = Tensor.ensureLike(out, x);
    ACT.relu(x.data(), out.data(), x.size());
    return out;
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
