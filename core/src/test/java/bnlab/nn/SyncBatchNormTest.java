package bnlab.nn;

import static bnlab.nn.BatchNormReference.gaussian;
import static bnlab.nn.NormGradTest.randomAffine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.optim.SGD;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SyncBatchNorm on replicas that are threads of this process ({@link LocalReplicaGroup}): replicas
 * holding parts of a batch behave as one BatchNorm over the whole batch, in one step and over a
 * training run; the variance merge is exact where PyTorch's recovery from invstd is not; the
 * gradient through the other replicas' statistics is checked by finite differences.
 */
class SyncBatchNormTest {
  private static final long TIMEOUT_MS = 20_000;

  /** BatchNorm over the whole batch, and the same layer as replicas holding {@code sizes}. */
  private static void assertReplicasEqualOneLayer(
      Module single, java.util.function.IntFunction<Module> replica, int[] sizes, int... shape) {
    Rng rng = new Rng(31);
    try (Replicated replicas = new Replicated(sizes, replica)) {
      for (int step = 0; step < 3; step++) {
        Tensor x = gaussian(rng, 0.5 + step, 1 + step, shape);
        Tensor dY = gaussian(rng, 0, 1, shape);
        String at = "step " + step + " ";
        relClose(at + "y", replicas.forward(x).toArray(), single.forward(x).toArray(), 1e-6);
        relClose(at + "dX", replicas.backward(dY).toArray(), single.backward(dY).toArray(), 1e-6);
      }
      for (String p : List.of("weight", "bias")) {
        float[] sum = new float[single.namedParameters().get(p).size()];
        for (int r = 0; r < sizes.length; r++) {
          float[] g = replicas.replica(r).namedParameters().get(p).grad().toArray();
          for (int j = 0; j < sum.length; j++) {
            sum[j] += g[j];
          }
        }
        relClose("d" + p + " summed over replicas", sum, grad(single, p), 1e-6);
      }
      for (int r = 0; r < sizes.length; r++) {
        for (String b : List.of("running_mean", "running_var")) {
          relClose(
              "replica " + r + " " + b,
              replicas.replica(r).namedBuffers().get(b).toArray(),
              single.namedBuffers().get(b).toArray(),
              1e-6);
        }
        assertEquals(3, replicas.replica(r).namedCounters().get("num_batches_tracked").get());
      }
      // eval mode is BatchNorm's with the (equal) running statistics, and needs no peers
      Tensor x = gaussian(rng, 1, 2, shape);
      relClose(
          "eval", replicas.eval().forward(x).toArray(), single.eval().forward(x).toArray(), 1e-6);
    }
  }

  private static float[] grad(Module m, String p) {
    return m.namedParameters().get(p).grad().toArray();
  }

  @Test
  void twoReplicasOfBatchBEqualOneBatchNormOfBatch2b() {
    LocalReplicaGroup[] g = LocalReplicaGroup.create(2, TIMEOUT_MS);
    assertReplicasEqualOneLayer(
        randomAffine(new BatchNorm2d(6), 1),
        r -> randomAffine(new SyncBatchNorm(6, g[r]), 1),
        new int[] {5, 5},
        10,
        6,
        28,
        28);
    LocalReplicaGroup[] h = LocalReplicaGroup.create(2, TIMEOUT_MS);
    assertReplicasEqualOneLayer(
        randomAffine(new BatchNorm1d(84), 2),
        r -> randomAffine(new SyncBatchNorm(84, h[r]), 2),
        new int[] {5, 5},
        10,
        84);
  }

  @Test
  void replicasWithUnequalBatchesAndMomentumNone() {
    LocalReplicaGroup[] g = LocalReplicaGroup.create(3, TIMEOUT_MS);
    assertReplicasEqualOneLayer(
        randomAffine(new BatchNorm1d(5, 1e-5, null, true, true), 3),
        r -> randomAffine(new SyncBatchNorm(5, 1e-5, null, true, true, g[r]), 3),
        new int[] {1, 4, 2},
        7,
        5,
        9);
  }

