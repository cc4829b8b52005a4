package bnlab.nn.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.nn.BatchNorm1d;
import bnlab.nn.Module;
import bnlab.nn.NonFiniteException;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Keras-style layer against the PyTorch one with momentum 1 − m and the same eps. */
class BatchNormalizationTest {

  /** (N, L, C) -&gt; (N, C, L). */
  private static Tensor toChannelsFirst(Tensor x) {
    int n = x.dim(0);
    int l = x.dim(1);
    int c = x.dim(2);
    Tensor t = Tensor.zeros(n, c, l);
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < l; p++) {
        for (int j = 0; j < c; j++) {
          t.data()[(i * c + j) * l + p] = x.data()[(i * l + p) * c + j];
        }
      }
    }
    return t;
  }

  private static Tensor gaussian(Rng rng, double offset, double scale, int... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) {
      t.data()[i] = (float) (offset + scale * rng.nextGaussian());
    }
    return t;
  }

  private static void assertClose(String what, float[] a, float[] b, double tol) {
    assertEquals(b.length, a.length, what + " length");
    for (int i = 0; i < a.length; i++) {
      if (!(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])))) {
        throw new AssertionError(what + ": entry " + i + " is " + a[i] + ", expected " + b[i]);
      }
    }
  }

  private static float[] state(Module m, String name) {
    return m.namedBuffers().get(name).toArray();
  }

  @Test
  void equalsBatchNorm1dWithOneMinusMomentumOnTransposedConv1dOutput() {
    // the article's Keras example: Conv1D(64, 3) on (128, 256) gives (126, 64) per sample
    Rng rng = new Rng(21);
    BatchNormalization keras = new BatchNormalization(64);
    BatchNorm1d torch = new BatchNorm1d(64, 1e-3, 1 - 0.99, true, true);
    for (Module m : List.of(keras, torch)) {
      m.namedParameters().get("weight").data().copyFrom(gaussian(new Rng(5), 1, 0.3, 64));
      m.namedParameters().get("bias").data().copyFrom(gaussian(new Rng(6), 0, 0.3, 64));
    }
    for (int step = 0; step < 4; step++) {
      Tensor x = gaussian(rng, 0.2 * step, 1 + step, 4, 126, 64);
      Tensor xt = toChannelsFirst(x);
      float[] yk = keras.train().forward(x).toArray();
      float[] yt = torch.train().forward(xt).toArray();
      assertEquals(4 * 126 * 64, yk.length);
      assertClose(
          "train output, step " + step,
          toChannelsFirst(Tensor.of(yk, 4, 126, 64)).toArray(),
          yt,
          1e-6);
      Tensor dy = gaussian(rng, 0, 1, 4, 126, 64);
      float[] dxk = keras.backward(dy).toArray();
      float[] dxt = torch.backward(toChannelsFirst(dy)).toArray();
      assertClose(
          "dx, step " + step, toChannelsFirst(Tensor.of(dxk, 4, 126, 64)).toArray(), dxt, 1e-5);
    }
    for (String p : List.of("weight", "bias")) {
      assertClose(
          p + ".grad",
          keras.namedParameters().get(p).grad().toArray(),
          torch.namedParameters().get(p).grad().toArray(),
          1e-5);
    }
    assertClose("running_mean", state(keras, "running_mean"), state(torch, "running_mean"), 1e-6);
    assertClose("running_var", state(keras, "running_var"), state(torch, "running_var"), 1e-6);
    assertEquals(4, keras.namedCounters().get("num_batches_tracked").get());
    Tensor x = gaussian(rng, 1, 2, 3, 126, 64);
    assertClose(
        "eval output",
        toChannelsFirst(Tensor.of(keras.eval().forward(x).toArray(), 3, 126, 64)).toArray(),
        torch.eval().forward(toChannelsFirst(x)).toArray(),
        1e-6);
  }

  @Test
  void kerasDefaultsAndPyTorchStateNames() {
    BatchNormalization bn = new BatchNormalization(8);
    assertEquals(-1, bn.axis());
    assertEquals(0.99, bn.momentum());
    assertEquals(1e-3, bn.epsilon());
    assertEquals(0.01, bn.torchMomentum(), 1e-15);
    assertEquals(BatchNormalization.MovingVariance.UNBIASED, bn.movingVariance());
    assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
    assertEquals(List.of("running_mean", "running_var"), List.copyOf(bn.namedBuffers().keySet()));
    assertEquals(List.of("num_batches_tracked"), List.copyOf(bn.namedCounters().keySet()));
    BatchNormalization noCenter = new BatchNormalization(8, -1, 0.99, 1e-3, false, true);
    assertEquals(List.of("weight"), List.copyOf(noCenter.namedParameters().keySet()));
    BatchNormalization noScale = new BatchNormalization(8, -1, 0.99, 1e-3, true, false);
    assertEquals(List.of("bias"), List.copyOf(noScale.namedParameters().keySet()));
  }

  @Test
  void keras3MovingVarianceIsTheBiasedBatchVariance() {
    Tensor x = gaussian(new Rng(22), 3, 2, 5, 4);
    BatchNormalization bn =
        new BatchNormalization(
            4, -1, 0.9, 1e-3, true, true, BatchNormalization.MovingVariance.BIASED);
    bn.forward(x);
    float[] rv = state(bn, "running_var");
    float[] rm = state(bn, "running_mean");
    for (int j = 0; j < 4; j++) {
      double mu = 0;
      for (int i = 0; i < 5; i++) {
        mu += x.get(i, j) / 5.0;
      }
      double v = 0;
      for (int i = 0; i < 5; i++) {
        v += (x.get(i, j) - mu) * (x.get(i, j) - mu) / 5.0;
      }
      assertEquals(0.1 * mu, rm[j], 1e-6, "moving_mean " + j);
      assertEquals(0.9 + 0.1 * v, rv[j], 1e-6, "moving_variance " + j);
    }
  }

  @Test
  void explicitAxisOneOnChannelsFirstInputEqualsBatchNorm1d() {
    Tensor x = gaussian(new Rng(23), -2, 0.5, 3, 5, 7);
    BatchNormalization keras = new BatchNormalization(5, 1, 0.9, 1e-5, true, true);
    BatchNorm1d torch = new BatchNorm1d(5, 1e-5, 0.1, true, true);
    assertClose("y", keras.forward(x).toArray(), torch.forward(x).toArray(), 1e-6);
    assertClose("running_var", state(keras, "running_var"), state(torch, "running_var"), 1e-6);
  }

  @Test
  void rejectsBadAxesFeaturesAndBatchOfOne() {
    BatchNormalization bn = new BatchNormalization(64);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 64, 126)));
    assertTrue(e.getMessage().contains("expected 64 features on axis -1"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> new BatchNormalization(4, 0, 0.99, 1e-3, true, true));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BatchNormalization(4, 3, 0.99, 1e-3, true, true).forward(Tensor.zeros(2, 4)));
    e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(1, 1, 64)));
    assertTrue(e.getMessage().contains("Expected more than 1 value per channel"), e.getMessage());
    assertEquals(0, bn.namedCounters().get("num_batches_tracked").get());
    Tensor bad = Tensor.zeros(2, 3, 64);
    bad.set(Float.NaN, 1, 2, 7);
    // The same exception type as the PyTorch-style layers, which the trainer reports as divergence.
    NonFiniteException nan = assertThrows(NonFiniteException.class, () -> bn.forward(bad));
    assertTrue(nan.getMessage().contains("feature 7"), nan.getMessage());
    assertEquals(0, bn.namedCounters().get("num_batches_tracked").get());
  }
}
