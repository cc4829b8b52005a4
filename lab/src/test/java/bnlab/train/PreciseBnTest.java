package bnlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.data.DataLoader;
import bnlab.data.Dataset;
import bnlab.data.ToTensor;
import bnlab.nn.BatchNorm1d;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.BatchRenorm;
import bnlab.nn.Conv2d;
import bnlab.nn.Flatten;
import bnlab.nn.Linear;
import bnlab.nn.Module;
import bnlab.nn.ReLU;
import bnlab.nn.Sequential;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Precise BN against two independent references: the batch statistics computed by hand from the
 * layers' inputs (each layer run on its own), and BatchNorm's own cumulative average (momentum =
 * null, PyTorch's momentum=None) over the same batches.
 */
class PreciseBnTest {
  static final int N = 6;

  /** conv → BN2d(momentum 0.1) → ReLU → flatten → linear → BN1d(momentum null) → ReLU → linear. */
  static Sequential net(Double momentum2) {
    Sequential s =
        new Sequential()
            .add("conv", new Conv2d(1, 3, 3, 1, 1, true))
            .add("bn1", new BatchNorm2d(3))
            .add("relu1", new ReLU())
            .add("flat", new Flatten())
            .add("fc1", new Linear(3 * 4 * 4, 5))
            .add("bn2", new BatchNorm1d(5, 1e-5, momentum2, true, true))
            .add("relu2", new ReLU())
            .add("fc2", new Linear(5, 3));
    s.resetParameters(new Rng(3));
    // non-trivial γ, β and stale running statistics, as after training
    Rng r = new Rng(9);
    s.namedParameters().forEach((k, p) -> randomize(p.data(), r, k.endsWith("weight") ? 1 : 0));
    s.namedBuffers().forEach((k, t) -> randomize(t, r, k.endsWith("var") ? 2 : 0));
    return s;
  }

  private static void randomize(Tensor t, Rng r, float offset) {
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = offset + 0.5f * (float) r.nextGaussian() * (offset == 2 ? 0.5f : 1f);
    }
  }

  /** {@code n} random grey 4×4 images in 3 classes. */
  static Dataset images(int n) {
    byte[] pixels = new byte[n * 16];
    new java.util.Random(5).nextBytes(pixels);
    return new Dataset() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public int channels() {
        return 1;
      }

      @Override
      public int height() {
        return 4;
      }

      @Override
      public int width() {
        return 4;
      }

      @Override
      public List<String> classes() {
        return List.of("a", "b", "c");
      }

      @Override
      public int label(int i) {
        return i % 3;
      }

      @Override
      public void get(int i, byte[] dst, int offset) {
        System.arraycopy(pixels, i * 16, dst, offset, 16);
      }
    };
  }

  static DataLoader loader(Dataset d) {
    return new DataLoader(d, N).transforms(new ToTensor()).shuffle(1).dropLast(true).prefetch(0);
  }

  /** Per channel over (N, C, S): mean and unbiased variance, in double. */
  static double[][] stats(Tensor x) {
    int n = x.dim(0);
    int c = x.dim(1);
    int s = x.size() / (n * c);
    double[] mean = new double[c];
    double[] var = new double[c];
    float[] d = x.data();
    for (int ch = 0; ch < c; ch++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < s; k++) {
          sum += d[(i * c + ch) * s + k];
        }
      }
      mean[ch] = sum / (n * s);
      double sq = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < s; k++) {
          double v = d[(i * c + ch) * s + k] - mean[ch];
          sq += v * v;
        }
      }
      var[ch] = sq / (n * s - 1);
    }
    return new double[][] {mean, var};
  }

  /**
   * The reference: each batch run layer by layer in training mode, the statistics of the inputs of
   * bn1 and bn2 computed from those inputs, averaged over the batches.
   */
  static double[][][] byHand(Sequential s, DataLoader l, int batches) {
    double[][][] sum = new double[2][2][];
    sum[0][0] = new double[3];
    sum[0][1] = new double[3];
    sum[1][0] = new double[5];
    sum[1][1] = new double[5];
    s.train();
    int done = 0;
    for (int epoch = 0; done < batches; epoch++) {
      try (DataLoader.Epoch it = l.epoch(epoch)) {
        while (it.hasNext() && done < batches) {
          Tensor h = it.next().x();
          int bn = 0;
          for (Map.Entry<String, Module> e : s.children().entrySet()) {
            if (e.getKey().startsWith("bn")) {
              double[][] st = stats(h);
              for (int j = 0; j < 2; j++) {
                for (int c = 0; c < st[j].length; c++) {
                  sum[bn][j][c] += st[j][c] / batches;
                }
              }
              bn++;
            }
            h = e.getValue().forward(h);
          }
          done++;
        }
      }
    }
    return sum;
  }

  static void assertClose(double[] expected, float[] actual, double tol, String what) {
    for (int i = 0; i < expected.length; i++) {
      if (Math.abs(expected[i] - actual[i]) > tol * Math.max(1, Math.abs(expected[i]))) {
        fail(what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
      }
    }
  }

  @Test
  void recalibratedStatisticsAreTheAverageOfTheBatchStatistics() {
    Sequential s = net(null);
    Dataset d = images(40); // 6 batches per epoch: 8 batches run into the second epoch
    double[][][] expected = byHand(net(null), loader(d), 8);
    PreciseBn.Estimate e = PreciseBn.recalibrate(s, loader(d), 8);
    assertEquals(8, e.batches());
    assertEquals(8 * N, e.images());
    Map<String, Tensor> b = s.namedBuffers();
    assertClose(expected[0][0], b.get("bn1.running_mean").data(), 1e-5, "bn1.running_mean");
    assertClose(expected[0][1], b.get("bn1.running_var").data(), 1e-5, "bn1.running_var");
    assertClose(expected[1][0], b.get("bn2.running_mean").data(), 1e-5, "bn2.running_mean");
    assertClose(expected[1][1], b.get("bn2.running_var").data(), 1e-5, "bn2.running_var");
    assertEquals(8, s.namedCounters().get("bn1.num_batches_tracked").get());
    assertEquals(8, s.namedCounters().get("bn2.num_batches_tracked").get());
  }

  @Test
  void equalsBatchNormsOwnCumulativeAverage() {
    // The same batches through layers with momentum = null from reset statistics: PyTorch's
    // cumulative moving average, which precise BN is defined to be.
    Dataset d = images(30);
    Sequential s = net(0.1);
    Sequential cumulative = net(null);
    Sequential withCma =
        new Sequential()
            .add("conv", cumulative.children().get("conv"))
            .add("bn1", new BatchNorm2d(3, 1e-5, null, true, true))
            .add("relu1", new ReLU())
            .add("flat", new Flatten())
            .add("fc1", cumulative.children().get("fc1"))
            .add("bn2", new BatchNorm1d(5, 1e-5, null, true, true))
            .add("relu2", new ReLU())
            .add("fc2", cumulative.children().get("fc2"));
    copyAffine(s, withCma);
    withCma.train();
    try (DataLoader.Epoch it = loader(d).epoch(0)) {
      while (it.hasNext()) {
        withCma.forward(it.next().x());
      }
    }
    PreciseBn.recalibrate(s, loader(d), 5);
    for (String k : List.of("bn1.running_mean", "bn1.running_var", "bn2.running_mean")) {
      float[] want = withCma.namedBuffers().get(k).data();
      double[] w = new double[want.length];
      Arrays.setAll(w, i -> want[i]);
      assertClose(w, s.namedBuffers().get(k).data(), 1e-5, k);
    }
  }

  private static void copyAffine(Module from, Module to) {
    var src = from.namedParameters();
    to.namedParameters()
        .forEach(
            (k, p) -> System.arraycopy(src.get(k).data().data(), 0, p.data().data(), 0, p.size()));
  }

  @Test
  void estimateLeavesTheModelAsItWas() {
    Sequential s = net(0.1);
    s.eval();
    List<float[]> before = new ArrayList<>();
    s.namedBuffers().values().forEach(t -> before.add(t.data().clone()));
    s.namedParameters().values().forEach(p -> before.add(p.data().data().clone()));
    PreciseBn.Estimate e = PreciseBn.estimate(s, loader(images(24)), 3);
    assertEquals(2, e.layers().size());
    List<float[]> after = new ArrayList<>();
    s.namedBuffers().values().forEach(t -> after.add(t.data().clone()));
    s.namedParameters().values().forEach(p -> after.add(p.data().data().clone()));
    for (int i = 0; i < before.size(); i++) {
      assertArrayEquals(before.get(i), after.get(i), "tensor " + i);
    }
    assertTrue(!s.isTraining(), "eval mode kept");
    assertEquals(0, s.namedCounters().get("bn1.num_batches_tracked").get());
  }

  @Test
  void otherLayersWithRunningStatisticsAreSkippedAndKept() {
    Sequential s =
        new Sequential()
            .add("flat", new Flatten())
            .add("fc", new Linear(16, 4))
            .add("brn", new BatchRenorm(4))
            .add("bn", new BatchNorm1d(4))
            .add("frozen", new BatchNorm1d(4).freeze());
    s.resetParameters(new Rng(1));
    s.namedBuffers().get("frozen.running_mean").fill(0.5f);
    Dataset d = images(12);
    DataLoader l = loader(d);
    Map<String, String> skipped = PreciseBn.skipped(s);
    assertEquals(List.of("brn", "frozen"), List.copyOf(skipped.keySet()), skipped.toString());
    float[] brn = s.namedBuffers().get("brn.running_mean").data().clone();
    PreciseBn.recalibrate(s, l, 2);
    assertArrayEquals(brn, s.namedBuffers().get("brn.running_mean").data());
    assertEquals(0.5f, s.namedBuffers().get("frozen.running_mean").data()[0]);
    assertEquals(2, s.namedCounters().get("bn.num_batches_tracked").get());
  }

  @Test
  void aModelWithoutBatchNormIsRefused() {
    Sequential s = new Sequential().add("flat", new Flatten()).add("fc", new Linear(16, 4));
    DataLoader l = loader(images(12));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PreciseBn.estimate(s, l, 2));
    assertTrue(e.getMessage().contains("no BatchNorm layer"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> PreciseBn.estimate(net(0.1), l, 0));
  }
}
