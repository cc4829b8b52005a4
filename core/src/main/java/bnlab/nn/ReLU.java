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
