package bnlab.nn.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import bnlab.nn.GradCheck;
import bnlab.nn.Sequential;
import bnlab.nn.Tensors;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The article's Keras example, channels-last throughout:
 *
 * <pre>
 * model = Sequential([Conv1D(64, 3, input_shape=(128, 256)), BatchNormalization()])
 * </pre>
 *
 * (N, 128, 256) → Conv1D → (N, 126, 64) → BatchNormalization over the last axis → (N, 126, 64).
 */
class KerasExampleTest {
  private static Sequential model() {
    return new Sequential()
        .add("conv1d", new Conv1D(64, 3, 256))
        .add("batch_normalization", new BatchNormalization(64));
  }

  @Test
  void runsAndNormalizesEachFilterOverBatchAndLength() {
    Sequential m = model();
    m.resetParameters(new Rng(1));
    Tensor x = Tensors.uniform(2, 4, 128, 256);
    Tensor conv = m.get("conv1d").forward(x).copy();
    Tensor y = m.forward(x);
    assertArrayEquals(new int[] {4, 126, 64}, conv.shape());
    assertArrayEquals(new int[] {4, 126, 64}, y.shape());
    int rows = 4 * 126;
    for (int f = 0; f < 64; f++) {
      double mean = 0;
      double cm = 0;
      for (int r = 0; r < rows; r++) {
        mean += y.data()[r * 64 + f];
        cm += conv.data()[r * 64 + f];
      }
      mean /= rows;
      cm /= rows;
      double var = 0;
      double cv = 0;
      for (int r = 0; r < rows; r++) {
        var += Math.pow(y.data()[r * 64 + f] - mean, 2);
        cv += Math.pow(conv.data()[r * 64 + f] - cm, 2);
      }
      var /= rows;
      cv /= rows;
      assertEquals(0, mean, 1e-5, "filter " + f + " mean");
      // γ = 1, β = 0, Keras epsilon 1e-3: Var(y) = σ²/(σ² + 1e-3) exactly
      assertEquals(cv / (cv + 1e-3), var, 1e-4, "filter " + f + " variance");
    }
    m.backward(Tensors.uniform(3, 4, 126, 64));
    assertEquals(3 * 256 * 64 + 64 + 2 * 64, m.parameterCount());
  }

  @Test
  void smallKerasStackGradients() {
    Sequential m =
        new Sequential().add("conv", new Conv1D(4, 3, 5)).add("bn", new BatchNormalization(4));
    m.resetParameters(new Rng(2));
    GradCheck.of(m, Tensors.uniform(4, 3, 9, 5)).check();
    m.eval();
    GradCheck.of(m, Tensors.uniform(4, 3, 9, 5)).check();
  }
}
