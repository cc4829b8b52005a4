package bnlab.lab.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Warm-up and timed runs of one configuration: untimed warm-up runs, then timed runs of a fixed
 * number of steps, each giving images per second and the heap bytes allocated per step.
 *
 * <p>Unless the steps per run are given, the warm-up calibrates them: each warm-up run lasts about
 * {@code runSeconds} (at least one step; at least one warm-up run), and the timed runs take the
 * number of steps the last warm-up run managed in that time, so every timed run does the same work
 * and lasts about {@code runSeconds} whatever the model costs. The libtorch benchmark ({@code
 * reference}) times its runs the same way.
 */
final class Runs {
  // Looked up once: the lookup itself allocates.
  private static final java.lang.management.ThreadMXBean THREADS =
      ManagementFactory.getThreadMXBean();

  private Runs() {}

  /**
   * The outcome.
   *
   * @param imagesPerSecond each timed run's images per second
   * @param bytesPerStep each timed run's heap allocation per step, all threads (NaN if unknown)
   * @param steps steps per timed run
   */
  record Measured(double[] imagesPerSecond, double[] bytesPerStep, int steps) {}

  /**
   * Runs {@code step} (one batch of {@code batch} images per call): {@code fixedSteps} steps per
   * run, or calibrated from {@code runSeconds} when it is 0.
   */
  static Measured measure(BenchOptions o, int batch, int fixedSteps, Runnable step) {
    int steps = fixedSteps > 0 ? fixedSteps : 0;
    if (steps > 0) {
      for (int w = 0; w < o.warmupRuns(); w++) {
        repeat(step, steps);
      }
    } else {
      for (int w = 0; w < Math.max(1, o.warmupRuns()); w++) {
        steps = calibrate(step, o.runSeconds());
      }
    }
    double[] ips = new double[o.runs()];
    double[] alloc = new double[o.runs()];
    for (int r = 0; r < o.runs(); r++) {
      // Another thread's count lags by what sits in its allocation buffer (TLAB) until a GC
      // retires it, so each count follows a collection, outside the timed window.
      System.gc();
      long a0 = allocatedBytes();
      long t0 = System.nanoTime();
      repeat(step, steps);
      ips[r] = (double) steps * batch / ((System.nanoTime() - t0) * 1e-9);
      System.gc();
      long a1 = allocatedBytes();
      alloc[r] = a0 < 0 || a1 < 0 ? Double.NaN : (double) (a1 - a0) / steps;
    }
    return new Measured(ips, alloc, steps);
  }

  /** Runs steps for about {@code seconds} (at least one); returns the steps that fit them. */
  static int calibrate(Runnable step, double seconds) {
    long t0 = System.nanoTime();
    long deadline = t0 + (long) (seconds * 1e9);
    int done = 0;
    do {
      step.run();
      done++;
    } while (System.nanoTime() < deadline);
    double perStep = (System.nanoTime() - t0) * 1e-9 / done;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(seconds / perStep)));
  }

  static void repeat(Runnable step, int steps) {
    for (int s = 0; s < steps; s++) {
      step.run();
    }
  }

  /** Heap bytes allocated so far by all live threads, or −1 if the JVM does not say. */
  static long allocatedBytes() {
    if (THREADS instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported()
        && t.isThreadAllocatedMemoryEnabled()) {
      return t.getTotalThreadAllocatedBytes();
    }
    return -1;
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
