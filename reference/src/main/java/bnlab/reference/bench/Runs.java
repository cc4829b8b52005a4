package bnlab.reference.bench;

import java.util.Arrays;

/**
 * Warm-up and timed runs of one configuration, as {@code bnlab bench} does them: untimed warm-up
 * runs, then timed runs of a fixed number of steps, each giving images per second.
 *
 * <p>Unless the steps per run are given, the warm-up calibrates them: each warm-up run lasts about
 * {@code runSeconds} (at least one step; at least one warm-up run), and the timed runs take the
 * number of steps the last warm-up run managed in that time, so every timed run does the same work
 * and lasts about {@code runSeconds} whatever the model costs.
 *
 * @param warmupRuns untimed runs first
 * @param runs timed runs (the median is reported)
 * @param runSeconds target length of a run when {@code fixedSteps} is 0
 * @param fixedSteps steps per run, or 0 to calibrate
 */
record Runs(int warmupRuns, int runs, double runSeconds, int fixedSteps) {

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

  /** The outcome: images per second of each timed run and the steps each one ran. */
  record Result(double[] imagesPerSecond, int steps) {
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
    if (steps > 0) {
      for (int w = 0; w < warmupRuns; w++) {
        repeat(step, steps);
      }
    } else {
      for (int w = 0; w < Math.max(1, warmupRuns); w++) {
        long t0 = System.nanoTime();
        long deadline = t0 + (long) (runSeconds * 1e9);
        int done = 0;
        do {
          step.run();
          done++;
        } while (System.nanoTime() < deadline);
        double perStep = (System.nanoTime() - t0) * 1e-9 / done;
        steps = (int) Math.max(1, Math.round(runSeconds / perStep));
      }
    }
    double[] ips = new double[runs];
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      repeat(step, steps);
      ips[r] = (double) steps * batch / ((System.nanoTime() - t0) * 1e-9);
    }
    return new Result(ips, steps);
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
