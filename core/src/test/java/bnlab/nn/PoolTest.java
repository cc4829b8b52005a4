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
  void maxPoolMatchesReferenceWithTiesNaNsAndPadding() {
    bnlab.tensor.Rng rng = new bnlab.tensor.Rng(11);
    // kernel, stride, padding, n, c, h, w
    int[][] cases = {{2, 2, 0, 2, 3, 8, 8}, {3, 2, 1, 1, 2, 7, 5}, {2, 1, 1, 3, 1, 5, 6}};
    float[] palette = {1f, 2f, Float.NaN, Float.NEGATIVE_INFINITY, -0f, 0f};
    for (int[] c : cases) {
      int k = c[0], st = c[1], pad = c[2];
      Tensor x = Tensor.zeros(c[3], c[4], c[5], c[6]);
      float[] xs = x.data();
      for (int i = 0; i < xs.length; i++) {
        // few distinct values: many ties, some NaNs and -inf
        xs[i] = palette[(int) (rng.uniform(0f, 1f) * palette.length) % palette.length];
      }
      MaxPool2d m = new MaxPool2d(k, st, pad);
      float[] y = m.forward(x).toArray();
      int p = (c[5] + 2 * pad - k) / st + 1, q = (c[6] + 2 * pad - k) / st + 1;
      float[] g = new float[y.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = i + 1;
      }
      float[] dX = m.backward(Tensor.of(g, c[3], c[4], p, q)).toArray();
      float[] wantY = new float[y.length];
      float[] wantDx = new float[xs.length];
      int o = 0;
      for (int pl = 0; pl < c[3] * c[4]; pl++) {
        for (int i = 0; i < p; i++) {
          for (int j = 0; j < q; j++, o++) {
            int best = -1;
            for (int r = i * st - pad; r < i * st - pad + k; r++) {
              for (int s2 = j * st - pad; s2 < j * st - pad + k; s2++) {
                if (r < 0 || r >= c[5] || s2 < 0 || s2 >= c[6]) {
                  continue;
                }
                int idx = pl * c[5] * c[6] + r * c[6] + s2;
                boolean bestIsNaN = best >= 0 && Float.isNaN(xs[best]);
                if (best < 0 || (!bestIsNaN && (Float.isNaN(xs[idx]) || xs[idx] > xs[best]))) {
                  best = idx;
                }
              }
            }
            wantY[o] = xs[best];
            wantDx[best] += g[o];
          }
        }
      }
      assertArrayEquals(wantY, y, 0f, "y " + java.util.Arrays.toString(c));
      assertArrayEquals(wantDx, dX, 0f, "dX " + java.util.Arrays.toString(c));
    }
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
