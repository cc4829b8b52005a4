package bnlab.nn.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.nn.Conv1d;
import bnlab.nn.GradCheck;
import bnlab.nn.LayerContract;
import bnlab.nn.Tensors;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class Conv1DTest {
  // (N, A, B) -> (N, B, A)
  private static Tensor swapLastTwo(Tensor t) {
    int n = t.dim(0);
    int a = t.dim(1);
    int b = t.dim(2);
    Tensor out = Tensor.zeros(n, b, a);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < a; j++) {
        for (int k = 0; k < b; k++) {
          out.set(t.get(i, j, k), i, k, j);
        }
      }
    }
    return out;
  }

  @Test
  void articleExampleShape() {
    // Keras: Conv1D(64, 3) on input_shape (128, 256) -> (126, 64)
    Conv1D conv = new Conv1D(64, 3);
    Tensor y = conv.forward(Tensors.uniform(1, 2, 128, 256));
    assertArrayEquals(new int[] {2, 126, 64}, y.shape());
    assertArrayEquals(new int[] {3, 256, 64}, conv.kernel().data().shape());
    assertEquals(3 * 256 * 64 + 64, conv.parameterCount());
  }

  @Test
  void equalsPermuteConv1dPermute() {
    Conv1D k = new Conv1D(4, 3, 5);
    new Rng(3).fillUniform(k.bias().data(), -1f, 1f);
    Conv1d t = new Conv1d(5, 4, 3);
    for (int f = 0; f < 4; f++) {
      for (int c = 0; c < 5; c++) {
        for (int r = 0; r < 3; r++) {
          t.weight().data().set(k.kernel().data().get(r, c, f), f, c, r);
        }
      }
    }
    t.bias().data().copyFrom(k.bias().data());
    Tensor x = Tensors.uniform(2, 3, 9, 5);
    float[] want = swapLastTwo(t.forward(swapLastTwo(x))).toArray();
    Tensors.assertClose(want, k.forward(x).toArray(), 1e-5, 1e-6);

    Tensor dY = Tensors.uniform(4, 3, 7, 4);
    float[] dxWant = swapLastTwo(t.backward(swapLastTwo(dY))).toArray();
    Tensors.assertClose(dxWant, k.backward(dY).toArray(), 1e-5, 1e-6);
    for (int f = 0; f < 4; f++) {
      for (int c = 0; c < 5; c++) {
        for (int r = 0; r < 3; r++) {
          assertEquals(
              t.weight().grad().get(f, c, r), k.kernel().grad().get(r, c, f), 1e-5, "dKernel");
        }
      }
    }
    Tensors.assertClose(t.bias().grad().toArray(), k.bias().grad().toArray(), 1e-5, 1e-6);
  }

  @Test
  void gradients() {
    GradCheck.of(new Conv1D(3, 2, 4), Tensors.uniform(1, 2, 6, 4)).check();
    Conv1D lazy = new Conv1D(2, 3);
    lazy.forward(Tensors.uniform(2, 1, 3, 2)); // builds; kernel length equals input length
    GradCheck.of(lazy, Tensors.uniform(3, 1, 3, 2)).check();
  }

  @Test
  void lazyBuildSeedingAndErrors() {
    Conv1D c = new Conv1D(8, 3);
    assertNull(c.kernel());
    assertEquals(List.of(), List.copyOf(c.namedParameters().keySet()));
    c.resetParameters(new Rng(1));
    c.forward(Tensor.zeros(1, 5, 6));
    assertEquals(List.of("kernel", "bias"), List.copyOf(c.namedParameters().keySet()));
    Conv1D d = new Conv1D(8, 3, 6);
    d.resetParameters(new Rng(1));
    assertArrayEquals(c.kernel().data().toArray(), d.kernel().data().toArray(), "same seed");
    assertArrayEquals(new float[8], d.bias().data().toArray(), "Keras bias init: zeros");
    double limit = Math.sqrt(6.0 / (3 * 6 + 3 * 8));
    for (float v : d.kernel().data().toArray()) {
      assertTrue(Math.abs(v) <= limit, "Glorot-uniform bound");
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> c.forward(Tensor.zeros(1, 5, 7)));
    assertTrue(e.getMessage().contains("built for 6 input channels, got 7"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> c.forward(Tensor.zeros(1, 2, 6)));
    assertTrue(e.getMessage().contains("input length 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> c.forward(Tensor.zeros(5, 6)));
    assertTrue(e.getMessage().contains("(N, L, C) channels-last, got (5, 6)"), e.getMessage());
  }

  @Test
  void contract() {
    LayerContract.of(() -> new Conv1D(4, 3, 5), Tensors.uniform(1, 2, 8, 5))
        .outputShape(2, 6, 4)
        .parameters("kernel", "bias")
        .parameterCount(3 * 5 * 4 + 4)
        .check();
  }
}
