package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Vector API normalization kernels against their scalar twin, every concern of {@link
 * NormKernels} for every layout at awkward sizes: planes below, at and above the vector width, 1×1
 * planes, batch 1, (N, C) rows with and without a tail, virtual batches, instances, groups of
 * channels, LayerNorm rows (short, long, with a tail). Tolerances grow with the length of the
 * reduction behind each value.
 */
class NormTwinsTest {
  private static final NormKernels SCALAR = new ScalarNormKernels();
  private static final NormKernels VECTOR = new VectorNormKernels();

  // n, c, s: s below, at and above the vector width, 1x1 planes, batch 1, (N, C) rows
  private static final int[][] BN = {
    {10, 6, 784},
    {10, 16, 100},
    {1, 3, 13},
    {2, 2, 207},
    {1, 1, 4098},
    {3, 5, 1},
    {128, 120, 1},
    {10, 84, 1},
    {2, 16, 1},
    {7, 37, 1},
    {13, 2, 16},
    {4, 3, 17},
    {1, 1, 1}
  };

  static List<NormLayout> layouts() {
    List<NormLayout> out = new ArrayList<>();
    for (int[] d : BN) {
      out.add(NormLayout.perChannel(d[0], d[1], d[2]));
    }
    // Ghost BatchNorm: virtual batches of planes, of rows, with and without tails
    out.add(NormLayout.virtualBatches(12, 6, 100, 4));
    out.add(NormLayout.virtualBatches(16, 37, 1, 8));
    out.add(NormLayout.virtualBatches(6, 3, 13, 3));
    out.add(NormLayout.virtualBatches(4, 2, 207, 2));
    // InstanceNorm (one group per channel)
    out.add(NormLayout.perSample(3, 5, 207, 5));
    out.add(NormLayout.perSample(2, 4, 13, 4));
    // GroupNorm: the article net's layers, short planes, features
    out.add(NormLayout.perSample(10, 6, 784, 3));
    out.add(NormLayout.perSample(10, 16, 100, 8));
    out.add(NormLayout.perSample(4, 6, 4, 2));
    out.add(NormLayout.perSample(3, 16, 4, 2));
    out.add(NormLayout.perSample(2, 40, 3, 2));
    out.add(NormLayout.perSample(2, 6, 17, 1));
    out.add(NormLayout.perSample(10, 120, 1, 30));
    out.add(NormLayout.perSample(3, 84, 1, 28));
    // LayerNorm rows (one group of M channels, S = 1)
    out.add(NormLayout.perSample(2, 32, 1, 1));
    out.add(NormLayout.perSample(4, 207, 1, 1));
    out.add(NormLayout.perSample(3, 4098, 1, 1));
    out.add(NormLayout.perSample(5, 13, 1, 1));
    out.add(NormLayout.perSample(1, 1, 1, 1));
    // Blocks and groups at once: no vector kernel, the scalar one through the vector provider
    out.add(new NormLayout(4, 6, 5, 2, 3));
    return out;
  }

  @Test
  void momentsAndNormalizeMatchTheScalarTwin() {
    Rng rng = new Rng(5);
    for (NormLayout v : layouts()) {
      for (float offset : new float[] {0f, 1000f}) {
        float spread = offset == 0f ? 1f : 0.01f;
        float[] x = new float[v.n() * v.c() * v.s()];
        for (int i = 0; i < x.length; i++) {
          x[i] = offset + spread * rng.uniform(-1f, 1f);
        }
        NormStats s = stats(v);
        NormStats w = stats(v);
        SCALAR.moments(x, v, s);
        VECTOR.moments(x, v, w);
        for (int r = 0; r < v.slots(); r++) {
          // Relative to the spread, not the offset: that is what normalization needs.
          check(v + " mean, offset " + offset, s.mean()[r], w.mean()[r], 1e-6 * spread);
          check(v + " var", s.var()[r], w.var()[r], 1e-5 * s.var()[r] + 1e-12);
        }
        invstd(s, v, 1e-5);
        float[] gamma = random(rng, v.c());
        float[] beta = random(rng, v.c());
        float[] ys = new float[x.length];
        float[] hs = new float[x.length];
        float[] yv = new float[x.length];
        float[] hv = new float[x.length];
        SCALAR.normalize(x, v, s, gamma, beta, ys, hs);
        VECTOR.normalize(x, v, s, gamma, beta, yv, hv);
        // x̂ is O(1) whatever the offset: a few float roundings of it.
        close("xhat " + v, hs, hv, 4);
        close("y " + v, ys, yv, 4);
        float[] yn = new float[x.length];
        VECTOR.normalize(x, v, s, null, null, yn, null);
        close("y without affine " + v, hs, yn, 4);
      }
    }
  }

