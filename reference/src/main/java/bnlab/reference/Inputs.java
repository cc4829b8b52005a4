package bnlab.reference;

/**
 * The generator's own deterministic inputs (SplitMix64). Tests never reproduce this sequence: every
 * input is stored in the golden file next to the results.
 */
final class Inputs {
  private long state;

  Inputs(long seed) {
    this.state = seed;
  }

  private long next() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [-1, 1) on a grid of 2^-23, so every value is an exact float32. */
  float unit() {
    return (next() >>> 40) * 0x1.0p-23f - 1f;
  }

  /** {@code n} values {@code offset + scale * unit()}. */
  float[] uniform(int n, float offset, float scale) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = offset + scale * unit();
    }
    return out;
  }

  /** {@code n} values in [-1, 1). */
  float[] uniform(int n) {
    return uniform(n, 0f, 1f);
  }

  /** Integers in [0, bound). */
  long[] classes(int n, int bound) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = Math.floorMod(next(), (long) bound);
    }
    return out;
  }
}
