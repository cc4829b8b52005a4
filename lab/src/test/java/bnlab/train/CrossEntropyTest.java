package bnlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.nn.CrossEntropyLoss;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The trainer's loss equals the core's CrossEntropyLoss on finite logits, and unlike it turns
 * non-finite logits into a NaN loss (so the divergence guard, not an exception, stops the run).
 */
class CrossEntropyTest {
  @Test
  void matchesTheCoreLossAndGradient() {
    Tensor z = Tensor.zeros(5, 10);
    new Rng(1).fillUniform(z, -20f, 20f);
    int[] y = {0, 3, 9, 4, 4};
    CrossEntropy mine = new CrossEntropy();
    CrossEntropyLoss core = new CrossEntropyLoss();
    assertEquals(core.forward(z, y), mine.forward(z, y, 5), 1e-5);
    float[] a = core.backward().toArray();
    float[] b = mine.backward().toArray();
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-7, "dlogits[" + i + "]");
    }
  }

  @Test
  void handComputedValue() {
    // logits (0, ln 3) and label 1: p = 3/4, loss = -ln(3/4)
    Tensor z = Tensor.of(new float[] {0f, (float) Math.log(3)}, 1, 2);
    assertEquals(-Math.log(0.75), new CrossEntropy().forward(z, new int[] {1}, 1), 1e-6);
  }

  @Test
  void nonFiniteLogitsGiveNaN() {
    Tensor z = Tensor.of(new float[] {Float.POSITIVE_INFINITY, 0f}, 1, 2);
    assertTrue(Float.isNaN(new CrossEntropy().forward(z, new int[] {1}, 1)));
  }
}
