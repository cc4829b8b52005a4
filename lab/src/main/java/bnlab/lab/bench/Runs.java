package bnlab.lab.bench;

import bnlab.runtime.Compute;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Warm-up and timed runs of one configuration: untimed warm-up runs, then timed runs of a fixed
 * number of steps, each giving images per second and the heap bytes allocated per step. The warm-up
 * goes on (up to {@link #MAX_EXTRA_WARMUPS} more runs) while the JIT still compiles or a step still
 * allocates, so that the timed runs see the compiled kernels.
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

  private static final java.lang.management.CompilationMXBean JIT =
      ManagementFactory.getCompilationMXBean();

  /** Extra warm-up runs at most while the JIT is still busy. */
  static final int MAX_EXTRA_WARMUPS = 10;

  /** The JIT counts as quiet when it compiled for less than this share of a run. */
  static final double JIT_QUIET = 0.02;

  /**
   * Heap bytes per step above which a warm-up run counts as not yet steady. A kernel the JIT has
   * not compiled with C2 yet runs with its vectors boxed, and one called only a few times per step
   * can stay so after the JIT has gone quiet: resnet20's training at batch 128 on one thread
   * allocated 1,699,840 bytes per step (its final Linear's dot products still in C1) in steps 3 to
   * 7 and none from step 8, with the JIT compiling 2–5% of each step, so `bench` reported that
   * figure for three of five timed runs of one step each.
   */
  static final long ALLOC_QUIET = 1024;

  private Runs() {}

  /**
   * The outcome.
   *
   * @param imagesPerSecond each timed run's images per second
   * @param bytesPerStep each timed run's heap allocation per step, all threads (NaN if unknown)
   * @param steps steps per timed run
   * @param warmups warm-up runs done (the configured ones and any extra while the JIT was busy)
   * @param jitShare JIT compilation time during the timed runs over their wall time (compiler
   *     threads, so it can exceed 1), or NaN if the JVM does not say
   * @param imagesPerCpuSecond each timed run's images per second of the calling thread's CPU time:
   *     the work's speed when one thread does it all (NaN with more kernel threads)
   */
  record Measured(
      double[] imagesPerSecond,
      double[] bytesPerStep,
      int steps,
      int warmups,
      double jitShare,
      double[] imagesPerCpuSecond) {}

  /**
   * Runs {@code step} (one batch of {@code batch} images per call): {@code fixedSteps} steps per
   * run, or calibrated from {@code runSeconds} when it is 0.
   */
  static Measured measure(BenchOptions o, int batch, int fixedSteps, Runnable step) {
    int steps = fixedSteps;
    int warmups = 0;
    boolean settling = true;
    while (warmups < (fixedSteps > 0 ? o.warmupRuns() : Math.max(1, o.warmupRuns()))
        || (warmups > 0 && settling && warmups < o.warmupRuns() + MAX_EXTRA_WARMUPS)) {
      long j0 = jitMillis();
      long a0 = allocatedBytes();
      long t0 = System.nanoTime();
      int done;
      if (fixedSteps > 0) {
        repeat(step, steps);
        done = steps;
      } else {
        int[] count = {0};
        steps =
            calibrate(
                () -> {
                  step.run();
                  count[0]++;
                },
                o.runSeconds());
        done = count[0];
      }
      double busy = jitShare(j0, t0);
      long a1 = allocatedBytes();
      // Unknown allocation (−1) never holds the warm-up back.
      boolean allocating = a0 >= 0 && a1 >= 0 && (a1 - a0) / Math.max(1, done) > ALLOC_QUIET;
      settling = busy > JIT_QUIET || allocating;
      warmups++;
    }
    long timedNanos = 0;
    long jitTimed = 0;
    double[] ips = new double[o.runs()];
    double[] cpu = new double[o.runs()];
    boolean oneThread = Compute.threads() == 1;
    double[] alloc = new double[o.runs()];
    for (int r = 0; r < o.runs(); r++) {
      // Another thread's count lags by what sits in its allocation buffer (TLAB) until a GC
      // retires it, so each count follows a collection, outside the timed window.
      System.gc();
      long a0 = allocatedBytes();
      long j0 = jitMillis();
      long c0 = cpuNanos();
      long t0 = System.nanoTime();
      repeat(step, steps);
      long t1 = System.nanoTime();
      long c1 = cpuNanos();
      cpu[r] = oneThread && c0 >= 0 ? (double) steps * batch / ((c1 - c0) * 1e-9) : Double.NaN;
      jitTimed += jitMillis() - j0;
      timedNanos += t1 - t0;
      ips[r] = (double) steps * batch / ((t1 - t0) * 1e-9);
      System.gc();
      long a1 = allocatedBytes();
      alloc[r] = a0 < 0 || a1 < 0 ? Double.NaN : (double) (a1 - a0) / steps;
    }
    double jit = jitMillis() < 0 ? Double.NaN : jitTimed * 1e6 / timedNanos;
    return new Measured(ips, alloc, steps, warmups, jit, cpu);
  }

  /** The calling thread's CPU time in nanoseconds, or −1 if the JVM does not say. */
  static long cpuNanos() {
    return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
  }

  /** The JIT's total compilation time so far in milliseconds, or −1 if the JVM does not say. */
  static long jitMillis() {
    return JIT != null && JIT.isCompilationTimeMonitoringSupported()
        ? JIT.getTotalCompilationTime()
        : -1;
  }

  /** The JIT's compilation time since {@code jit0} over the wall time since {@code t0}. */
  private static double jitShare(long jit0, long t0) {
    if (jit0 < 0) {
      return 0; // unknown: no extra warm-up
    }
    return (jitMillis() - jit0) * 1e6 / Math.max(1, System.nanoTime() - t0);
  }

  /** Runs steps for about {@code seconds} (at least one); returns the steps that fit them. */
  static int calibrate(Runnable step, double seconds) {
    return calibrate(step, seconds, System::nanoTime);
  }

  /** {@link #calibrate(Runnable, double)} on the given clock (nanoseconds). */
  static int calibrate(Runnable step, double seconds, java.util.function.LongSupplier clock) {
    long t0 = clock.getAsLong();
    long deadline = t0 + (long) (seconds * 1e9);
    int done = 0;
    do {
      step.run();
      done++;
    } while (clock.getAsLong() < deadline);
    double perStep = Math.max(1, clock.getAsLong() - t0) * 1e-9 / done;
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
