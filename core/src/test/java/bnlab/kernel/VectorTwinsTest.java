package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/** {@link VectorOptim} against its scalar twin (the normalization twins are in NormTwinsTest). */
class VectorTwinsTest {
  @Test
  void adamStepIsBitIdenticalToScalarTwin() {
    Rng rng = new Rng(7);
    for (int n : new int[] {1, 13, 16, 207, 4098}) {
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
          OptimKernels.adamStep(
              s[0], g, s[1], s[2], s[3], n, decay, l2, omb1, 0.999f, 0.001f, -1e-3f, 0.03f, 1e-8f);
          VectorOptim.adamStep(
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
}
