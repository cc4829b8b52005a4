package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DropoutTest {
  @Test
  void trainStatistics() {
    Dropout d = new Dropout(0.3f);
    int n = 100_000;
    Tensor y = d.forward(Tensor.zeros(n).fill(1f));
    int zeros = 0;
    double sum = 0;
    for (float v : y.toArray()) {
      if (v == 0f) {
        zeros++;
      } else {
        assertEquals(1 / 0.7f, v, "survivors are scaled by 1/(1-p)");
      }
      sum += v;
    }
    // binomial(n, 0.3): sd = sqrt(n·0.21) ≈ 145; 5 sd
    assertEquals(0.3 * n, zeros, 5 * Math.sqrt(n * 0.21));
    assertEquals(1.0, sum / n, 5 * Math.sqrt(0.21 / n) / 0.7, "mean preserved");
    Tensor dX = d.backward(Tensor.zeros(n).fill(2f));
    for (int i = 0; i < n; i++) {
      assertEquals(2 * y.data()[i], dX.data()[i], 1e-6, "backward uses the same mask");
    }
  }

  @Test
  void evalIsIdentityAndEdgeProbabilities() {
    Tensor x = Tensors.uniform(1, 4, 5);
    Dropout d = new Dropout();
    assertEquals(0.5f, d.p());
    d.eval();
    assertArrayEquals(x.toArray(), d.forward(x).toArray());
    assertArrayEquals(x.toArray(), d.backward(x).toArray());
    assertArrayEquals(x.toArray(), new Dropout(0f).forward(x).toArray());
    assertArrayEquals(new float[20], new Dropout(1f).forward(x).toArray(), 0f);
    assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5f));
    assertThrows(IllegalArgumentException.class, () -> new Dropout(Float.NaN));
  }

  @Test
  void seededMasksAreReproducible() {
    Tensor x = Tensor.zeros(64).fill(1f);
    Dropout a = new Dropout();
    Dropout b = new Dropout();
    a.resetParameters(new Rng(5));
    b.resetParameters(new Rng(5));
    float[] ya = a.forward(x).toArray();
    assertArrayEquals(ya, b.forward(x).toArray());
    assertFalse(Arrays.equals(ya, a.forward(x).toArray()), "a new mask each step");
    b.resetParameters(new Rng(6));
    b.forward(x);
    a.resetParameters(new Rng(5));
    assertArrayEquals(ya, a.forward(x).toArray());
  }

  @Test
  void gradientsWithAFixedMask() {
    Dropout d = new Dropout(0.4f);
    GradCheck.Report r =
        GradCheck.of(d, Tensors.uniform(1, 3, 7))
            .beforeForward(() -> d.resetParameters(new Rng(9)))
            .check();
    assertTrue(r.checked() == 21);
    GradCheck.of(new Dropout().eval(), Tensors.uniform(2, 2, 3)).check();
  }

  @Test
  void contract() {
    LayerContract.of(Dropout::new, Tensors.uniform(1, 4, 6)).outputShape(4, 6).check();
  }
}
