package bnlab.kernel;

import bnlab.nn.BatchNorm1d;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.lang.management.ManagementFactory;

/**
 * Runs in a JVM of its own, started by {@link InterpretedAllocationTest} with {@code -Xint}: prints
 * the kernel provider's name and the heap bytes one training forward and backward of BatchNorm1d
 * allocate once its tensors exist, as {@code provider bytes}.
 */
final class InterpretedAllocationProbe {
  private InterpretedAllocationProbe() {}

  public static void main(String[] args) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    // 37 rows cross the 32-row fold; 45 channels are whole vectors and a tail at every width.
    BatchNorm1d bn = new BatchNorm1d(45);
    bn.train();
    Tensor x = Tensor.zeros(37, 45);
    Tensor dy = Tensor.zeros(37, 45);
    Rng rng = new Rng(11);
    rng.fillUniform(x, -2f, 3f);
    rng.fillUniform(dy, -1f, 1f);
    long bytes = 0;
    for (int i = 0; i < 3; i++) {
      long a0 = threads.getCurrentThreadAllocatedBytes();
      bn.forward(x);
      bn.backward(dy);
      bytes = threads.getCurrentThreadAllocatedBytes() - a0;
    }
    System.out.println(KernelProvider.get().name() + " " + bytes);
  }
}
