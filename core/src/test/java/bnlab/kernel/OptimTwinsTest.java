package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/** {@link VectorOptim} against its scalar twin {@link ScalarOptim}: bit for bit. */
class OptimTwinsTest {
  private final OptimKernels scalar = new ScalarOptim();
  private final OptimKernels vector = new VectorOptim();

  @Test
  void adamStepIsBitIdenticalToScalarTwin() {
    adamTwins(new int[] {1, 13, 16, 207, 4098});
  }

  /** Above {@link VectorOptim#ADAM_PARALLEL_MIN} the update is split across the pool's threads. */
  @Test
  void adamStepSplitAcrossThreadsIsBitIdenticalToScalarTwin() {
    int before = Parallel.threads();
    try {
      for (int threads : new int[] {1, 2, 3}) {
        Parallel.setThreads(threads);
        int min = VectorOptim.ADAM_PARALLEL_MIN;
        adamTwins(new int[] {min, min + 13, 3 * min + 5});
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  private void adamTwins(int[] sizes) {
    Rng rng = new Rng(7);
    for (int n : sizes) {
      for (int variant = 0; variant < 4; variant++) {
        boolean amsgrad = (variant & 1) != 0;
        boolean decoupled = (variant & 2) != 0;
        float[] p = VectorGemmTest.random(rng, n), g = VectorGemmTest.random(rng, n);
        float[] m = VectorGemmTest.random(rng, n), v = new float[n];
        for (int i = 0; i < n; i++) {
          v[i] = rng.nextFloat() * 1e-3f;
        }
        float[] vMax = amsgrad ? v.clone() : null;
        float[][] s = {p.clone(), m.clone(), v.clone(), amsgrad ? vMax.clone() : null};
        float[][] w = {p.clone(), m.clone(), v.clone(), amsgrad ? vMax.clone() : null};
        float decay = decoupled ? 1f - 1e-4f * 1e-2f : 1f;
        float l2 = decoupled ? 0f : 1e-2f;
        for (float omb1 : new float[] {0.1f, 0.7f}) {
          scalar.adamStep(
              s[0], g, s[1], s[2], s[3], n, decay, l2, omb1, 0.999f, 0.001f, -1e-3f, 0.03f, 1e-8f);
          vector.adamStep(
              w[0], g, w[1], w[2], w[3], n, decay, l2, omb1, 0.999f, 0.001f, -1e-3f, 0.03f, 1e-8f);
        }
        for (int a = 0; a < 4; a++) {
          if (s[a] != null) {
            assertArrayEquals(s[a], w[a], 0f, "Adam array " + a + " n=" + n + " v" + variant);
          }
        }
      }
    }
  }

  @Test
  void sgdStepIsBitIdenticalToScalarTwin() {
    Rng rng = new Rng(8);
    for (int n : new int[] {1, 13, 16, 207, 4098}) {
      // plain, weight decay, momentum with dampening, nesterov
      float[][] settings = {
        {0f, 0f, 1f, 0f}, {1e-2f, 0f, 1f, 0f}, {0f, 0.9f, 0.7f, 0f}, {1e-2f, 0.9f, 1f, 1f}
      };
      for (float[] set : settings) {
        float wd = set[0], momentum = set[1], oneMinusDampening = set[2];
        boolean nesterov = set[3] != 0f;
        float[] p = VectorGemmTest.random(rng, n);
        float[] ps = p.clone(), pv = p.clone();
        float[] bs = momentum != 0f ? new float[n] : null;
        float[] bv = momentum != 0f ? new float[n] : null;
        for (int step = 0; step < 3; step++) {
          float[] g = VectorGemmTest.random(rng, n);
          scalar.sgdStep(
              ps, g, bs, n, -0.05f, wd, momentum, oneMinusDampening, nesterov, step == 0);
          vector.sgdStep(
              pv, g, bv, n, -0.05f, wd, momentum, oneMinusDampening, nesterov, step == 0);
        }
        String what = "SGD n=" + n + " " + java.util.Arrays.toString(set);
        assertArrayEquals(ps, pv, 0f, what + ": p");
        if (bs != null) {
          assertArrayEquals(bs, bv, 0f, what + ": momentum buffer");
        }
      }
    }
  }
}