  @Test
  void fusedMomentsAndNormalizationEqualTheSeparateCalls() {
    Rng rng = new Rng(8);
    for (NormKernels k : new NormKernels[] {SCALAR, VECTOR}) {
      for (NormLayout v : layouts()) {
        float[] x = random(rng, v.n() * v.c() * v.s());
        float[] gamma = random(rng, v.c());
        float[] beta = random(rng, v.c());
        NormStats a = stats(v);
        NormStats b = stats(v);
        float[] y1 = new float[x.length];
        float[] h1 = new float[x.length];
        float[] y2 = new float[x.length];
        float[] h2 = new float[x.length];
        k.moments(x, v, a);
        invstd(a, v, 1e-5);
        k.normalize(x, v, a, gamma, beta, y1, h1);
        k.momentsNormalize(x, v, 1e-5, b, gamma, beta, y2, h2);
        String at = k.getClass().getSimpleName() + " " + v;
        assertArrayEquals(slots(a.mean(), v), slots(b.mean(), v), 0.0, () -> "mean " + at);
        assertArrayEquals(slots(a.var(), v), slots(b.var(), v), 0.0, () -> "var " + at);
        assertArrayEquals(slots(a.invstd(), v), slots(b.invstd(), v), 0.0, () -> "invstd " + at);
        assertArrayEquals(y1, y2, 0f, () -> "y " + at);
        assertArrayEquals(h1, h2, 0f, () -> "xhat " + at);
      }
    }
  }

  @Test
  void backwardMatchesTheScalarTwin() {
    Rng rng = new Rng(6);
    for (NormLayout v : layouts()) {
      int size = v.n() * v.c() * v.s();
      float[] dy = random(rng, size);
      float[] xhat = random(rng, size);
      NormStats st = stats(v);
      for (int r = 0; r < v.slots(); r++) {
        st.invstd()[r] = 0.5 + rng.nextDouble();
      }
      float[] gamma = random(rng, v.c());
      for (boolean train : new boolean[] {true, false}) {
        float[] dxS = new float[size];
        float[] dxV = new float[size];
        float[] dgS = random(rng, v.c());
        float[] dbS = random(rng, v.c());
        float[] dgV = dgS.clone();
        float[] dbV = dbS.clone();
        NormStats s = copy(st, v);
        NormStats w = copy(st, v);
        SCALAR.backward(train, dy, xhat, false, v, s, gamma, dxS, dgS, dbS);
        VECTOR.backward(train, dy, xhat, false, v, w, gamma, dxV, dgV, dbV);
        long perChannel = (long) v.n() * v.s();
        close("dx " + v + " train " + train, dxS, dxV, 8);
        close("dGamma " + v, dgS, dgV, perChannel);
        close("dBeta " + v, dbS, dbV, perChannel);
        if (train) {
          close("sum dxhat " + v, s.sumDxhat(), w.sumDxhat(), v.slots(), v.count());
          close("sum dxhat·xhat " + v, s.sumDxhatXhat(), w.sumDxhatXhat(), v.slots(), v.count());
        }
      }
    }
  }

  /** The two halves give every bit of the fused backward: what SyncBatchNorm runs between them. */
  @Test
  void sumsThenApplyEqualTheFusedBackward() {
    Rng rng = new Rng(9);
    for (NormKernels k : new NormKernels[] {SCALAR, VECTOR}) {
      for (NormLayout v : layouts()) {
        int size = v.n() * v.c() * v.s();
        float[] dy = random(rng, size);
        float[] xhat = random(rng, size);
        float[] gamma = random(rng, v.c());
        NormStats a = stats(v);
        for (int r = 0; r < v.slots(); r++) {
          a.invstd()[r] = 0.5 + rng.nextDouble();
        }
        NormStats b = copy(a, v);
        float[] dx1 = new float[size];
        float[] dx2 = new float[size];
        float[] dg1 = new float[v.c()];
        float[] db1 = new float[v.c()];
        float[] dg2 = new float[v.c()];
        float[] db2 = new float[v.c()];
        k.backward(true, dy, xhat, false, v, a, gamma, dx1, dg1, db1);
        k.sums(dy, xhat, false, v, b, gamma, dg2, db2);
        k.apply(dy, xhat, false, v, b, gamma, dx2);
        String at = k.getClass().getSimpleName() + " " + v;
        assertArrayEquals(dx1, dx2, 0f, () -> "dx " + at);
        assertArrayEquals(dg1, dg2, 0f, () -> "dGamma " + at);
        assertArrayEquals(db1, db2, 0f, () -> "dBeta " + at);
        assertArrayEquals(slots(a.sumDxhat(), v), slots(b.sumDxhat(), v), 0.0, () -> "A " + at);
      }
    }
  }

