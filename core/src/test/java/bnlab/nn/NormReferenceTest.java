package bnlab.nn;

import static bnlab.nn.BatchNormReference.assertClose;
import static bnlab.nn.BatchNormReference.gaussian;
import static bnlab.nn.NormGradTest.randomAffine;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Forward values and running statistics against direct double-precision formulas written here, the
 * layers' contracts, and their errors.
 */
class NormReferenceTest {

  /** GroupNorm straight from the paper's definition, in double. */
  private static double[] groupNormRef(
      float[] x, int n, int c, int s, int g, float[] w, float[] b) {
    double[] y = new double[x.length];
    int cpg = c / g;
    for (int i = 0; i < n; i++) {
      for (int q = 0; q < g; q++) {
        int from = (i * c + q * cpg) * s;
        int to = from + cpg * s;
        double mu = 0;
        for (int k = from; k < to; k++) {
          mu += x[k];
        }
        mu /= cpg * s;
        double v = 0;
        for (int k = from; k < to; k++) {
          v += (x[k] - mu) * (x[k] - mu);
        }
        v /= cpg * s;
        for (int k = from; k < to; k++) {
          int ch = k / s % c;
          y[k] = (x[k] - mu) / Math.sqrt(v + 1e-5) * w[ch] + b[ch];
        }
      }
    }
    return y;
  }

  @Test
  void groupNormForwardMatchesDefinition() {
    GroupNorm gn = randomAffine(new GroupNorm(3, 6), 1);
    Tensor x = gaussian(new Rng(2), 3, 2, 2, 6, 3, 2);
    double[] ref =
        groupNormRef(
            x.data(),
            2,
            6,
            6,
            3,
            gn.namedParameters().get("weight").data().data(),
            gn.namedParameters().get("bias").data().data());
    assertClose("GroupNorm", gn.forward(x).toArray(), ref, 1e-5);
    assertClose("GroupNorm eval", gn.eval().forward(x).toArray(), ref, 1e-5);
  }

  @Test
  void ghostBatchNormIsBatchNormPerVirtualBatch() {
    GhostBatchNorm ghost = randomAffine(new GhostBatchNorm(2, 2), 3);
    float[] w = ghost.namedParameters().get("weight").data().toArray();
    float[] b = ghost.namedParameters().get("bias").data().toArray();
    Tensor x = gaussian(new Rng(4), 1, 3, 6, 2, 3);
    float[] y = ghost.forward(x).toArray();
    int per = 2 * 2 * 3;
    double[] meanOfMeans = new double[2];
    double[] meanOfVars = new double[2];
    for (int v = 0; v < 3; v++) {
      float[] sub = Arrays.copyOfRange(x.data(), v * per, (v + 1) * per);
      double[] ref = BatchNormReference.train(sub, 2, 2, 3, 1e-5, w, b);
      assertClose("virtual batch " + v, Arrays.copyOfRange(y, v * per, (v + 1) * per), ref, 1e-5);
      double[] mu = BatchNormReference.mean(sub, 2, 2, 3);
      double[] var = BatchNormReference.var(sub, 2, 2, 3, true);
      for (int j = 0; j < 2; j++) {
        meanOfMeans[j] += mu[j] / 3;
        meanOfVars[j] += var[j] / 3;
      }
    }
    double[] expMean = {0.1 * meanOfMeans[0], 0.1 * meanOfMeans[1]};
    double[] expVar = {0.9 + 0.1 * meanOfVars[0], 0.9 + 0.1 * meanOfVars[1]};
    assertClose("running_mean", ghost.namedBuffers().get("running_mean").toArray(), expMean, 1e-6);
    assertClose("running_var", ghost.namedBuffers().get("running_var").toArray(), expVar, 1e-6);
  }

  @Test
  void batchRenormForwardWithActiveCorrections() {
    BatchRenorm rn = new BatchRenorm(2, t -> 2.0, t -> 1.0, 1e-5, 0.1, true);
    randomAffine(rn, 5);
    float[] w = rn.namedParameters().get("weight").data().toArray();
    float[] b = rn.namedParameters().get("bias").data().toArray();
    float[] rm = {0.5f, -3f};
    float[] rv = {4f, 0.25f};
    rn.namedBuffers().get("running_mean").copyFrom(Tensor.of(rm, 2));
    rn.namedBuffers().get("running_var").copyFrom(Tensor.of(rv, 2));
    Tensor x = gaussian(new Rng(6), 1, 1.5, 5, 2, 2);
    float[] y = rn.forward(x).toArray();
    double[] mu = BatchNormReference.mean(x.data(), 5, 2, 2);
    double[] var = BatchNormReference.var(x.data(), 5, 2, 2, false);
    double[] ref = new double[y.length];
    for (int j = 0; j < 2; j++) {
      double sB = Math.sqrt(var[j] + 1e-5);
      double sig = Math.sqrt(rv[j] + 1e-5);
      double r = Math.min(2, Math.max(0.5, sB / sig));
      double d = Math.min(1, Math.max(-1, (mu[j] - rm[j]) / sig));
      assertTrue(Math.abs(rn.lastR()[j] - r) < 1e-12 && Math.abs(rn.lastD()[j] - d) < 1e-12);
      for (int i = 0; i < 5; i++) {
        for (int k = 0; k < 2; k++) {
          int e = (i * 2 + j) * 2 + k;
          ref[e] = w[j] * ((x.data()[e] - mu[j]) / sB * r + d) + b[j];
        }
      }
    }
    // channel 0: r = σB/σ inside the clip; channel 1: r and d clipped
    assertTrue(rn.lastR()[0] > 0.5 && rn.lastR()[0] < 2 && rn.lastD()[1] == 1.0);
    assertClose("BatchRenorm", y, ref, 1e-5);
  }

