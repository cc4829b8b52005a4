package bnlab.nn;

import static bnlab.nn.BatchNormReference.assertClose;
import static bnlab.nn.BatchNormReference.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PyTorch's BatchNorm semantics, checked against formulas evaluated in double in the test. */
class BatchNormTest {
  private static final double EPS = 1e-5;

  /** A module and the (N, C, S) view of the shapes it is fed. */
  private record Case(String label, Module bn, int n, int c, int s, int[] shape) {}

  private static List<Case> cases() {
    return List.of(
        new Case("1d (N,C)", new BatchNorm1d(3), 8, 3, 1, new int[] {8, 3}),
        new Case("1d (N,C,L)", new BatchNorm1d(3), 4, 3, 5, new int[] {4, 3, 5}),
        new Case("2d", new BatchNorm2d(3), 3, 3, 12, new int[] {3, 3, 3, 4}),
        new Case("3d", new BatchNorm3d(2), 2, 2, 24, new int[] {2, 2, 2, 3, 4}));
  }

  @Test
  void trainingOutputHasZeroMeanUnitStdPerChannel() {
    Rng rng = new Rng(1);
    for (Case k : cases()) {
      Tensor x = gaussian(rng, 3.0, 2.5, k.shape());
      float[] y = k.bn().train().forward(x).toArray();
      double[] mu = BatchNormReference.mean(y, k.n(), k.c(), k.s());
      double[] var = BatchNormReference.var(y, k.n(), k.c(), k.s(), false);
      for (int j = 0; j < k.c(); j++) {
        assertEquals(0.0, mu[j], 1e-6, k.label() + " mean of channel " + j);
        // var(y) = σ²/(σ² + eps), not exactly 1
        double v = BatchNormReference.var(x.data(), k.n(), k.c(), k.s(), false)[j];
        assertEquals(v / (v + EPS), var[j], 1e-5, k.label() + " variance of channel " + j);
        assertEquals(1.0, Math.sqrt(var[j]), 1e-5, k.label() + " std of channel " + j);
      }
    }
  }

  @Test
  void trainingOutputMatchesFormulaWithAffine() {
    Rng rng = new Rng(2);
    for (Case k : cases()) {
      Tensor x = gaussian(rng, -1.0, 0.7, k.shape());
      Parameter w = k.bn().namedParameters().get("weight");
      Parameter b = k.bn().namedParameters().get("bias");
      rng.fillUniform(w.data(), 0.5f, 2f);
      rng.fillUniform(b.data(), -1f, 1f);
      float[] y = k.bn().train().forward(x).toArray();
      double[] ref =
          BatchNormReference.train(
              x.data(), k.n(), k.c(), k.s(), EPS, w.data().data(), b.data().data());
      assertClose(k.label(), y, ref, 1e-5);
    }
  }

  @Test
  void runningStatisticsFollowPyTorchUpdateAndEvalUsesThem() {
    Rng rng = new Rng(3);
    for (Case k : cases()) {
      Module bn = k.bn().train();
      int c = k.c();
      long m = (long) k.n() * k.s();
      double[] rm = new double[c];
      double[] rv = new double[c];
      java.util.Arrays.fill(rv, 1.0);
      int steps = 5;
      for (int t = 0; t < steps; t++) {
        Tensor x = gaussian(rng, 2.0 + t, 0.5 + 0.3 * t, k.shape());
        bn.forward(x);
        double[] mu = BatchNormReference.mean(x.data(), k.n(), c, k.s());
        double[] vb = BatchNormReference.var(x.data(), k.n(), c, k.s(), false);
        for (int j = 0; j < c; j++) {
          rm[j] = 0.9 * rm[j] + 0.1 * mu[j];
          rv[j] = 0.9 * rv[j] + 0.1 * vb[j] * m / (m - 1);
        }
      }
      float[] runMean = bn.namedBuffers().get("running_mean").toArray();
      float[] runVar = bn.namedBuffers().get("running_var").toArray();
      assertClose(k.label() + " running_mean", runMean, rm, 1e-5);
      assertClose(k.label() + " running_var", runVar, rv, 1e-5);
      assertEquals(steps, bn.namedCounters().get("num_batches_tracked").get(), k.label());

      Tensor x = gaussian(rng, 4.0, 1.0, k.shape());
      float[] g = bn.namedParameters().get("weight").data().data();
      float[] b = bn.namedParameters().get("bias").data().data();
      rng.fillUniform(bn.namedParameters().get("weight").data(), 0.5f, 2f);
      rng.fillUniform(bn.namedParameters().get("bias").data(), -1f, 1f);
      float[] y = bn.eval().forward(x).toArray();
      double[] ref = BatchNormReference.normalize(x.data(), k.n(), c, k.s(), rm, rv, EPS, g, b);
      assertClose(k.label() + " eval output", y, ref, 1e-4);
      assertArrayEquals(runMean, bn.namedBuffers().get("running_mean").toArray(), k.label());
      assertEquals(steps, bn.namedCounters().get("num_batches_tracked").get());
    }
  }

