package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PoolTest {
  @Test
  void maxPoolHandCase() {
    Tensor x = Tensors.arange(1, 1, 4, 4);
    MaxPool2d m = new MaxPool2d(2);
    assertArrayEquals(new float[] {5, 7, 13, 15}, m.forward(x).toArray());
    Tensor dX = m.backward(Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));
    float[] want = new float[16];
    want[5] = 1;
    want[7] = 2;
    want[13] = 3;
    want[15] = 4;
    assertArrayEquals(want, dX.toArray());
  }

  @Test
  void maxPoolTiesGoToFirstAndOverlapsAccumulate() {
    // kernel 2 stride 1 on a constant 3x3: every window picks its top-left element
    MaxPool2d m = new MaxPool2d(2, 1, 0);
    m.forward(Tensor.zeros(1, 1, 3, 3).fill(2f));
    Tensor dX = m.backward(Tensor.zeros(1, 1, 2, 2).fill(1f));
    assertArrayEquals(new float[] {1, 1, 0, 1, 1, 0, 0, 0, 0}, dX.toArray());
  }

  @Test
  void maxPoolPaddingIsMinusInfinity() {
    MaxPool2d m = new MaxPool2d(3, 2, 1);
    Tensor x = Tensor.zeros(1, 1, 3, 3).fill(-5f);
    x.set(-1f, 0, 0, 2, 2);
    assertArrayEquals(new float[] {-5, -5, -5, -1}, m.forward(x).toArray());
  }

  @Test
  void maxPoolPropagatesNaN() {
    Tensor x = Tensors.arange(1, 1, 2, 2);
    x.set(Float.NaN, 0, 0, 0, 1);
    assertTrue(Float.isNaN(new MaxPool2d(2).forward(x).get(0, 0, 0, 0)));
  }

  @Test
  void avgPoolHandCases() {
    assertArrayEquals(
        new float[] {2.5f, 4.5f, 10.5f, 12.5f},
        new AvgPool2d(2).forward(Tensors.arange(1, 1, 4, 4)).toArray());
    Tensor ones = Tensor.zeros(1, 1, 2, 2).fill(1f);
    // padding 1, kernel 2, stride 2 -> each window holds one real element and three pads
    assertArrayEquals(
        new float[] {0.25f, 0.25f, 0.25f, 0.25f}, new AvgPool2d(2, 2, 1).forward(ones).toArray());
    assertArrayEquals(
        new float[] {1, 1, 1, 1}, new AvgPool2d(2, 2, 1, false).forward(ones).toArray());
    AvgPool2d a = new AvgPool2d(2, 1, 0, true);
    a.forward(Tensor.zeros(1, 1, 3, 3));
    assertArrayEquals(
        new float[] {.25f, .5f, .25f, .5f, 1f, .5f, .25f, .5f, .25f},
        a.backward(Tensor.zeros(1, 1, 2, 2).fill(1f)).toArray());
  }

  @Test
  void gradients() {
    // distinct values: max-pool ties (kinks) are measure-zero for uniform random inputs
    GradCheck.of(new MaxPool2d(2), Tensors.uniform(1, 2, 3, 6, 6)).check();
    GradCheck.of(new MaxPool2d(3, 2, 1), Tensors.uniform(2, 1, 2, 7, 5)).check();
    GradCheck.of(new AvgPool2d(2), Tensors.uniform(3, 2, 2, 5, 5)).check();
    GradCheck.of(new AvgPool2d(3, 2, 1, false), Tensors.uniform(4, 1, 2, 6, 7)).check();
    GradCheck.of(new AvgPool2d(3, 1, 1, true).eval(), Tensors.uniform(5, 1, 1, 4, 4)).check();
  }

  @Test
  void contractsAndErrors() {
    LayerContract.of(() -> new MaxPool2d(2), Tensors.uniform(1, 2, 3, 6, 5))
        .outputShape(2, 3, 3, 2)
        .check();
    LayerContract.of(() -> new AvgPool2d(3, 2, 1, true), Tensors.uniform(1, 1, 2, 6, 6))
        .outputShape(1, 2, 3, 3)
        .check();
    assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(0));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new MaxPool2d(2).forward(Tensor.zeros(4, 8)));
    assertTrue(e.getMessage().contains("expected input (N, C, H, W), got (4, 8)"), e.getMessage());
  }
}