  @Test
  void instanceNormRunningStatisticsArePyTorchs() {
    InstanceNorm1d in = new InstanceNorm1d(2, 1e-5, 0.1, false, true);
    Tensor x = gaussian(new Rng(7), 2, 1, 3, 2, 4);
    in.forward(x);
    double[] expMean = new double[2];
    double[] expVar = {0.9, 0.9};
    for (int i = 0; i < 3; i++) {
      float[] plane = Arrays.copyOfRange(x.data(), i * 8, (i + 1) * 8);
      double[] mu = BatchNormReference.mean(plane, 1, 2, 4);
      double[] var = BatchNormReference.var(plane, 1, 2, 4, true);
      for (int j = 0; j < 2; j++) {
        expMean[j] += 0.1 * mu[j] / 3;
        expVar[j] += 0.1 * var[j] / 3;
      }
    }
    assertClose("running_mean", in.namedBuffers().get("running_mean").toArray(), expMean, 1e-6);
    assertClose("running_var", in.namedBuffers().get("running_var").toArray(), expVar, 1e-6);
  }

  @Test
  void contracts() {
    Rng rng = new Rng(8);
    LayerContract.of(() -> new GroupNorm(2, 4), gaussian(rng, 0, 1, 3, 4, 2, 2))
        .outputShape(3, 4, 2, 2)
        .parameters("weight", "bias")
        .parameterCount(8)
        .check();
    LayerContract.of(() -> new LayerNorm(4, 2, 2), gaussian(rng, 0, 1, 3, 4, 2, 2))
        .outputShape(3, 4, 2, 2)
        .parameters("weight", "bias")
        .parameterCount(32)
        .check();
    LayerContract.of(() -> new InstanceNorm2d(4), gaussian(rng, 0, 1, 3, 4, 2, 2))
        .outputShape(3, 4, 2, 2)
        .check();
    LayerContract.of(
            () -> new InstanceNorm1d(4, 1e-5, 0.1, true, true), gaussian(rng, 0, 1, 3, 4, 5))
        .parameters("weight", "bias")
        .buffers("running_mean", "running_var")
        .counters("num_batches_tracked")
        .check();
    for (java.util.function.Supplier<Module> f :
        java.util.List.<java.util.function.Supplier<Module>>of(
            () -> new GhostBatchNorm(4, 3), () -> new BatchRenorm(4))) {
      LayerContract.of(f, gaussian(rng, 0, 1, 6, 4, 2, 2))
          .outputShape(6, 4, 2, 2)
          .parameters("weight", "bias")
          .buffers("running_mean", "running_var")
          .counters("num_batches_tracked")
          .parameterCount(8)
          .check();
    }
  }

  @Test
  void pytorchReprs() {
    assertTrue(new GroupNorm(2, 4).toString().equals("GroupNorm(2, 4, eps=1e-05, affine=True)"));
    assertTrue(
        new LayerNorm(3, 4)
            .toString()
            .equals("LayerNorm((3, 4), eps=1e-05, elementwise_affine=True)"));
    assertTrue(
        new InstanceNorm2d(3)
            .toString()
            .equals(
                "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False,"
                    + " track_running_stats=False)"));
  }

  @Test
  void errorsNameTheProblem() {
    assertMessage(() -> new GroupNorm(3, 4), "multiple of numGroups");
    assertMessage(
        () -> new GhostBatchNorm(2, 4).forward(Tensor.zeros(6, 2)), "not a multiple of virtual");
    assertMessage(() -> new LayerNorm(3, 4).forward(Tensor.zeros(2, 4, 3)), "trailing dimensions");
    assertMessage(() -> new GroupNorm(2, 4).forward(Tensor.zeros(2, 6, 3)), "(N, 4, *)");
    assertMessage(
        () -> new InstanceNorm2d(2).forward(Tensor.zeros(2, 2, 1, 1)), "more than 1 spatial");
    assertMessage(() -> new InstanceNorm1d(2).forward(Tensor.zeros(2, 2, 3, 3)), "expected 3D");
    assertMessage(
        () -> new BatchRenorm(2, t -> 0.5, t -> 0.0, 1e-5, 0.1, true).forward(Tensor.zeros(3, 2)),
        "rmax 0.5");
    Tensor nan = Tensor.zeros(4, 2).fill(Float.NaN);
    GhostBatchNorm g = new GhostBatchNorm(2, 2);
    assertMessage(() -> g.forward(nan), "NaN");
    assertThrows(NonFiniteException.class, () -> new BatchRenorm(2).forward(nan));
    assertTrue(g.namedCounters().get("num_batches_tracked").get() == 0);
    assertTrue(g.namedBuffers().get("running_var").get(0) == 1f);
  }

  private static void assertMessage(Runnable r, String part) {
    RuntimeException e = assertThrows(RuntimeException.class, r::run);
    if (!e.getMessage().contains(part)) {
      throw new AssertionError("message '" + e.getMessage() + "' lacks '" + part + "'");
    }
  }
}
