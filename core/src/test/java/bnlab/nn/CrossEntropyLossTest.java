package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class CrossEntropyLossTest {
  private final CrossEntropyLoss ce = new CrossEntropyLoss();

  @Test
  void uniformLogitsGiveLogC() {
    assertEquals(
        Math.log(10), ce.forward(Tensor.zeros(4, 10).fill(3f), new int[] {0, 3, 9, 5}), 1e-6);
    float[] g = ce.backward().toArray();
    assertEquals((0.1 - 1) / 4, g[0], 1e-7);
    assertEquals(0.1 / 4, g[1], 1e-7);
  }

  @Test
  void handCaseTwoRows() {
    Tensor z = Tensor.of(new float[] {1, 2, 3, 0, 0, 5}, 2, 3);
    double l0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 1;
    double l1 = Math.log(2 + Math.exp(5)) - 5;
    assertEquals((l0 + l1) / 2, ce.forward(z, new int[] {0, 2}), 1e-6);
  }

  @Test
  void largeLogitsStayFinite() {
    Tensor z = Tensor.of(new float[] {1000, 0, -1000, 1e30f}, 2, 2);
    float l = ce.forward(z, new int[] {1, 0});
    // row 0: log(1 + e^-1000) + 1000 ≈ 1000; row 1: 1e30 - (-1000) = 1e30 + 1000
    assertEquals((1000 + 1e30 + 1000) / 2, l, 1e23);
    assertTrue(Float.isFinite(ce.backward().get(0, 0)));
  }

  @Test
  void gradientMatchesFiniteDifferencesInDouble() {
    Tensor z = Tensors.uniform(3, 5, 7);
    for (int i = 0; i < z.size(); i++) {
      z.data()[i] *= 4;
    }
    int[] t = {6, 0, 3, 3, 1};
    ce.forward(z, t);
    float[] g = ce.backward().toArray();
    double eps = 1e-2;
    for (int i = 0; i < z.size(); i++) {
      float orig = z.data()[i];
      z.data()[i] = (float) (orig + eps);
      double lp = ce.forward(z, t);
      z.data()[i] = (float) (orig - eps);
      double lm = ce.forward(z, t);
      z.data()[i] = orig;
      double numeric = (lp - lm) / (2 * eps);
      // float loss rounding ~1e-7·|L| / eps ≈ 1e-5, truncation eps²/6·|L'''| ≲ 1e-5
      assertEquals(numeric, g[i], 5e-5, "dLogits entry " + i);
    }
  }

  @Test
  void validatesTargetsAndRejectsNonFiniteLogits() {
    Tensor z = Tensor.zeros(2, 3);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ce.forward(z, new int[] {0, 3}));
    assertTrue(e.getMessage().contains("target 3 at position 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ce.forward(z, new int[] {-1, 0}));
    e = assertThrows(IllegalArgumentException.class, () -> ce.forward(z, new int[] {0}));
    assertTrue(e.getMessage().contains("expected 2 targets"), e.getMessage());
    z.set(Float.NaN, 1, 2);
    NonFiniteException a =
        assertThrows(NonFiniteException.class, () -> ce.forward(z, new int[] {0, 1}));
    assertTrue(a.getMessage().contains("logits[1, 2] is NaN"), a.getMessage());
    assertThrows(IllegalStateException.class, ce::backward, "no gradient after a failed forward");
    z.set(Float.POSITIVE_INFINITY, 1, 2);
    assertThrows(NonFiniteException.class, () -> ce.forward(z, new int[] {0, 1}));
    assertThrows(IllegalArgumentException.class, () -> ce.forward(Tensor.zeros(6), new int[6]));
  }
}
