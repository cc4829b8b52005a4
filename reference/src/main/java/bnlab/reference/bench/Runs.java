package bnlab.reference.bench;

import java.util.Arrays;

/**
 * Warm-up and timed runs of one configuration, as {@code bnlab bench} does them: untimed warm-up
 * runs, then timed runs of a fixed number of steps, each giving images per second.
 *
 * <p>Unless the steps per run are given, the warm-up calibrates them: each warm-up run lasts about
 * {@code runSeconds} (at least one step; at least one warm-up run), and the timed runs take the
 * number of steps the last warm-up run managed in that time, so every timed run does the same work
 * and lasts about {@code runSeconds} whatever the model costs. As in bnlab's bench, the warm-up
 * goes on (up to {@link #MAX_EXTRA_WARMUPS} more runs) while the JIT compiled for more than {@link
 * #JIT_QUIET} of the last warm-up run: the Java side of DJL's bridge is compiled code too.
 *
 * @param warmupRuns untimed runs first
 * @param runs timed runs (the median is reported)
 * @param runSeconds target length of a run when {@code fixedSteps} is 0
 * @param fixedSteps steps per run, or 0 to calibrate
 */
record Runs(int warmupRuns, int runs, double runSeconds, int fixedSteps) {
  /** Extra warm-up runs at most while the JIT is still busy. */
  static final int MAX_EXTRA_WARMUPS = 10;

  /** The JIT counts as quiet when it compiled for less than this share of a run. */
  static final double JIT_QUIET = 0.02;

  private static final java.lang.management.CompilationMXBean JIT =
      java.lang.management.ManagementFactory.getCompilationMXBean();

  Runs {
    if (warmupRuns < 0 || runs < 1 || !(runSeconds > 0) || fixedSteps < 0) {
      throw new IllegalArgumentException(
          "need warm-up runs >= 0, runs >= 1, run seconds > 0, steps >= 0; got "
              + warmupRuns
              + ", "
              + runs
              + ", "
              + runSeconds
              + ", "
              + fixedSteps);
    }
  }

  /**
   * The outcome: images per second of each timed run, the steps each one ran, the warm-up runs
   * done, the JIT's compilation time during the timed runs over their wall time (NaN if unknown),
   * and each run's images per second of the calling thread's CPU time (with one intra-op thread
   * libtorch computes on the calling thread, so this is the work's speed, robust to other processes
   * on the machine).
   */
  record Result(
      double[] imagesPerSecond,
      int steps,
      int warmups,
      double jitShare,
      double[] imagesPerCpuSecond) {
    double median() {
      return Runs.median(imagesPerSecond);
    }

    double min() {
      return Arrays.stream(imagesPerSecond).min().orElseThrow();
    }

    double max() {
      return Arrays.stream(imagesPerSecond).max().orElseThrow();
    }
  }

  /** Runs {@code step} (one batch of {@code batch} images per call) as described above. */
  Result measure(Runnable step, int batch) {
    int steps = fixedSteps;
    int warmups = 0;
    double busy = 1;
    while (warmups < (fixedSteps > 0 ? warmupRuns : Math.max(1, warmupRuns))
        || (warmups > 0 && busy > JIT_QUIET && warmups < warmupRuns + MAX_EXTRA_WARMUPS)) {
      long j0 = jitMillis();
      long t0 = System.nanoTime();
      if (fixedSteps > 0) {
        repeat(step, steps);
      } else {
        steps = calibrate(step);
      }
      busy = j0 < 0 ? 0 : (jitMillis() - j0) * 1e6 / Math.max(1, System.nanoTime() - t0);
      warmups++;
    }
    double[] ips = new double[runs];
    double[] cpu = new double[runs];
    long jit = 0;
    long timed = 0;
    for (int r = 0; r < runs; r++) {
      long j0 = jitMillis();
      long c0 = cpuNanos();
      long t0 = System.nanoTime();
      repeat(step, steps);
      long t1 = System.nanoTime();
      cpu[r] = c0 < 0 ? Double.NaN : (double) steps * batch / ((cpuNanos() - c0) * 1e-9);
      jit += jitMillis() - j0;
      timed += t1 - t0;
      ips[r] = (double) steps * batch / ((t1 - t0) * 1e-9);
    }
    return new Result(ips, steps, warmups, jitMillis() < 0 ? Double.NaN : jit * 1e6 / timed, cpu);
  }

  private static long cpuNanos() {
    java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
    return t.isCurrentThreadCpuTimeSupported() ? t.getCurrentThreadCpuTime() : -1;
  }

  /** Runs steps for about {@code runSeconds} (at least one); returns the steps that fit them. */
  private int calibrate(Runnable step) {
    long t0 = System.nanoTime();
    long deadline = t0 + (long) (runSeconds * 1e9);
    int done = 0;
    do {
      step.run();
      done++;
    } while (System.nanoTime() < deadline);
    double perStep = (System.nanoTime() - t0) * 1e-9 / done;
    return (int) Math.max(1, Math.round(runSeconds / perStep));
  }

  private static long jitMillis() {
    return JIT != null && JIT.isCompilationTimeMonitoringSupported()
        ? JIT.getTotalCompilationTime()
        : -1;
  }

  private static void repeat(Runnable step, int steps) {
    for (int s = 0; s < steps; s++) {
      step.run();
    }
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