  @Test
  void backwardFromTheInputEqualsBackwardFromStoredXhat() {
    Rng rng = new Rng(7);
    for (NormKernels k : new NormKernels[] {SCALAR, VECTOR}) {
      for (NormLayout v : layouts()) {
        if (k == VECTOR && !k.recomputesXhat(v)) {
          continue;
        }
        int size = v.n() * v.c() * v.s();
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
          x[i] = 1000f + 0.01f * rng.uniform(-1f, 1f);
        }
        NormStats st = stats(v);
        float[] gamma = random(rng, v.c());
        float[] beta = random(rng, v.c());
        float[] y = new float[size];
        float[] xhat = new float[size];
        k.momentsNormalize(x, v, 1e-5, st, gamma, beta, y, xhat);
        float[] dy = random(rng, size);
        for (boolean train : new boolean[] {true, false}) {
          float[] dxA = new float[size];
          float[] dxB = new float[size];
          float[] dgA = new float[v.c()];
          float[] dbA = new float[v.c()];
          float[] dgB = new float[v.c()];
          float[] dbB = new float[v.c()];
          k.backward(train, dy, xhat, false, v, copy(st, v), gamma, dxA, dgA, dbA);
          k.backward(train, dy, x, true, v, copy(st, v), gamma, dxB, dgB, dbB);
          // The same float operations give x̂ either way, so every bit agrees.
          String at = k.getClass().getSimpleName() + " " + v + " train " + train;
          assertArrayEquals(dxA, dxB, 0f, () -> "dx " + at);
          assertArrayEquals(dgA, dgB, 0f, () -> "dGamma " + at);
          assertArrayEquals(dbA, dbB, 0f, () -> "dBeta " + at);
        }
      }
    }
  }

  /**
   * Chunks split channels or groups in a fixed way, so the thread count changes no bit: outputs,
   * gradients and the statistics themselves (offset inputs, 1000 ± 0.01).
   */
  @Test
  void vectorResultsDoNotDependOnTheThreadCount() {
    int before = Parallel.threads();
    NormLayout[] big = {
      NormLayout.perChannel(16, 16, 256),
      // Groups of 10 images with a short last one, planes of one image per group, a batch of two.
      NormLayout.perChannel(13, 30, 100),
      NormLayout.perChannel(40, 6, 784),
      NormLayout.perChannel(2, 16, 1024),
      NormLayout.virtualBatches(32, 16, 100, 8),
      NormLayout.perSample(8, 16, 512, 16),
      NormLayout.perSample(16, 32, 128, 8),
      NormLayout.perSample(64, 1024, 1, 1)
    };
    try {
      for (NormLayout v : big) {
        float[][] one = runAll(v, 1);
        float[][] two = runAll(v, 2);
        for (int k = 0; k < one.length; k++) {
          int kk = k;
          assertArrayEquals(one[k], two[k], 0f, () -> v + " output " + kk + ", 1 vs 2 threads");
        }
        double[][] oneStats = statsAll(v, 1);
        double[][] twoStats = statsAll(v, 2);
        for (int k = 0; k < oneStats.length; k++) {
          int kk = k;
          assertArrayEquals(
              oneStats[k], twoStats[k], 0.0, () -> v + " statistic " + kk + ", 1 vs 2 threads");
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  // y, dx, dγ, dβ of a training forward and backward (fused and split) with `threads` threads
  private static float[][] runAll(NormLayout v, int threads) {
    Parallel.setThreads(threads);
    Rng rng = new Rng(11);
    int size = v.n() * v.c() * v.s();
    float[] x = random(rng, size);
    float[] dy = random(rng, size);
    float[] gamma = random(rng, v.c());
    float[] beta = random(rng, v.c());
    float[] y = new float[size];
    float[] xhat = new float[size];
    float[] dx = new float[size];
    float[] dx2 = new float[size];
    float[] dg = new float[v.c()];
    float[] db = new float[v.c()];
    NormStats st = stats(v);
    VECTOR.momentsNormalize(x, v, 1e-5, st, gamma, beta, y, xhat);
    VECTOR.backward(true, dy, xhat, false, v, st, gamma, dx, dg, db);
    VECTOR.sums(dy, xhat, false, v, st, gamma, dg, db);
    VECTOR.apply(dy, xhat, false, v, st, gamma, dx2);
    return new float[][] {y, xhat, dx, dx2, dg, db};
  }

  // mean, var, invstd of the fused forward and mean, var of moments alone, with `threads` threads;
  // the eval normalization with the fused forward's statistics, as doubles of its floats
  private static double[][] statsAll(NormLayout v, int threads) {
    Parallel.setThreads(threads);
    Rng rng = new Rng(13);
    int size = v.n() * v.c() * v.s();
    float[] x = random(rng, size);
    for (int i = 0; i < size; i++) {
      x[i] = 1000f + 0.01f * x[i];
    }
    float[] gamma = random(rng, v.c());
    float[] beta = random(rng, v.c());
    NormStats fused = stats(v);
    VECTOR.momentsNormalize(x, v, 1e-5, fused, gamma, beta, new float[size], null);
    NormStats alone = stats(v);
    VECTOR.moments(x, v, alone);
    float[] y = new float[size];
    VECTOR.normalize(x, v, fused, gamma, beta, y, null);
    double[] yd = new double[size];
    for (int i = 0; i < size; i++) {
      yd[i] = y[i];
    }
    return new double[][] {
      slots(fused.mean(), v),
      slots(fused.var(), v),
      slots(fused.invstd(), v),
      slots(alone.mean(), v),
      slots(alone.var(), v),
      yd
    };
  }

  static NormStats stats(NormLayout v) {
    NormStats st = new NormStats();
    st.ensure(v.slots());
    st.count(v.count());
    return st;
  }

  static NormStats copy(NormStats from, NormLayout v) {
    NormStats st = stats(v);
    System.arraycopy(from.mean(), 0, st.mean(), 0, v.slots());
    System.arraycopy(from.var(), 0, st.var(), 0, v.slots());
    System.arraycopy(from.invstd(), 0, st.invstd(), 0, v.slots());
    return st;
  }

  private static void invstd(NormStats st, NormLayout v, double eps) {
    for (int r = 0; r < v.slots(); r++) {
      st.invstd()[r] = 1.0 / Math.sqrt(st.var()[r] + eps);
    }
  }

  private static double[] slots(double[] a, NormLayout v) {
    return java.util.Arrays.copyOf(a, v.slots());
  }

  static float[] random(Rng rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = rng.uniform(-1f, 1f);
    }
    return a;
  }

  private static void check(String what, double expected, double actual, double tol) {
    if (!(Math.abs(expected - actual) <= tol)) {
      fail(what + ": scalar " + expected + " vector " + actual + " (tolerance " + tol + ")");
    }
  }

  /**
   * Float results of sums over {@code len} terms: a few ulps times √len, relative to max(1, |x|).
   */
  static void close(String what, float[] expected, float[] actual, long len) {
    double tol = 8e-6 * (1 + Math.sqrt(len));
    for (int i = 0; i < expected.length; i++) {
      double scale = Math.max(1, Math.abs(expected[i]));
      if (!(Math.abs(expected[i] - actual[i]) <= tol * scale)) {
        fail(
            String.format(
                "%s: first difference at %d: scalar %s vector %s (tolerance %.3g); %s",
                what, i, expected[i], actual[i], tol * scale, firstValues(expected, actual, i)));
      }
    }
  }

  private static void close(String what, double[] expected, double[] actual, int n, long len) {
    float[] e = new float[n];
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      e[i] = (float) expected[i];
      a[i] = (float) actual[i];
    }
    close(what, e, a, len);
  }

  private static String firstValues(float[] expected, float[] actual, int from) {
    StringBuilder sb = new StringBuilder("next:");
    for (int i = from; i < Math.min(expected.length, from + 4); i++) {
      sb.append(String.format(" [%d] %s/%s", i, expected[i], actual[i]));
    }
    return sb.toString();
  }
}
