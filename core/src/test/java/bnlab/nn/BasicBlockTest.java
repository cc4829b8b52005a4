package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.nn.BasicBlock.Shortcut;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The residual block: state names and counts, the module contract, finite-difference gradients of
 * every shortcut kind with and without BatchNorm, and the options. (libtorch's values for the same
 * block are checked in {@code bnlab.golden.ResNetGoldenTest}.)
 */
class BasicBlockTest {
  @Test
  void identityBlockHasTorchvisionNamesAndCounts() {
    LayerContract.of(() -> new BasicBlock(4, 4, 1, Shortcut.A), Tensors.uniform(1, 3, 4, 5, 5))
        .outputShape(3, 4, 5, 5)
        .parameters(
            "conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias")
        .buffers("bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var")
        .counters("bn1.num_batches_tracked", "bn2.num_batches_tracked")
        .parameterCount(2 * 4 * 4 * 9 + 4 * 4)
        .check();
  }

  @Test
  void optionAHasNoShortcutParameters() {
    LayerContract.of(() -> new BasicBlock(4, 8, 2, Shortcut.A), Tensors.uniform(2, 3, 4, 5, 5))
        .outputShape(3, 8, 3, 3)
        .parameters(
            "conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias")
        .buffers("bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var")
        .counters("bn1.num_batches_tracked", "bn2.num_batches_tracked")
        .parameterCount(4 * 8 * 9 + 8 * 8 * 9 + 4 * 8)
        .check();
    assertInstanceOf(ZeroPadShortcut.class, new BasicBlock(4, 8, 2, Shortcut.A).shortcut());
  }

  @Test
  void optionBProjectsWithConvAndBatchNorm() {
    LayerContract.of(() -> new BasicBlock(4, 8, 2, Shortcut.B), Tensors.uniform(3, 3, 4, 5, 5))
        .outputShape(3, 8, 3, 3)
        .parameters(
            "conv1.weight",
            "bn1.weight",
            "bn1.bias",
            "conv2.weight",
            "bn2.weight",
            "bn2.bias",
            "shortcut.0.weight",
            "shortcut.1.weight",
            "shortcut.1.bias")
        .buffers(
            "bn1.running_mean",
            "bn1.running_var",
            "bn2.running_mean",
            "bn2.running_var",
            "shortcut.1.running_mean",
            "shortcut.1.running_var")
        .counters(
            "bn1.num_batches_tracked", "bn2.num_batches_tracked", "shortcut.1.num_batches_tracked")
        .parameterCount(4 * 8 * 9 + 8 * 8 * 9 + 4 * 8 + 4 * 8 + 2 * 8)
        .check();
  }

  @Test
  void withoutNormTheConvolutionsHaveBiases() {
    LayerContract.of(
            () -> new BasicBlock(4, 8, 2, Shortcut.B, null), Tensors.uniform(4, 3, 4, 5, 5))
        .outputShape(3, 8, 3, 3)
        .parameters(
            "conv1.weight",
            "conv1.bias",
            "conv2.weight",
            "conv2.bias",
            "shortcut.0.weight",
            "shortcut.0.bias")
        .parameterCount(4 * 8 * 9 + 8 + 8 * 8 * 9 + 8 + 4 * 8 + 8)
        .check();
    LayerContract.of(
            () -> new BasicBlock(4, 8, 2, Shortcut.A, null), Tensors.uniform(5, 3, 4, 5, 5))
        .parameters("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias")
        .check();
  }

  @Test
  void gradientsOfEveryShortcutWithTrainModeBatchNormInASmoothTwin() {
    // Train-mode BN couples every value of a channel, so one perturbed weight moves ~all ReLU
    // inputs and finite differences meet kinks nearly everywhere; with Tanh for ReLU the block is
    // smooth and the check covers BN's full gradient through mean and variance (the ReLU block is
    // compared with libtorch in bnlab.golden.ResNetGoldenTest, and FD-checked below in eval mode).
    checkSmooth(3, 3, 1, Shortcut.A, 11, 4, 3, 5, 5); // identity
    checkSmooth(3, 5, 1, Shortcut.A, 12, 4, 3, 4, 5); // widening, stride 1
    checkSmooth(3, 6, 2, Shortcut.A, 13, 4, 3, 5, 5); // stride 2, odd size
    checkSmooth(3, 5, 1, Shortcut.B, 14, 4, 3, 4, 5);
    checkSmooth(3, 6, 2, Shortcut.B, 15, 4, 3, 6, 5);
  }

