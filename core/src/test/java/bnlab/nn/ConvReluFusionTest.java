package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.kernel.Parallel;
import bnlab.nn.BasicBlock.Shortcut;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A ReLU right after a convolution, run in the convolution's pass ({@link ReLU#forwardAfter}),
 * gives the bits of the two layers one by one, in training and eval mode: y, dX, every gradient;
 * for every convolution algorithm, 1 and 2 threads; in a plain stack, in a model whose BatchNorms
 * were folded into its convolutions ({@link Fold#convBn}), and in a residual block without norms.
 */
class ConvReluFusionTest {
  private final int threadsBefore = Parallel.threads();

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(threadsBefore);
  }

  // DIRECT (5×5, few channels), WINOGRAD (3×3 stride 1, 16 channels), IM2COL (stride 2).
  private static Sequential plain() {
    Sequential s =
        new Sequential()
            .add("conv1", new Conv2d(3, 6, 5))
            .add("relu1", new ReLU())
            .add("pool1", new MaxPool2d(2))
            .add("conv2", new Conv2d(6, 16, 3, 1, 1, true))
            .add("relu2", new ReLU())
            .add("conv3", new Conv2d(16, 16, 3, 1, 1, false))
            .add("relu3", new ReLU())
            .add("conv4", new Conv2d(16, 8, 3, 2, 1, true))
            .add("relu4", new ReLU())
            .add("flatten", new Flatten())
            .add("fc", new Linear(8 * 4 * 4, 3));
    s.resetParameters(new Rng(121));
    return s;
  }

  @Test
  void aPlainStackGivesTheBitsOfItsLayersInTrainingAndEval() {
    for (int threads : new int[] {1, 2}) {
      Parallel.setThreads(threads);
      for (int n : new int[] {1, 4}) {
        Sequential fused = plain();
        Sequential layers = withListener(plain());
        for (boolean train : new boolean[] {true, true, false}) {
          if (!train) {
            fused.eval();
            layers.eval();
          }
          String what = n + " images, " + threads + " threads, train " + train;
          compare(
              fused, layers, Tensors.uniform(122, n, 3, 20, 20), Tensors.uniform(123, n, 3), what);
          assertTrue(((MaxPool2d) fused.get("pool1")).ranInConv(), "pool1 in conv1's pass");
        }
      }
    }
  }

  @Test
  void aFoldedModelGivesTheBitsOfItsLayers() {
    Sequential bn =
        new Sequential()
            .add("conv1", new Conv2d(3, 6, 5))
            .add("bn1", new BatchNorm2d(6))
            .add("relu1", new ReLU())
            .add("pool1", new MaxPool2d(2))
            .add("conv2", new Conv2d(6, 16, 3, 1, 1, false))
            .add("bn2", new BatchNorm2d(16))
            .add("relu2", new ReLU())
            .add("flatten", new Flatten())
            .add("fc", new Linear(16 * 8 * 8, 3));
    bn.resetParameters(new Rng(124));
    bn.forward(Tensors.uniform(125, 4, 3, 20, 20)); // running statistics move
    bn.eval();
    Sequential fused = Fold.convBn(bn);
    Sequential layers = withListener(Fold.convBn(bn));
    compare(
        fused, layers, Tensors.uniform(126, 3, 3, 20, 20), Tensors.uniform(127, 3, 3), "folded");
  }

  @Test
  void aResidualBlockWithoutNormsGivesTheBitsOfItsLayers() {
    BasicBlock block = new BasicBlock(16, 16, 1, Shortcut.A, null);
    block.resetParameters(new Rng(128));
    Map<String, Module> m = block.namedModules();
    for (boolean train : new boolean[] {true, false}) {
      block.train(train);
      Tensor x = Tensors.uniform(129, 3, 16, 8, 8);
      Tensor h = new ReLU().forward(m.get("conv1").forward(x));
      float[] branch = m.get("conv2").forward(h).toArray();
      float[] want = new float[branch.length];
      float[] identity = x.toArray();
      for (int i = 0; i < want.length; i++) {
        float v = branch[i] + identity[i];
        want[i] = v <= 0f ? 0f : v;
      }
      Tensors.assertSameBits(want, block.forward(x).toArray(), "y, train " + train);
    }
  }

  private static Sequential withListener(Sequential s) {
    s.setListener(new Sequential.Listener() {});
    return s;
  }

  private static void compare(
      Sequential fused, Sequential layers, Tensor x, Tensor dY, String what) {
    Tensors.assertSameBits(layers.forward(x).toArray(), fused.forward(x).toArray(), "y, " + what);
    Tensors.assertSameBits(
        layers.backward(dY).toArray(), fused.backward(dY).toArray(), "dX, " + what);
    Tensors.assertSameState(layers, fused, what);
  }
}
