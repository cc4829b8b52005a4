package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ActivationTest {
  @Test
  void sigmoidValuesIncludingExtremes() {
    Tensor y = new Sigmoid().forward(Tensor.of(new float[] {0, 2, -2, 100, -100, -1000}, 6));
    assertEquals(0.5f, y.get(0));
    assertEquals(1 / (1 + Math.exp(-2)), y.get(1), 1e-7);
    assertEquals(1 / (1 + Math.exp(2)), y.get(2), 1e-7);
    assertEquals(1f, y.get(3));
    assertEquals(Math.exp(-100), y.get(4), 1.5e-45); // subnormal in float
    assertEquals(0f, y.get(5));
  }

  @Test
  void tanhValues() {
    Tensor y = new Tanh().forward(Tensor.of(new float[] {0, 0.5f, -3}, 3));
    assertArrayEquals(new float[] {0, (float) Math.tanh(0.5), (float) Math.tanh(-3)}, y.toArray());
  }

  @Test
  void gradients() {
    Tensor x = Tensors.uniform(1, 3, 4, 5);
    for (int i = 0; i < x.size(); i++) {
      x.data()[i] *= 3; // exercise the curved parts too
    }
    GradCheck.of(new Sigmoid(), x).check();
    GradCheck.of(new Tanh(), x).check();
    GradCheck.of(new Flatten(), x).check();
    GradCheck.of(new Sigmoid().eval(), Tensors.uniform(2, 1)).check();
  }

  @Test
  void reluPropagatesNanAsPyTorch() {
    // torch.relu(torch.tensor([nan, -0., -1., 2., inf, -inf])) = [nan, 0., 0., 2., inf, 0.]
    float inf = Float.POSITIVE_INFINITY;
    ReLU relu = new ReLU();
    Tensor y = relu.forward(Tensor.of(new float[] {Float.NaN, -0f, -1f, 2f, inf, -inf}, 6));
    assertTrue(Float.isNaN(y.get(0)), "relu(NaN) must be NaN, got " + y.get(0));
    assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(y.get(1)), "relu(-0) = +0");
    assertArrayEquals(
        new float[] {0f, 2f, inf, 0f}, java.util.Arrays.copyOfRange(y.toArray(), 2, 6));
    // Backward keeps PyTorch's rule: dY passes only where the output is > 0 (not at NaN).
    Tensor dX = relu.backward(Tensor.of(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 6));
    assertArrayEquals(new float[] {0f, 0f, 0f, 4f, 5f, 0f}, dX.toArray());
  }

  @Test
  void flattenKeepsBatchAndIsAView() {
    Flatten f = new Flatten();
    Tensor x = Tensors.arange(2, 3, 2, 2);
    Tensor y = f.forward(x);
    assertArrayEquals(new int[] {2, 12}, y.shape());
    assertSame(x.data(), y.data());
    assertSame(y, f.forward(x), "the view is reused, no allocation per step");
    assertArrayEquals(new int[] {2, 3, 2, 2}, f.backward(Tensor.zeros(2, 12)).shape());
  }

  @Test
  void contracts() {
    LayerContract.of(Sigmoid::new, Tensors.uniform(1, 2, 3)).outputShape(2, 3).check();
    LayerContract.of(Tanh::new, Tensors.uniform(1, 2, 3, 4)).outputShape(2, 3, 4).check();
    LayerContract.of(Flatten::new, Tensors.uniform(1, 2, 16, 5, 5)).outputShape(2, 400).check();
  }
}