  private static void checkSmooth(
      int in, int planes, int stride, Shortcut option, long seed, int... shape) {
    check(
        () -> new BasicBlock(in, planes, stride, option, BatchNorm2d::new, Tanh::new), seed, shape);
  }

  @Test
  void gradientsOfEveryShortcutWithoutNorm() {
    check(() -> new BasicBlock(3, 3, 1, Shortcut.A, null), 21, 2, 3, 5, 5);
    check(() -> new BasicBlock(3, 5, 1, Shortcut.A, null), 22, 2, 3, 4, 5);
    check(() -> new BasicBlock(3, 6, 2, Shortcut.A, null), 23, 2, 3, 5, 5);
    check(() -> new BasicBlock(3, 5, 1, Shortcut.B, null), 24, 2, 3, 4, 5);
    check(() -> new BasicBlock(3, 6, 2, Shortcut.B, null), 25, 2, 3, 6, 5);
  }

  @Test
  void gradientsWithReluAndEvalModeBatchNorm() {
    for (Shortcut option : Shortcut.values()) {
      BasicBlock b = new BasicBlock(3, 6, 2, option);
      b.resetParameters(new Rng(31));
      b.train().forward(Tensors.uniform(32, 4, 3, 5, 5)); // running statistics away from 0 and 1
      b.eval();
      GradCheck.Report r = GradCheck.of(b, Tensors.uniform(33, 2, 3, 5, 5)).check();
      assertTrue(r.checked() > 100, "entries checked: " + r.checked());
    }
  }

  private static void check(Supplier<BasicBlock> make, long seed, int... shape) {
    BasicBlock b = make.get();
    b.resetParameters(new Rng(seed));
    GradCheck.Report r = GradCheck.of(b, Tensors.uniform(seed + 100, shape)).seed(seed).check();
    assertTrue(r.checked() > 100, b + ": entries checked " + r.checked());
  }

  @Test
  void backwardAddsBothPathsExactly() {
    // With conv2's weight at zero the residual path contributes nothing to dX beyond what passes
    // through conv1..conv2 = 0; dX is then exactly the shortcut's gradient through the final ReLU.
    BasicBlock b = new BasicBlock(2, 2, 1, Shortcut.A, null);
    b.resetParameters(new Rng(41));
    Parameter w2 = b.namedParameters().get("conv2.weight");
    w2.data().fill(0f);
    b.namedParameters().get("conv2.bias").data().fill(0f);
    Tensor x = Tensors.uniform(42, 2, 2, 3, 3);
    Tensor y = b.forward(x);
    Tensor dY = Tensors.uniform(43, 2, 2, 3, 3);
    float[] want = new float[x.size()];
    for (int i = 0; i < want.length; i++) {
      assertEquals(Math.max(0f, x.data()[i]), y.data()[i], "y = relu(x) at " + i);
      want[i] = x.data()[i] > 0 ? dY.data()[i] : 0f;
    }
    assertArrayEquals(want, b.backward(dY).toArray());
  }

  /**
   * With ReLU the block adds and rectifies in one pass ({@code ReLU.forwardSum}); a ReLU the block
   * does not recognise (inside a Sequential) takes the two-pass path. Both must give the same bits
   * in y, dX and every parameter gradient, in train and eval mode.
   */
  @Test
  void fusedSumAndReluGiveTheBitsOfTheTwoPasses() {
    Supplier<Module> wrapped = () -> new Sequential().add("relu", new ReLU());
    for (Shortcut option : Shortcut.values()) {
      for (int stride : new int[] {1, 2}) {
        for (boolean norm : new boolean[] {true, false}) {
          for (boolean train : new boolean[] {true, false}) {
            String what = option + ", stride " + stride + ", norm " + norm + ", train " + train;
            BasicBlock fused =
                new BasicBlock(
                    4, stride == 1 ? 4 : 6, stride, option, norm ? BatchNorm2d::new : null);
            BasicBlock twoPasses =
                new BasicBlock(
                    4,
                    stride == 1 ? 4 : 6,
                    stride,
                    option,
                    norm ? BatchNorm2d::new : null,
                    wrapped);
            fused.resetParameters(new Rng(61));
            twoPasses.resetParameters(new Rng(61));
            if (!train) {
              fused.eval();
              twoPasses.eval();
            }
            Tensor x = Tensors.uniform(62, 3, 4, 6, 6);
            Tensor dY = Tensors.uniform(63, 3, stride == 1 ? 4 : 6, 6 / stride, 6 / stride);
            Tensors.assertSameBits(
                twoPasses.forward(x).toArray(), fused.forward(x).toArray(), "y, " + what);
            Tensors.assertSameBits(
                twoPasses.backward(dY).toArray(), fused.backward(dY).toArray(), "dX, " + what);
            Map<String, Parameter> got = fused.namedParameters();
            twoPasses
                .namedParameters()
                .forEach(
                    (n, p) ->
                        Tensors.assertSameBits(
                            p.grad().toArray(), got.get(n).grad().toArray(), n + ", " + what));
          }
        }
      }
    }
  }

