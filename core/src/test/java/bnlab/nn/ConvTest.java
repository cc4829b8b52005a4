package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ConvTest {
  @Test
  void conv2dHandCase() {
    // x (1,1,3,3) = 0..8, weight 2x2 = [[1,0],[0,-1]], bias 0.5: y[p,q] = x[p,q] - x[p+1,q+1] + .5
    Conv2d c = new Conv2d(1, 1, 2);
    c.weight().data().copyFrom(Tensor.of(new float[] {1, 0, 0, -1}, 1, 1, 2, 2));
    c.bias().data().fill(0.5f);
    Tensor y = c.forward(Tensors.arange(1, 1, 3, 3));
    assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
    assertArrayEquals(new float[] {-3.5f, -3.5f, -3.5f, -3.5f}, y.toArray());
  }

  @Test
  void planDescriptionNamesTheLastForwardsPlan() {
    Conv2d c = new Conv2d(3, 4, 3, 1, 1, false);
    assertEquals("none", c.planDescription());
    c.forward(Tensor.zeros(2, 3, 8, 8));
    String plan = c.planDescription();
    assertTrue(plan.startsWith("ConvPlan[") && plan.contains("batch 2, training"), plan);
    c.eval().forward(Tensor.zeros(5, 3, 8, 8));
    assertTrue(c.planDescription().contains("batch 5, inference"), c.planDescription());
  }

  @Test
  void conv2dStridePaddingHandCase() {
    // all-ones 3x3 kernel, padding 1, stride 2 on a 3x3 image of ones: counts of in-bounds cells
    Conv2d c = new Conv2d(1, 1, 3, 2, 1, false);
    c.weight().data().fill(1f);
    Tensor y = c.forward(Tensor.zeros(1, 1, 3, 3).fill(1f));
    assertArrayEquals(new float[] {4, 4, 4, 4}, y.toArray());
  }

  @Test
  void conv2dMatchesDirectDoubleLoop() {
    Conv2d c = new Conv2d(3, 4, 3, 2, 1, true);
    Tensor x = Tensors.uniform(5, 2, 3, 7, 6);
    Tensor y = c.forward(x);
    float[] w = c.weight().data().data();
    float[] b = c.bias().data().data();
    int p = y.dim(2);
    int q = y.dim(3);
    assertEquals(4, p);
    assertEquals(3, q);
    float[] want = new float[y.size()];
    for (int n = 0; n < 2; n++) {
      for (int k = 0; k < 4; k++) {
        for (int i = 0; i < p; i++) {
          for (int j = 0; j < q; j++) {
            double s = b[k];
            for (int ch = 0; ch < 3; ch++) {
              for (int r = 0; r < 3; r++) {
                for (int t = 0; t < 3; t++) {
                  int ih = 2 * i - 1 + r;
                  int iw = 2 * j - 1 + t;
                  if (ih >= 0 && ih < 7 && iw >= 0 && iw < 6) {
                    s += w[((k * 3 + ch) * 3 + r) * 3 + t] * (double) x.get(n, ch, ih, iw);
                  }
                }
              }
            }
            want[((n * 4 + k) * p + i) * q + j] = (float) s;
          }
        }
      }
    }
    Tensors.assertClose(want, y.toArray(), 1e-5, 1e-6);
  }

  @Test
  void conv2dGradients() {
    GradCheck.of(new Conv2d(2, 3, 3), Tensors.uniform(1, 2, 2, 5, 5)).check();
    GradCheck.of(new Conv2d(2, 3, 3, 2, 1, true), Tensors.uniform(2, 1, 2, 6, 5)).check();
    GradCheck.of(new Conv2d(3, 2, 2, 3, 0, false), Tensors.uniform(3, 3, 3, 7, 8)).check();
    GradCheck.of(new Conv2d(1, 1, 1).eval(), Tensors.uniform(4, 1, 1, 1, 1)).check();
  }

  /**
   * A 3×3 stride-1 layer with 16 input and 17 output channels: WINOGRAD on the vector kernels (odd
   * 5×7 output, so tail tiles too), checked by finite differences like the others.
   */
  @Test
  void conv2dGradientsThroughWinograd() {
    var g = new bnlab.kernel.ConvGeometry(16, 5, 7, 17, 3, 3, 1, 1, 1, 1);
    if (bnlab.kernel.KernelProvider.get().name().startsWith("vector")) {
      assertEquals(
          bnlab.kernel.ConvStrategy.WINOGRAD, bnlab.kernel.KernelProvider.get().conv().strategy(g));
    }
    GradCheck.of(new Conv2d(16, 17, 3, 1, 1, true), Tensors.uniform(5, 2, 16, 5, 7)).check();
  }

  @Test
  void conv1dGradientsAndHandCase() {
    Conv1d c = new Conv1d(1, 1, 2);
    c.weight().data().copyFrom(Tensor.of(new float[] {1, -1}, 1, 1, 2));
    c.bias().data().fill(0f);
    assertArrayEquals(new float[] {-1, -1, -1}, c.forward(Tensors.arange(1, 1, 4)).toArray());
    GradCheck.of(new Conv1d(3, 4, 3), Tensors.uniform(1, 2, 3, 9)).check();
    GradCheck.of(new Conv1d(2, 3, 4, 2, 2, false), Tensors.uniform(2, 3, 2, 7)).check();
  }

  @Test
  void conv1dEqualsConv2dOnOneRow() {
    Conv1d c1 = new Conv1d(3, 2, 3, 2, 1, true);
    Conv2d c2 = new Conv2d(3, 2, 3, 2, 1, true);
    // a 1-row image with padding 1 in height: only kernel row 1 touches data
    c2.weight().data().fill(0f);
    for (int k = 0; k < 2; k++) {
      for (int ch = 0; ch < 3; ch++) {
        for (int r = 0; r < 3; r++) {
          c2.weight().data().set(c1.weight().data().get(k, ch, r), k, ch, 1, r);
        }
      }
    }
    c2.bias().data().copyFrom(c1.bias().data());
    Tensor x = Tensors.uniform(9, 2, 3, 8);
    float[] y1 = c1.forward(x).toArray();
    float[] y2 = c2.forward(x.reshape(2, 3, 1, 8)).toArray();
    Tensors.assertClose(y2, y1, 1e-6, 1e-6);
  }

  @Test
  void contracts() {
    LayerContract.of(() -> new Conv2d(3, 6, 5), Tensors.uniform(1, 2, 3, 8, 8))
        .outputShape(2, 6, 4, 4)
        .parameters("weight", "bias")
        .parameterCount(6 * 3 * 25 + 6)
        .check();
    LayerContract.of(() -> new Conv2d(2, 4, 3, 1, 1, false), Tensors.uniform(1, 1, 2, 5, 5))
        .outputShape(1, 4, 5, 5)
        .parameters("weight")
        .check();
    LayerContract.of(() -> new Conv1d(3, 5, 3), Tensors.uniform(1, 2, 3, 10))
        .outputShape(2, 5, 8)
        .parameters("weight", "bias")
        .parameterCount(5 * 3 * 3 + 5)
        .check();
  }

  @Test
  void shapeErrorsNameLayerAndShapes() {
    Conv2d c = new Conv2d(3, 6, 5);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> c.forward(Tensor.zeros(10, 1, 28, 28)));
    assertTrue(e.getMessage().startsWith("Conv2d(3, 6, kernel_size=(5, 5)"), e.getMessage());
    assertTrue(e.getMessage().contains("expected input (N, 3, H, W), got (10, 1, 28, 28)"));
    e = assertThrows(IllegalArgumentException.class, () -> c.forward(Tensor.zeros(1, 3, 4, 9)));
    assertTrue(e.getMessage().contains("height 4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Conv1d(3, 0, 2));
    assertTrue(e.getMessage().contains("out=0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 6, 5, 0, 0, true));
    assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 6, 5, 1, -1, true));
    Conv1d c1 = new Conv1d(4, 2, 3);
    e = assertThrows(IllegalArgumentException.class, () -> c1.forward(Tensor.zeros(2, 3, 10)));
    assertTrue(e.getMessage().contains("expected input (N, 4, L), got (2, 3, 10)"));
    c1.forward(Tensor.zeros(2, 4, 10));
    e = assertThrows(IllegalArgumentException.class, () -> c1.backward(Tensor.zeros(2, 2, 7)));
    assertTrue(e.getMessage().contains("(2, 2, 8)"), e.getMessage());
  }

  @Test
  void initBoundsAreOneOverSqrtFanIn() {
    Conv2d c = new Conv2d(6, 16, 5);
    double bound = 1 / Math.sqrt(6 * 25);
    assertWithin(c.weight().data(), bound);
    assertWithin(c.bias().data(), bound);
    Conv1d c1 = new Conv1d(4, 8, 3);
    assertWithin(c1.weight().data(), 1 / Math.sqrt(12));
    assertWithin(c1.bias().data(), 1 / Math.sqrt(12));
  }

  static void assertWithin(Tensor t, double bound) {
    double max = 0;
    for (float v : t.toArray()) {
      max = Math.max(max, Math.abs(v));
    }
    assertTrue(max <= bound, "max |w| " + max + " exceeds " + bound);
    // U(-b, b) over many draws reaches close to the bound: catches a too-small scale
    if (t.size() >= 100) {
      assertTrue(max > 0.9 * bound, "max |w| " + max + " far below bound " + bound);
    }
  }

  @Test
  void seededInitIsReproducible() {
    Conv2d a = new Conv2d(3, 6, 5);
    Conv2d b = new Conv2d(3, 6, 5);
    a.resetParameters(new Rng(7));
    b.resetParameters(new Rng(7));
    assertArrayEquals(a.weight().data().toArray(), b.weight().data().toArray());
    assertArrayEquals(a.bias().data().toArray(), b.bias().data().toArray());
    b.resetParameters(new Rng(8));
    assertTrue(a.weight().data().get(0, 0, 0, 0) != b.weight().data().get(0, 0, 0, 0));
  }
}