  /**
   * A small BN network trained with SGD as two synchronized replicas, each on half of every batch,
   * with the parameter gradients averaged between the steps by the test's own all-reduce, follows
   * the single process trained on the whole batches: the same losses and weights, step by step.
   */
  @Test
  void networkTrainedAsTwoReplicasMatchesTheDoubledBatch() throws Exception {
    int b = 6;
    int steps = 24;
    Sequential single = net(7);
    SGD opt = new SGD(single.parameters(), 0.05, 0.9, 0, 0, false);
    LocalReplicaGroup[] g = LocalReplicaGroup.create(2, TIMEOUT_MS);
    Sequential[] replicas = new Sequential[2];
    SGD[] opts = new SGD[2];
    for (int r = 0; r < 2; r++) {
      replicas[r] = (Sequential) SyncBatchNorm.convert(net(7), g[r]);
      opts[r] = new SGD(replicas[r].parameters(), 0.05, 0.9, 0, 0, false);
    }
    assertTrue(replicas[0].get("bn1") instanceof SyncBatchNorm);
    Rng data = new Rng(8);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    CrossEntropyLoss[] losses = {new CrossEntropyLoss(), new CrossEntropyLoss()};
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      for (int step = 0; step < steps; step++) {
        Tensor x = gaussian(data, 0.3, 1.2, 2 * b, 3, 6, 6);
        int[] y = new int[2 * b];
        for (int i = 0; i < y.length; i++) {
          y[i] = data.nextInt(4);
        }
        opt.zeroGrad();
        float l = loss.forward(single.forward(x), y);
        single.backward(loss.backward());
        opt.step();

        List<java.util.concurrent.Future<Float>> parts = new java.util.ArrayList<>();
        for (int r = 0; r < 2; r++) {
          int rank = r;
          Tensor xr = slice(x, rank * b, b);
          int[] yr = java.util.Arrays.copyOfRange(y, rank * b, (rank + 1) * b);
          parts.add(
              pool.submit(
                  () -> {
                    opts[rank].zeroGrad();
                    float lr = losses[rank].forward(replicas[rank].forward(xr), yr);
                    replicas[rank].backward(losses[rank].backward());
                    averageGradients(replicas[rank], g[rank]);
                    opts[rank].step();
                    return lr;
                  }));
        }
        float mean = (parts.get(0).get() + parts.get(1).get()) / 2;
        assertEquals(l, mean, 1e-5 * Math.abs(l), "loss at step " + step);
      }
    } finally {
      pool.shutdownNow();
    }
    for (Map.Entry<String, Parameter> e : single.namedParameters().entrySet()) {
      for (int r = 0; r < 2; r++) {
        relClose(
            "replica " + r + " " + e.getKey() + " after " + steps + " steps",
            replicas[r].namedParameters().get(e.getKey()).data().toArray(),
            e.getValue().data().toArray(),
            1e-5);
      }
    }
    for (Map.Entry<String, Tensor> e : single.namedBuffers().entrySet()) {
      relClose(
          e.getKey(),
          replicas[1].namedBuffers().get(e.getKey()).toArray(),
          e.getValue().toArray(),
          1e-5);
    }
  }

  private static Sequential net(long seed) {
    Sequential m =
        new Sequential()
            .add("conv1", new Conv2d(3, 4, 3, 1, 1, false))
            .add("bn1", new BatchNorm2d(4))
            .add("relu1", new ReLU())
            .add("flatten", new Flatten())
            .add("fc1", new Linear(4 * 6 * 6, 10))
            .add("bn2", new BatchNorm1d(10))
            .add("relu2", new ReLU())
            .add("fc2", new Linear(10, 4));
    m.resetParameters(new Rng(seed));
    return m;
  }

  /** DistributedDataParallel's step: every gradient averaged over the replicas. */
  private static void averageGradients(Module m, ReplicaGroup g) {
    for (Parameter p : m.parameters()) {
      float[] grad = p.grad().data();
      double[] d = new double[grad.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = grad[i];
      }
      g.allReduce(d);
      for (int i = 0; i < d.length; i++) {
        grad[i] = (float) (d[i] / g.size());
      }
    }
  }

  private static Tensor slice(Tensor x, int from, int count) {
    int per = x.size() / x.dim(0);
    int[] shape = x.shape();
    shape[0] = count;
    return Tensor.of(
        java.util.Arrays.copyOfRange(x.data(), from * per, (from + count) * per), shape);
  }

  /**
   * Variance far below eps, as after a layer with tiny outputs: x = 1 + 1e-4·u per replica (σ² ≈
   * 3e-9, eps = 1e-5). Chan's merge of (count, mean, M2) keeps the global variance to double
   * accuracy, so running_var (momentum 1: the unbiased global variance itself) is right to float
   * rounding. PyTorch's {@code batch_norm_gather_stats_with_counts} gets each replica's variance
   * back as 1/invstd² − eps from the float32 invstd that {@code batch_norm_stats} returned, which
   * keeps only about 4 of its digits here.
   */
  @Test
  void varianceMergeBeatsRecoveryFromInvstdWhenVarianceIsFarBelowEps() {
    double eps = 1e-5;
    int[] sizes = {8, 8};
    int c = 3;
    int s = 50;
    Rng rng = new Rng(12);
    Tensor x = Tensor.zeros(16, c, s);
    for (int i = 0; i < x.size(); i++) {
      int sample = i / (c * s);
      x.data()[i] = (float) (1.0 + (sample < 8 ? 0 : 5e-5) + 1e-4 * rng.uniform(-1f, 1f));
    }
    LocalReplicaGroup[] g = LocalReplicaGroup.create(2, TIMEOUT_MS);
    float[] ours;
    try (Replicated sync =
        new Replicated(sizes, r -> new SyncBatchNorm(c, eps, 1.0, true, true, g[r]))) {
      sync.forward(x);
      ours = sync.replica(0).namedBuffers().get("running_var").toArray();
    }
    double worstOurs = 0;
    double worstTorch = 0;
    for (int j = 0; j < c; j++) {
      double exact = unbiasedVariance(x, j, 0, 16);
      double torch = torchGatherVariance(x, j, sizes, eps);
      worstOurs = Math.max(worstOurs, Math.abs(ours[j] - exact) / exact);
      worstTorch = Math.max(worstTorch, Math.abs(torch - exact) / exact);
    }
    System.out.printf(
        Locale.ROOT,
        "SyncBatchNorm, σ² ≈ 3e-9 ≪ eps: relative error of the global variance: Chan merge %.2e,"
            + " recovery from float32 invstd %.2e%n",
        worstOurs,
        worstTorch);
    assertTrue(worstOurs < 2e-7, "merged variance off by " + worstOurs);
    assertTrue(worstTorch > 100 * worstOurs, "recovery from invstd off by only " + worstTorch);
  }

  /** The unbiased variance of channel j over samples [from, to) in double, two passes. */
  private static double unbiasedVariance(Tensor x, int j, int from, int to) {
    int c = x.dim(1);
    int s = x.dim(2);
    double mean = 0;
    for (int i = from; i < to; i++) {
      for (int k = 0; k < s; k++) {
        mean += x.data()[(i * c + j) * s + k];
      }
    }
    int m = (to - from) * s;
    mean /= m;
    double sq = 0;
    for (int i = from; i < to; i++) {
      for (int k = 0; k < s; k++) {
        double d = x.data()[(i * c + j) * s + k] - mean;
        sq += d * d;
      }
    }
    return sq / (m - 1);
  }

  /**
   * PyTorch's path, all in double except what PyTorch keeps in float32: each replica's invstd =
   * 1/√(σ² + eps) ({@code batch_norm_stats} returns it in the input's dtype), then σ² = 1/invstd² −
   * eps and a count-weighted merge ({@code batch_norm_gather_stats_with_counts}), made unbiased as
   * running_var is. The float32 invstd alone is what loses the variance.
   */
  private static double torchGatherVariance(Tensor x, int j, int[] sizes, double eps) {
    double n = 0;
    double mean = 0;
    double m2 = 0;
    int from = 0;
    for (int size : sizes) {
      int m = size * x.dim(2);
      double biased = unbiasedVariance(x, j, from, from + size) * (m - 1) / m;
      float invstd = (float) (1 / Math.sqrt(biased + eps));
      double varR = 1.0 / ((double) invstd * invstd) - eps;
      double meanR = mean(x, j, from, from + size);
      double total = n + m;
      double delta = meanR - mean;
      mean += delta * m / total;
      m2 += varR * m + delta * delta * n * m / total;
      n = total;
      from += size;
    }
    return m2 / (n - 1);
  }

  private static double mean(Tensor x, int j, int from, int to) {
    int c = x.dim(1);
    int s = x.dim(2);
    double sum = 0;
    for (int i = from; i < to; i++) {
      for (int k = 0; k < s; k++) {
        sum += x.data()[(i * c + j) * s + k];
      }
    }
    return sum / ((to - from) * s);
  }

  /**
   * dX through the global statistics (each replica's output depends on the others' inputs), and dγ,
   * dβ of each replica's own parameters, by finite differences, training mode.
   */
  @Test
  void gradientThroughTheReplicasStatistics() {
    LocalReplicaGroup[] g = LocalReplicaGroup.create(2, TIMEOUT_MS);
    try (Replicated sync =
        new Replicated(new int[] {2, 3}, r -> randomAffine(new SyncBatchNorm(3, g[r]), 4 + r))) {
      GradCheck.of(sync, gaussian(new Rng(5), 0.4, 1.3, 5, 3, 2, 2)).check();
    }
    LocalReplicaGroup[] h = LocalReplicaGroup.create(2, TIMEOUT_MS);
    try (Replicated sync =
        new Replicated(new int[] {1, 1}, r -> randomAffine(new SyncBatchNorm(4, h[r]), 6))) {
      // one value per channel on each replica: allowed, the global batch has two
      GradCheck.of(sync, gaussian(new Rng(6), 0.4, 1.3, 2, 4)).check();
    }
  }

  @Test
  void convertReplacesBatchNormsKeepingStateNamesAndObjects() {
    Sequential m =
        new Sequential()
            .add("conv1", new Conv2d(3, 4, 3, 1, 1, false))
            .add("bn1", new BatchNorm2d(4))
            .add(
                "block",
                new Sequential()
                    .add("bn2", new BatchNorm2d(4, 1e-3, null, false, true))
                    .add("gn", new GroupNorm(2, 4)))
            .add("flatten", new Flatten())
            .add("bn3", new BatchNorm1d(4 * 5 * 5).freeze());
    m.requiresInputGrad(false);
    m.forward(gaussian(new Rng(1), 0, 1, 2, 3, 5, 5));
    m.eval();
    Map<String, Parameter> params = m.namedParameters();
    Map<String, Tensor> buffers = m.namedBuffers();
    Map<String, Counter> counters = m.namedCounters();
    LocalReplicaGroup[] g = LocalReplicaGroup.create(1, TIMEOUT_MS);
    assertSame(m, SyncBatchNorm.convert(m, g[0]));
    Sequential block = (Sequential) m.get("block");
    for (Module bn : List.of(m.get("bn1"), block.get("bn2"), m.get("bn3"))) {
      assertTrue(bn instanceof SyncBatchNorm, bn.toString());
      assertTrue(!bn.isTraining(), "training mode kept");
    }
    assertTrue(block.get("gn") instanceof GroupNorm);
    assertEquals(params.keySet(), m.namedParameters().keySet());
    params.forEach((n, p) -> assertSame(p, m.namedParameters().get(n), n));
    buffers.forEach((n, t) -> assertSame(t, m.namedBuffers().get(n), n));
    counters.forEach((n, c) -> assertSame(c, m.namedCounters().get(n), n));
    SyncBatchNorm bn2 = (SyncBatchNorm) block.get("bn2");
    assertEquals(
        "SyncBatchNorm(4, eps=0.001, momentum=None, affine=False, track_running_stats=True)",
        bn2.toString());
    assertTrue(((SyncBatchNorm) m.get("bn3")).isFrozen(), "freeze kept");
    assertTrue(!m.get("conv1").requiresInputGrad(), "input-gradient flag kept");
    assertEquals(3, Freeze.batchNorm(m), "Freeze sees SyncBatchNorm as a BatchNorm");
    // a BatchNorm as the whole model is returned converted
    assertTrue(SyncBatchNorm.convert(new BatchNorm1d(2), g[0]) instanceof SyncBatchNorm);
  }

  @Test
  void errorsNameTheProblem() {
    LocalReplicaGroup[] one = LocalReplicaGroup.create(1, TIMEOUT_MS);
    SyncBatchNorm alone = new SyncBatchNorm(3, one[0]);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> alone.forward(Tensor.zeros(1, 3)));
    assertTrue(e.getMessage().contains("Expected more than 1 value per channel"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> alone.forward(Tensor.zeros(3)));
    assertTrue(e.getMessage().contains("expected at least 2D input"), e.getMessage());
    // a peer that never comes: the call fails after the timeout, naming it
    LocalReplicaGroup[] two = LocalReplicaGroup.create(2, 200);
    SyncBatchNorm waiting = new SyncBatchNorm(3, two[0]);
    IllegalStateException late =
        assertThrows(IllegalStateException.class, () -> waiting.forward(Tensor.zeros(4, 3)));
    assertTrue(late.getMessage().contains("replica 1 did not arrive"), late.getMessage());
    assertEquals(0, waiting.namedCounters().get("num_batches_tracked").get());
    assertThrows(NullPointerException.class, () -> new SyncBatchNorm(3, null));
    Module notSequential =
        new Module() {
          {
            registerModule("bn", new BatchNorm1d(2));
          }

          @Override
          public Tensor forward(Tensor x) {
            return x;
          }

          @Override
          public Tensor backward(Tensor dY) {
            return dY;
          }
        };
    UnsupportedOperationException u =
        assertThrows(
            UnsupportedOperationException.class,
            () -> SyncBatchNorm.convert(notSequential, one[0]));
    assertTrue(u.getMessage().contains("replaceChild"), u.getMessage());
  }

  /** |a − b| ≤ rtol·max|b| elementwise, naming the first entry beyond. */
  private static void relClose(String what, float[] actual, float[] expected, double rtol) {
    assertEquals(expected.length, actual.length, what + ": length");
    double scale = 0;
    for (float v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    double tol = rtol * Math.max(scale, 1e-30);
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
        throw new AssertionError(
            String.format(
                Locale.ROOT,
                "%s: entry %d is %.9g, expected %.9g (|diff| %.3g > %.3g = %.0e × max %.3g)",
                what,
                i,
                actual[i],
                expected[i],
                Math.abs(actual[i] - expected[i]),
                tol,
                rtol,
                scale));
      }
    }
  }
}