  @Test
  void inputGradientCanBeSkippedWithoutChangingParameterGradients() {
    for (Shortcut option : Shortcut.values()) {
      BasicBlock full = new BasicBlock(3, 6, 2, option);
      BasicBlock skip = new BasicBlock(3, 6, 2, option).requiresInputGrad(false);
      full.resetParameters(new Rng(51));
      skip.resetParameters(new Rng(51));
      Tensor x = Tensors.uniform(52, 2, 3, 6, 6);
      Tensor dY = Tensors.uniform(53, 2, 6, 3, 3);
      assertArrayEquals(full.forward(x).toArray(), skip.forward(x).toArray(), 0f);
      assertNotNull(full.backward(dY));
      assertNull(skip.backward(dY), "no dX with requiresInputGrad(false), option " + option);
      Map<String, Parameter> got = skip.namedParameters();
      full.namedParameters()
          .forEach(
              (n, p) ->
                  assertArrayEquals(
                      p.grad().toArray(), got.get(n).grad().toArray(), 0f, n + ", " + option));
      assertTrue(!skip.namedModules().get("conv1").requiresInputGrad(), "conv1 told");
    }
  }

  @Test
  void zeroInitResidualStartsTheBlockAsReluOfTheShortcut() {
    BasicBlock b = new BasicBlock(3, 6, 2, Shortcut.A);
    b.resetParameters(new Rng(61));
    b.zeroInitResidual();
    assertArrayEquals(new float[6], b.namedParameters().get("bn2.weight").data().toArray());
    Tensor x = Tensors.uniform(62, 2, 3, 4, 4);
    Tensor want = new ZeroPadShortcut(3, 6, 2).forward(x);
    float[] y = b.forward(x).toArray();
    for (int i = 0; i < y.length; i++) {
      // bn2's β is 0 after the reset, so the residual branch is exactly 0
      assertEquals(Math.max(0f, want.data()[i]), y[i], "entry " + i);
    }
    b.resetParameters(new Rng(61));
    assertEquals(1f, b.namedParameters().get("bn2.weight").data().data()[0], "reset restores γ");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new BasicBlock(3, 6, 2, Shortcut.A, null).zeroInitResidual());
    assertTrue(e.getMessage().contains("norm layer"), e.getMessage());
  }

  @Test
  void otherNormLayersKeepTheNames() {
    BasicBlock b = new BasicBlock(4, 8, 2, Shortcut.B, c -> new GroupNorm(2, c));
    assertEquals(
        java.util.List.of(
            "conv1.weight",
            "bn1.weight",
            "bn1.bias",
            "conv2.weight",
            "bn2.weight",
            "bn2.bias",
            "shortcut.0.weight",
            "shortcut.1.weight",
            "shortcut.1.bias"),
        java.util.List.copyOf(b.namedParameters().keySet()));
    GradCheck.of(b, Tensors.uniform(71, 2, 4, 4, 4)).check();
  }

  @Test
  void badArgumentsAreNamed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new BasicBlock(4, 8, 0, Shortcut.A));
    assertTrue(e.getMessage().contains("stride=0"), e.getMessage());
    IllegalArgumentException narrowing =
        assertThrows(IllegalArgumentException.class, () -> new BasicBlock(8, 4, 1, Shortcut.A));
    assertTrue(narrowing.getMessage().contains("option B"), narrowing.getMessage());
    IllegalArgumentException nullNorm =
        assertThrows(
            IllegalArgumentException.class, () -> new BasicBlock(4, 8, 2, Shortcut.A, c -> null));
    assertTrue(nullNorm.getMessage().contains("returned null"), nullNorm.getMessage());
    IllegalArgumentException input =
        assertThrows(
            IllegalArgumentException.class,
            () -> new BasicBlock(4, 8, 2, Shortcut.A).forward(Tensor.zeros(2, 3, 8, 8)));
    assertTrue(input.getMessage().contains("expected input (N, 4, H, W)"), input.getMessage());
  }
}
