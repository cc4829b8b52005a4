package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LinearTest {
  @Test
  void handCase() {
    Linear l = new Linear(2, 3);
    l.weight().data().copyFrom(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
    l.bias().data().copyFrom(Tensor.of(new float[] {0.5f, 0, -1}, 3));
    Tensor y = l.forward(Tensor.of(new float[] {1, 1, 2, -1}, 2, 2));
    assertArrayEquals(new float[] {3.5f, 7, 10, 0.5f, 2, 3}, y.toArray());
    Tensor dX = l.backward(Tensor.of(new float[] {1, 0, 0, 0, 1, 1}, 2, 3));
    assertArrayEquals(new float[] {1, 2, 8, 10}, dX.toArray());
    // dW = dYᵀ·x, dB = column sums of dY
    assertArrayEquals(new float[] {1, 1, 2, -1, 2, -1}, l.weight().grad().toArray());
    assertArrayEquals(new float[] {1, 1, 1}, l.bias().grad().toArray());
  }

  @Test
  void gradients() {
    GradCheck.of(new Linear(7, 5), Tensors.uniform(1, 4, 7)).check();
    GradCheck.of(new Linear(3, 1, false), Tensors.uniform(2, 1, 3)).check();
    GradCheck.of(new Linear(1, 9).eval(), Tensors.uniform(3, 5, 1)).check();
  }

  @Test
  void contractErrorsAndInit() {
    LayerContract.of(() -> new Linear(400, 120), Tensors.uniform(1, 3, 400))
        .outputShape(3, 120)
        .parameters("weight", "bias")
        .parameterCount(400 * 120 + 120)
        .check();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Linear(400, 120).forward(Tensor.zeros(3, 399)));
    assertTrue(e.getMessage().contains("expected input (N, 400), got (3, 399)"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3));
    Linear l = new Linear(400, 120);
    ConvTest.assertWithin(l.weight().data(), 1 / Math.sqrt(400));
    ConvTest.assertWithin(l.bias().data(), 1 / Math.sqrt(400));
    Linear a = new Linear(5, 4);
    Linear b = new Linear(5, 4);
    a.resetParameters(new Rng(3));
    b.resetParameters(new Rng(3));
    assertArrayEquals(a.weight().data().toArray(), b.weight().data().toArray());
  }
}
