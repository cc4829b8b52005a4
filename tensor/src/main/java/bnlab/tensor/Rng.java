package bnlab.tensor;

/**
 * A small, seeded, platform-independent random number generator (SplitMix64).
 *
 * <p>bnlab never uses {@code java.util.Random} or thread-local generators: one seed gives one
 * sequence on every machine and JDK, which makes initialisation, shuffling, dropout masks and data
 * augmentation reproducible. {@link #split()} derives an independent stream, so components can be
 * seeded from one parent without sharing state.
 */
public final class Rng {
  private long state;

  /** A generator seeded with {@code seed}. */
  public Rng(long seed) {
    this.state = seed;
  }

  /** The next 64 random bits. */
  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1) with 24 random bits. */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [lo, hi). */
  public float uniform(float lo, float hi) {
    return lo + (hi - lo) * nextFloat();
  }

  /** Uniform integer in [0, bound) without modulo bias. */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    long r = nextLong() >>> 33;
    long m = r * bound;
    int low = (int) (m & 0x7FFFFFFFL);
    if (low < bound) {
      long t = (0x80000000L - bound) % bound;
      while (low < t) {
        r = nextLong() >>> 33;
        m = r * bound;
        low = (int) (m & 0x7FFFFFFFL);
      }
    }
    return (int) (m >>> 31);
  }

  /** Standard normal (Box-Muller, one value per call). */
  public double nextGaussian() {
    double u1 = 1.0 - nextDouble();
    double u2 = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  /** An independent generator seeded from this one. */
  public Rng split() {
    return new Rng(nextLong() ^ 0x6A09E667F3BCC909L);
  }

  /** Fills {@code t} with uniform values in [lo, hi). */
  public void fillUniform(Tensor t, float lo, float hi) {
    float[] d = t.data();
    for (int i = 0, n = t.size(); i < n; i++) {
      d[i] = uniform(lo, hi);
    }
  }

  /** Fisher-Yates shuffle of {@code a} in place. */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
