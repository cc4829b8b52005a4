package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import bnlab.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A plan's epilogue sees every (image, output channel) exactly once, after the bias, and gives the
 * bits of the plain forward followed by the same map: every strategy, the shapes of {@link
 * ConvPlanTwinsTest} (one image split across threads, Winograd's phases and chunks included), 1 and
 * 2 threads, training and inference.
 */
class ConvEpilogueTest {
  private final int threadsBefore = Parallel.threads();

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(threadsBefore);
  }

  /**
   * y ← y·a_k + b_k, then a rounding the plain path must reproduce: any per-channel map will do.
   */
  private record Affine(int k, int pq, float[] a, float[] b, AtomicIntegerArray seen)
      implements ConvEpilogue {
    Affine(Rng rng, int k, int pq, int batch) {
      this(
          k,
          pq,
          VectorGemmTest.random(rng, k),
          VectorGemmTest.random(rng, k),
          new AtomicIntegerArray(batch * k));
    }

    @Override
    public void apply(float[] y, int t0, int t1, int k0, int k1) {
      for (int t = t0; t < t1; t++) {
        for (int c = k0; c < k1; c++) {
          seen.incrementAndGet(t * k + c);
          map(y, (t * k + c) * pq, c);
        }
      }
    }

    void map(float[] y, int off, int c) {
      for (int i = 0; i < pq; i++) {
        y[off + i] = Math.fma(y[off + i], a[c], b[c]);
      }
    }
  }

  @Test
  void everyPlanAppliesItsEpilogueOnceToEveryChannelOfEveryImage() {
    Rng rng = new Rng(31);
    for (int[] d : ConvPlanTwinsTest.SHAPES) {
      ConvGeometry g = ConvPlanTwinsTest.geometry(d);
      int n = d[10];
      float[] x = VectorGemmTest.random(rng, n * g.inSize());
      float[] w = VectorGemmTest.random(rng, g.weightSize());
      float[] bias = VectorGemmTest.random(rng, g.outChannels());
      for (int threads : new int[] {1, 2}) {
        Parallel.setThreads(threads);
        for (boolean training : new boolean[] {true, false}) {
          List<ConvPlan> plans = new ArrayList<>();
          plans.add(new ScalarConvPlan(g, n, training, true, null));
          plans.addAll(ConvPlanTwinsTest.vectorPlans(g, n, training, true));
          for (ConvPlan plan : plans) {
            String what = plan + ", " + threads + " threads";
            int kk = g.outChannels();
            int pq = g.outSize() / kk;
            Affine e = new Affine(rng, kk, pq, n);
            float[] want = new float[n * g.outSize()];
            plan.forward(x, w, bias, want);
            for (int t = 0; t < n; t++) {
              for (int c = 0; c < kk; c++) {
                e.map(want, (t * kk + c) * pq, c);
              }
            }
            float[] got = new float[want.length];
            plan.forward(x, w, bias, got, e);
            for (int i = 0; i < n * kk; i++) {
              assertEquals(
                  1,
                  e.seen.get(i),
                  "calls on image " + i / kk + ", channel " + i % kk + ": " + what);
            }
            bnlab.nn.Tensors.assertSameBits(want, got, "y " + what);
          }
        }
      }
    }
  }

  @Test
  void aChannelsLastPlanRefusesAnEpilogue() {
    ConvGeometry g = new ConvGeometry(3, 1, 10, 4, 1, 3, 1, 1, 0, 0);
    ConvPlan plan = new TapGemmPlan(new ScalarGemm(), "test", g, 2, false, false, null);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                plan.forward(
                    new float[2 * g.inSize()],
                    new float[g.weightSize()],
                    null,
                    new float[2 * g.outSize()],
                    (y, t0, t1, k0, k1) -> {}));
    assertEquals(
        true, e.getMessage().contains("channels-last plan takes no epilogue"), e.getMessage());
  }
}
