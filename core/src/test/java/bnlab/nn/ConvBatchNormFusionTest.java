package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.kernel.Parallel;
import bnlab.nn.BasicBlock.Shortcut;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An eval-mode BatchNorm (and the ReLU after it) run in the preceding convolution's pass ({@link
 * BatchNorm#forwardAfter}) gives the bits of the layers run one by one: y, and after it dX, every
 * gradient and the buffers, for every convolution algorithm (direct, Winograd, im2col), one image
 * and several, 1 and 2 threads; and it is taken only where it applies.
 */
class ConvBatchNormFusionTest {
  private final int threadsBefore = Parallel.threads();

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(threadsBefore);
  }

  // DIRECT (5×5 with few channels) with a 2×2 pool on an odd size, WINOGRAD (3×3 stride 1, 16
  // channels), IM2COL (stride 2), a BN without a ReLU after it, a BN without γ and β, and a last
  // convolution with a 1×1 output (one value per channel and image: normalized on its own).
  private static Sequential model() {
    Sequential s =
        new Sequential()
            .add("conv1", new Conv2d(3, 6, 5))
            .add("bn1", new BatchNorm2d(6))
            .add("relu1", new ReLU())
            .add("pool1", new MaxPool2d(2))
            .add("conv2", new Conv2d(6, 16, 3, 1, 1, false))
            .add("bn2", new BatchNorm2d(16, 1e-5, 0.1, false, true))
            .add("relu2", new ReLU())
            .add("conv3", new Conv2d(16, 16, 3, 1, 1, true))
            .add("bn3", new BatchNorm2d(16, 1e-3, null, true, true))
            .add("conv4", new Conv2d(16, 8, 3, 2, 1, true))
            .add("bn4", new BatchNorm2d(8))
            .add("relu4", new ReLU())
            .add("conv5", new Conv2d(8, 4, 2, 1, 0, true))
            .add("bn5", new BatchNorm2d(4))
            .add("relu5", new ReLU())
            .add("flatten", new Flatten())
            .add("fc", new Linear(4, 3));
    s.resetParameters(new Rng(81));
    Rng rng = new Rng(82);
    for (Map.Entry<String, Parameter> p : s.namedParameters().entrySet()) {
      if (p.getKey().startsWith("bn")) {
        float[] a = p.getValue().data().data();
        for (int i = 0; i < a.length; i++) {
          a[i] += rng.uniform(-0.5f, 0.5f);
        }
      }
    }
    return s;
  }

  private static final String[] NORMS = {"bn1", "bn2", "bn3", "bn4"};

  @Test
  void evalModeGivesTheBitsOfTheLayersOneByOne() {
    for (int threads : new int[] {1, 2}) {
      Parallel.setThreads(threads);
      for (int n : new int[] {1, 3, 10}) {
        String what = n + " images, " + threads + " threads";
        Sequential fused = model();
        Sequential layers = model();
        List<String> seen = new ArrayList<>();
        layers.setListener(
            new Sequential.Listener() {
              @Override
              public void onForward(String name, Module layer, Tensor output) {
                seen.add(name);
              }
            });
        // Running statistics away from 0 and 1 (momentum 0.1 and the cumulative average).
        for (int step = 0; step < 2; step++) {
          Tensor x = Tensors.uniform(90 + step, 4, 3, 13, 13);
          fused.forward(x);
          layers.forward(x);
        }
        fused.eval();
        layers.eval();
        seen.clear();
        Tensor x = Tensors.uniform(95, n, 3, 13, 13);
        Tensor dY = Tensors.uniform(96, n, 3);
        Tensors.assertSameBits(
            layers.forward(x).toArray(), fused.forward(x).toArray(), "y, " + what);
        for (String bn : NORMS) {
          assertTrue(ranInConv(fused, bn), bn + " in its convolution's pass, " + what);
          assertFalse(ranInConv(layers, bn), bn + " on its own with a listener, " + what);
        }
        assertFalse(ranInConv(fused, "bn5"), "bn5 (1×1 output) on its own, " + what);
        assertTrue(((MaxPool2d) fused.get("pool1")).ranInConv(), "pool1 in conv1's pass, " + what);
        assertEquals(17, seen.size(), "the listener sees every layer: " + seen);
        Tensors.assertSameBits(
            layers.backward(dY).toArray(), fused.backward(dY).toArray(), "dX, " + what);
        Tensors.assertSameState(layers, fused, what);
        // A second eval forward after backward, and one more backward: the state stays right.
        Tensor x2 = Tensors.uniform(97, n, 3, 13, 13);
        Tensors.assertSameBits(
            layers.forward(x2).toArray(), fused.forward(x2).toArray(), "y again, " + what);
        Tensors.assertSameBits(
            layers.backward(dY).toArray(), fused.backward(dY).toArray(), "dX again, " + what);
      }
    }
  }

  @Test
  void trainingModeAndBatchStatisticsDoNotJoinTheConvolution() {
    Sequential s = model();
    s.forward(Tensors.uniform(100, 4, 3, 13, 13));
    for (String bn : NORMS) {
      assertFalse(ranInConv(s, bn), bn + " in training");
    }
    Sequential noRunning =
        new Sequential()
            .add("conv", new Conv2d(3, 4, 3))
            .add("bn", new BatchNorm2d(4, 1e-5, 0.1, true, false))
            .add("relu", new ReLU());
    noRunning.eval();
    noRunning.forward(Tensors.uniform(101, 2, 3, 6, 6));
    assertFalse(ranInConv(noRunning, "bn"), "without running statistics, batch statistics");
  }

  /**
   * The residual block's two BatchNorms and its projection's, against its layers called by hand.
   */
  @Test
  void aResidualBlockInEvalModeGivesTheBitsOfItsLayers() {
    for (Shortcut kind : Shortcut.values()) {
      BasicBlock block = new BasicBlock(16, 16 * (kind == Shortcut.B ? 2 : 1), 1, kind);
      block.resetParameters(new Rng(110));
      block.forward(Tensors.uniform(111, 4, 16, 8, 8)); // running statistics move
      block.eval();
      Tensor x = Tensors.uniform(112, 3, 16, 8, 8);
      Map<String, Module> m = block.namedModules();
      Tensor h = m.get("bn1").forward(m.get("conv1").forward(x));
      h = new ReLU().forward(h);
      float[] branch = m.get("bn2").forward(m.get("conv2").forward(h)).toArray();
      float[] identity =
          kind == Shortcut.B
              ? m.get("shortcut.1").forward(m.get("shortcut.0").forward(x)).toArray()
              : x.toArray();
      float[] want = new float[branch.length];
      for (int i = 0; i < want.length; i++) {
        float v = branch[i] + identity[i];
        want[i] = v <= 0f ? 0f : v;
      }
      Tensors.assertSameBits(want, block.forward(x).toArray(), "y, shortcut " + kind);
      assertTrue(ranInConv(block, "bn1") && ranInConv(block, "bn2"), "shortcut " + kind);
      if (kind == Shortcut.B) {
        assertTrue(ranInConv(block, "shortcut.1"), "the projection's BatchNorm");
      }
    }
  }

  private static boolean ranInConv(Module model, String name) {
    return ((BatchNorm) model.namedModules().get(name)).core.ranInConv();
  }
}
