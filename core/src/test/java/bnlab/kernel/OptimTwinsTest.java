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

  /**
   * Arrays laid out like an optimizer's state after a long run with dead units: moments stuck at a
   * few units of 2⁻¹⁴⁹ with zero gradients, tiny but normal moments and gradients, subnormal
   * weights, and (with {@code specials}) NaN, infinite and negative second moments. Tiny lanes are
   * scattered, so most vectors that take the exact path also carry ordinary lanes.
   */
  private static float[][] nearZeroState(Rng rng, int n, boolean specials) {
    float[] p = VectorGemmTest.random(rng, n), g = VectorGemmTest.random(rng, n);
    float[] m = VectorGemmTest.random(rng, n), v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = rng.nextFloat() * 1e-3f;
      switch (rng.nextInt(12)) {
        case 0 -> { // a dead unit: stuck first moment
          g[i] = 0f;
          m[i] = Float.intBitsToFloat(1 + rng.nextInt(6)) * (rng.nextInt(2) == 0 ? 1 : -1);
        }
        case 1 -> { // stuck second moment too
          g[i] = 0f;
          m[i] = Float.intBitsToFloat(1 + rng.nextInt(6000));
          v[i] = Float.intBitsToFloat(1 + rng.nextInt(600));
        }
        case 2 -> g[i] = (rng.nextFloat() - 0.5f) * 1e-20f; // a square that underflows
        case 3 -> m[i] = (rng.nextFloat() - 0.5f) * 1e-33f; // a product that underflows
        case 4 -> p[i] = Float.intBitsToFloat(rng.nextInt(1 << 23)); // a subnormal weight
        case 5 -> m[i] = -0f;
        case 7 -> { // a zero weight (either sign) with a stuck first moment: a zero step of
          // either sign, which may change the weight's sign
          p[i] = rng.nextInt(2) == 0 ? 0f : -0f;
          g[i] = 0f;
          m[i] = Float.intBitsToFloat(1 + rng.nextInt(6)) * (rng.nextInt(2) == 0 ? 1 : -1);
        }
        case 8 -> { // a decaying first moment, still normal, on an ordinary weight
          g[i] = 0f;
          m[i] = (rng.nextFloat() - 0.5f) * 1e-32f;
        }
        case 6 -> {
          if (specials) {
            float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, -1e-3f, 0f};
            v[i] = odd[rng.nextInt(odd.length)];
            g[i] = 0f;
            m[i] = Float.intBitsToFloat(3);
          }
        }
        default -> {}
      }
    }
    // A run of dead units: whole vectors of slow lanes at every width (as a dead unit's row of
    // weights gives), which take the element-by-element path without the vector's.
    for (int i = 16; i < Math.min(n, 48); i++) {
      g[i] = 0f;
      m[i] = Float.intBitsToFloat(1 + rng.nextInt(6));
    }
    return new float[][] {p, g, m, v};
  }

  @Test
  void adamStepNearZeroIsBitIdenticalToScalarTwin() {
    Rng rng = new Rng(9);
    for (int n : new int[] {7, 64, 1000, 4099}) {
      for (int variant = 0; variant < 8; variant++) {
        boolean amsgrad = (variant & 1) != 0;
        boolean decoupled = (variant & 2) != 0;
        boolean specials = (variant & 4) != 0;
        float[][] state = nearZeroState(rng, n, specials);
        float[] g = state[1];
        float[] vMax = amsgrad ? state[3].clone() : null;
        float[][] s = {
          state[0].clone(), state[2].clone(), state[3].clone(), amsgrad ? vMax.clone() : null
        };
        float[][] w = {
          state[0].clone(), state[2].clone(), state[3].clone(), amsgrad ? vMax.clone() : null
        };
        float decay = decoupled ? 1f - 1e-4f * 1e-2f : 1f;
        float l2 = decoupled ? 0f : 1e-2f;
        // eps 0 makes 0/denom a NaN where v is 0: the exact path must not skip that division.
        float eps = specials ? 0f : 1e-8f;
        for (int step = 0; step < 4; step++) {
          float omb1 = step % 2 == 0 ? 0.1f : 0.7f;
          scalar.adamStep(
              s[0], g, s[1], s[2], s[3], n, decay, l2, omb1, 0.999f, 0.001f, -1e-4f, 0.03f, eps);
          vector.adamStep(
              w[0], g, w[1], w[2], w[3], n, decay, l2, omb1, 0.999f, 0.001f, -1e-4f, 0.03f, eps);
        }
        for (int a = 0; a < 4; a++) {
          if (s[a] != null) {
            assertBits(
                s[a], w[a], "Adam near zero, array " + a + " n=" + n + " variant " + variant);
          }
        }
      }
    }
  }

  /** All tensors of an {@link AdamTensors} in one call: the same bits as one scalar call each. */
  @Test
  void adamStepOverManyTensorsIsBitIdenticalToScalarTwin() {
    int before = Parallel.threads();
    try {
      for (int threads : new int[] {1, 2, 3}) {
        Parallel.setThreads(threads);
        Rng rng = new Rng(10);
        int[] sizes = {1, 13, 450, 6, 4098, 20000, 9, 10080};
        AdamTensors batch = new AdamTensors(sizes.length);
        float[][][] s = new float[sizes.length][][], w = new float[sizes.length][][];
        float[][] grads = new float[sizes.length][];
        for (int step = 0; step < 3; step++) {
          batch.clear();
          for (int k = 0; k < sizes.length; k++) {
            if (step == 0) {
              float[][] state = nearZeroState(rng, sizes[k], false);
              grads[k] = state[1];
              s[k] = new float[][] {state[0].clone(), state[2].clone(), state[3].clone()};
              w[k] = new float[][] {state[0].clone(), state[2].clone(), state[3].clone()};
            }
            float negStep = -1e-3f * (k + 1),
                bc2 = 0.01f * (k + 1),
                decay = k % 2 == 0 ? 1f : 0.999f;
            scalar.adamStep(
                s[k][0], grads[k], s[k][1], s[k][2], null, sizes[k], decay, 0f, 0.1f, 0.999f,
                0.001f, negStep, bc2, 1e-8f);
            batch.add(w[k][0], grads[k], w[k][1], w[k][2], null, sizes[k], decay, 0f, negStep, bc2);
          }
          vector.adamStep(batch, 0.1f, 0.999f, 0.001f, 1e-8f);
        }
        for (int k = 0; k < sizes.length; k++) {
          for (int a = 0; a < 3; a++) {
            assertBits(s[k][a], w[k][a], threads + " threads, tensor " + k + " array " + a);
          }
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void sgdStepNearZeroIsBitIdenticalToScalarTwin() {
    Rng rng = new Rng(11);
    for (int n : new int[] {7, 64, 1000, 4099}) {
      float[][] settings = {{0f, 0.9f, 1f, 0f}, {1e-2f, 0.9f, 0.7f, 0f}, {1e-2f, 0.9f, 1f, 1f}};
      for (float[] set : settings) {
        float[][] state = nearZeroState(rng, n, false);
        float[] g = state[1];
        float[] ps = state[0].clone(), pv = state[0].clone();
        // the momentum buffers start where Adam's first moments were: partly stuck subnormals
        float[] bs = state[2].clone(), bv = state[2].clone();
        for (int step = 0; step < 3; step++) {
          scalar.sgdStep(ps, g, bs, n, -0.05f, set[0], set[1], set[2], set[3] != 0f, false);
          vector.sgdStep(pv, g, bv, n, -0.05f, set[0], set[1], set[2], set[3] != 0f, false);
        }
        String what = "SGD near zero n=" + n + " " + java.util.Arrays.toString(set);
        assertBits(ps, pv, what + ": p");
        assertBits(bs, bv, what + ": momentum buffer");
      }
    }
  }

  /**
   * The claim the exact paths rest on: a float product, quotient or square root rounded through
   * double has the float operation's bits, subnormal operands and results included.
   */
  @Test
  void floatOperationsThroughDoubleKeepTheirBits() {
    Rng rng = new Rng(12);
    for (int t = 0; t < 1_000_000; t++) {
      float a = anyFloat(rng), b = anyFloat(rng);
      assertBits(new float[] {a * b}, new float[] {Subnormals.mul(a, b)}, a + " * " + b);
      assertBits(new float[] {a / b}, new float[] {Subnormals.div(a, b)}, a + " / " + b);
    }
  }

  // Bit patterns weighted toward the ends of the exponent range, subnormals and specials included.
  private static float anyFloat(Rng rng) {
    int sign = rng.nextInt(2) << 31;
    int bits =
        switch (rng.nextInt(4)) {
          case 0 -> rng.nextInt(1 << 23); // subnormal or zero
          case 1 -> rng.nextInt(40 << 23); // smallest normals
          case 2 -> rng.nextInt(0x7f800001); // anything up to infinity
          default -> (100 + rng.nextInt(60) << 23) | rng.nextInt(1 << 23); // 2^-27 .. 2^32
        };
    return Float.intBitsToFloat(sign | bits);
  }

  // Bit-for-bit (NaN payloads aside: Java's float NaNs compare by floatToIntBits), first difference
  // named.
  private static void assertBits(float[] expected, float[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
        throw new AssertionError(
            what
                + ": first difference at "
                + i
                + ": scalar "
                + expected[i]
                + " (0x"
                + Integer.toHexString(Float.floatToRawIntBits(expected[i]))
                + "), vector "
                + actual[i]
                + " (0x"
                + Integer.toHexString(Float.floatToRawIntBits(actual[i]))
                + ")");
      }
    }
  }
}
