package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * A ReLU fused into the normalization kernels must give the bits of the two passes it replaces:
 * normalize then {@link PoolActivationKernels#relu}, and {@link PoolActivationKernels#reluBackward}
 * then backward. Checked for both twins (each against itself), on every layout that {@link
 * NormKernels#fusesRelu} takes, in training and with constant statistics, with x̂ stored and
 * recomputed, with 1 and 2 threads, and with outputs of exactly ±0 and NaN.
 */
class NormReluFusionTest {
  private static final NormKernels[] TWINS = {new ScalarNormKernels(), new VectorNormKernels()};
  private static final PoolActivationKernels[] ACTS = {
    new ScalarPoolActivation(), new VectorPoolActivation()
  };

  @Test
  void fusedForwardAndBackwardGiveTheBitsOfTheTwoPasses() {
    for (int t = 0; t < TWINS.length; t++) {
      for (NormLayout v : NormTwinsTest.layouts()) {
        if (TWINS[t].fusesRelu(v)) {
          compare(TWINS[t], ACTS[t], v, 21);
        }
      }
    }
  }

  @Test
  void fusedKernelsDoNotDependOnTheThreadCount() {
    int before = Parallel.threads();
    try {
      for (int threads : new int[] {1, 2}) {
        Parallel.setThreads(threads);
        // 65K values: above VectorBatchNorm.PARALLEL_MIN, so split by channels with 2 threads.
        compare(TWINS[1], ACTS[1], NormLayout.perChannel(16, 16, 256), 22);
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void theVectorKernelsFuseEveryPerChannelLayout() {
    // (N, C) rows (BatchNorm1d after a Linear layer) included: VectorBatchNormRows' loops.
    for (NormLayout v : NormTwinsTest.layouts()) {
      if (v.groupSize() == 1) {
        assertEquals(true, TWINS[1].fusesRelu(v), v.toString());
      }
    }
  }

  @Test
  void theVectorKernelsRefuseAReluTheyDoNotFuse() {
    NormKernels k = TWINS[1];
    for (NormLayout v : new NormLayout[] {NormLayout.perSample(2, 6, 17, 3)}) {
      assertEquals(false, k.fusesRelu(v), v.toString());
      int size = v.n() * v.c() * v.s();
      NormStats st = NormTwinsTest.stats(v);
      float[] x = new float[size];
      assertThrows(
          IllegalArgumentException.class,
          () -> k.momentsNormalize(x, v, 1e-5, st, null, null, new float[size], null, true),
          v.toString());
      assertThrows(
          IllegalArgumentException.class,
          () -> k.backward(true, x, x, x, false, v, st, null, new float[size], null, null),
          v.toString());
    }
  }

  private static void compare(NormKernels k, PoolActivationKernels act, NormLayout v, long seed) {
    Rng rng = new Rng(seed);
    int size = v.n() * v.c() * v.s();
    float[] x = NormTwinsTest.random(rng, size);
    float[] gamma = NormTwinsTest.random(rng, v.c());
    float[] beta = NormTwinsTest.random(rng, v.c());
    // Channel 0: γ = 0 and β = −0, so the normalized values are exactly ±0 (h·0 + (−0)); the
    // last channel of a layout with several: NaN from its first input on.
    gamma[0] = 0f;
    beta[0] = -0f;
    if (v.c() > 1) {
      x[(v.c() - 1) * v.s()] = Float.NaN;
    }
    String what = k.getClass().getSimpleName() + " " + v;

    // Training forward: batch statistics.
    NormStats fusedSt = NormTwinsTest.stats(v);
    NormStats twoSt = NormTwinsTest.stats(v);
    float[] fused = new float[size];
    float[] two = new float[size];
    float[] xhatF = new float[size];
    float[] xhatT = new float[size];
    k.momentsNormalize(x, v, 1e-5, fusedSt, gamma, beta, fused, xhatF, true);
    k.momentsNormalize(x, v, 1e-5, twoSt, gamma, beta, two, xhatT, false);
    act.relu(two, two, size);
    bits(what + " y (training)", two, fused);
    bits(what + " xhat (unrectified)", xhatT, xhatF);

    // Constant statistics (eval mode): normalize alone.
    float[] fusedEval = new float[size];
    float[] twoEval = new float[size];
    k.normalize(x, v, twoSt, gamma, beta, fusedEval, null, true);
    k.normalize(x, v, twoSt, gamma, beta, twoEval, null, false);
    act.relu(twoEval, twoEval, size);
    bits(what + " y (eval)", twoEval, fusedEval);

    float[] dy = NormTwinsTest.random(rng, size);
    float[] dz = new float[size];
    act.reluBackward(fused, dy, dz, size);
    for (boolean train : new boolean[] {true, false}) {
      for (boolean fromInput : new boolean[] {false, true}) {
        if (fromInput && !k.recomputesXhat(v)) {
          continue;
        }
        float[] src = fromInput ? x : xhatF;
        String how = what + " train " + train + " fromInput " + fromInput;
        NormStats a = NormTwinsTest.copy(fusedSt, v);
        NormStats b = NormTwinsTest.copy(fusedSt, v);
        float[] dxF = new float[size];
        float[] dxT = new float[size];
        float[] dgF = NormTwinsTest.random(rng, v.c());
        float[] dbF = NormTwinsTest.random(rng, v.c());
        float[] dgT = dgF.clone();
        float[] dbT = dbF.clone();
        k.backward(train, dy, fused, src, fromInput, v, a, gamma, dxF, dgF, dbF);
        k.backward(train, dz, null, src, fromInput, v, b, gamma, dxT, dgT, dbT);
        bits(how + " dx", dxT, dxF);
        bits(how + " dGamma", dgT, dgF);
        bits(how + " dBeta", dbT, dbF);
        if (train) {
          for (int r = 0; r < v.slots(); r++) {
            assertEquals(b.sumDxhat()[r], a.sumDxhat()[r], how + " Σ dx̂ slot " + r);
            assertEquals(b.sumDxhatXhat()[r], a.sumDxhatXhat()[r], how + " Σ dx̂·x̂ slot " + r);
          }
        }
      }
    }
  }

  // Bit for bit, except that any NaN equals any NaN: which NaN an operation returns (sign, payload)
  // depends on its operand order, which C2 may pick differently in two loops of the same formula
  // (the (N, C) rows kernels: NaN vs NaN of another sign in a CI run, JIT-timing dependent).
  private static void bits(String what, float[] want, float[] got) {
    for (int i = 0; i < want.length; i++) {
      boolean bothNaN = Float.isNaN(want[i]) && Float.isNaN(got[i]);
      if (!bothNaN && Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        StringBuilder next = new StringBuilder();
        for (int j = i; j < Math.min(want.length, i + 4); j++) {
          next.append(String.format(" [%d] %s/%s", j, want[j], got[j]));
        }
        throw new AssertionError(
            what + ": first difference at " + i + " (two passes/fused):" + next);
      }
    }
  }
}