  @Test
  void momentumNullIsTheCumulativeAverageOfBatchStatistics() {
    Rng rng = new Rng(4);
    BatchNorm2d bn = new BatchNorm2d(3, EPS, null, true, true);
    int steps = 7;
    double[] sumMean = new double[3];
    double[] sumVar = new double[3];
    for (int t = 0; t < steps; t++) {
      Tensor x = gaussian(rng, 10.0 * t - 20, 1.0 + t, 2, 3, 2, 3);
      bn.forward(x);
      double[] mu = BatchNormReference.mean(x.data(), 2, 3, 6);
      double[] v = BatchNormReference.var(x.data(), 2, 3, 6, true);
      for (int j = 0; j < 3; j++) {
        sumMean[j] += mu[j] / steps;
        sumVar[j] += v[j] / steps;
      }
    }
    assertClose("running_mean", bn.namedBuffers().get("running_mean").toArray(), sumMean, 1e-4);
    assertClose("running_var", bn.namedBuffers().get("running_var").toArray(), sumVar, 1e-4);
    assertEquals(steps, bn.namedCounters().get("num_batches_tracked").get());
  }

  @Test
  void batchOfOneInTrainingThrowsAndChangesNothing() {
    BatchNorm1d bn = new BatchNorm1d(102);
    Tensor one = gaussian(new Rng(5), 0, 1, 1, 102);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> bn.train().forward(one));
    assertTrue(
        e.getMessage()
            .contains(
                "Expected more than 1 value per channel when training, got input size (1, 102)"),
        e.getMessage());
    assertEquals(0, bn.namedCounters().get("num_batches_tracked").get());
    assertArrayEquals(new float[102], bn.namedBuffers().get("running_mean").toArray());
    float[] ones = new float[102];
    java.util.Arrays.fill(ones, 1f);
    assertArrayEquals(ones, bn.namedBuffers().get("running_var").toArray());
    // one value per channel is also (1, C, 1) or (1, C, 1, 1); eval mode accepts a batch of one
    assertThrows(
        IllegalArgumentException.class, () -> new BatchNorm2d(4).forward(Tensor.zeros(1, 4, 1, 1)));
    float[] y = bn.eval().forward(one).toArray();
    assertClose("eval batch of one", y, one.toArray(), 1e-4); // (x − 0)/√(1 + eps)
  }

  @Test
  void nonFiniteTrainingBatchThrowsAndLeavesRunningStatisticsUnchanged() {
    BatchNorm2d bn = new BatchNorm2d(2);
    bn.forward(gaussian(new Rng(6), 1, 1, 2, 2, 3, 3));
    float[] rm = bn.namedBuffers().get("running_mean").toArray();
    float[] rv = bn.namedBuffers().get("running_var").toArray();
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
      Tensor x = gaussian(new Rng(7), 1, 1, 2, 2, 3, 3);
      x.set(bad, 1, 1, 2, 0);
      NonFiniteException e = assertThrows(NonFiniteException.class, () -> bn.forward(x));
      assertTrue(e.getMessage().contains("BatchNorm2d(2)"), e.getMessage());
      assertTrue(e.getMessage().contains("channel 1"), e.getMessage());
      assertArrayEquals(rm, bn.namedBuffers().get("running_mean").toArray());
      assertArrayEquals(rv, bn.namedBuffers().get("running_var").toArray());
      assertEquals(1, bn.namedCounters().get("num_batches_tracked").get());
    }
  }

  @Test
  void withoutRunningStatsThereAreNoBuffersAndEvalUsesBatchStatistics() {
    BatchNorm1d bn = new BatchNorm1d(4, EPS, 0.1, true, false);
    assertTrue(bn.namedBuffers().isEmpty(), bn.namedBuffers().keySet().toString());
    assertTrue(bn.namedCounters().isEmpty());
    Tensor x = gaussian(new Rng(8), 5, 3, 6, 4, 3);
    double[] ref = BatchNormReference.train(x.data(), 6, 4, 3, EPS, null, null);
    assertClose("train", bn.train().forward(x).toArray(), ref, 1e-5);
    assertClose("eval", bn.eval().forward(x).toArray(), ref, 1e-5);
  }

  @Test
  void articleBatchNorm1dWithAndWithoutAffineOn22By102() {
    Rng rng = new Rng(9);
    Tensor x = gaussian(rng, 0.5, 2.0, 22, 102);
    BatchNorm1d affine = new BatchNorm1d(102);
    BatchNorm1d plain = new BatchNorm1d(102, 1e-5, 0.1, false, true);
    assertEquals(List.of("weight", "bias"), List.copyOf(affine.namedParameters().keySet()));
    assertEquals(204, affine.parameterCount());
    assertTrue(plain.namedParameters().isEmpty());
    assertEquals(
        List.of("running_mean", "running_var"), List.copyOf(plain.namedBuffers().keySet()));
    double[] ref = BatchNormReference.train(x.data(), 22, 102, 1, EPS, null, null);
    float[] ya = affine.forward(x).toArray();
    assertClose("affine (γ=1, β=0)", ya, ref, 1e-5);
    assertClose("affine=false", plain.forward(x).toArray(), ref, 1e-5);
    assertEquals(
        "BatchNorm1d(102, eps=1e-05, momentum=0.1, affine=False, track_running_stats=True)",
        plain.toString());
  }

  @Test
  void wrongRankOrChannelsAreRejectedWithPyTorchLikeMessages() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new BatchNorm1d(3).forward(Tensor.zeros(2, 3, 4, 4)));
    assertTrue(e.getMessage().contains("expected 2D or 3D input (got 4D input"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> new BatchNorm2d(3).forward(Tensor.zeros(2, 3)));
    assertTrue(e.getMessage().contains("expected 4D input (got 2D input"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new BatchNorm3d(3).forward(Tensor.zeros(2, 3, 4, 4)));
    assertTrue(e.getMessage().contains("expected 5D input (got 4D input"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new BatchNorm2d(16).forward(Tensor.zeros(2, 3, 4, 4)));
    assertTrue(e.getMessage().contains("numFeatures = 16"), e.getMessage());
    assertTrue(e.getMessage().contains("(2, 3, 4, 4)"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(0));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3, 0, 0.1, true, true));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3, 1e-5, 1.5, true, true));
    BatchNorm2d bn = new BatchNorm2d(3);
    assertThrows(IllegalStateException.class, () -> bn.backward(Tensor.zeros(2, 3, 2, 2)));
  }

  @Test
  void resetParametersRestoresPyTorchInitialState() {
    BatchNorm2d bn = new BatchNorm2d(2);
    bn.namedParameters().get("weight").data().fill(3f);
    bn.forward(gaussian(new Rng(10), 5, 2, 3, 2, 2, 2));
    bn.resetParameters(new Rng(0));
    assertArrayEquals(new float[] {1f, 1f}, bn.namedParameters().get("weight").data().toArray());
    assertArrayEquals(new float[] {0f, 0f}, bn.namedParameters().get("bias").data().toArray());
    assertArrayEquals(new float[] {0f, 0f}, bn.namedBuffers().get("running_mean").toArray());
    assertArrayEquals(new float[] {1f, 1f}, bn.namedBuffers().get("running_var").toArray());
    assertEquals(0, bn.namedCounters().get("num_batches_tracked").get());
    assertNull(new BatchNorm1d(2, 1e-5, null, true, true).momentum());
  }
}
