package bnlab.lab.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Two benchmarks timed in turns in one process, so that both meet the same phases of a shared
 * machine: after the warm-up, pair p runs one timed run of each side, A then B for even p, B then A
 * for odd p, and its ratio is A's images per second over B's. On a host whose speed changes by a
 * factor of two from one minute to the next (another tenant on the same physical core), launches of
 * each side minutes apart compare phases as much as code; the two runs of a pair lie within a
 * second or two of each other, so the ratios keep what the phases would blur, and their median and
 * range say how far the comparison can be trusted.
 *
 * <p>Before each run the measuring thread may sleep for a gap ({@link Options#gapSeconds}), so that
 * the other side's idle threads (an OpenMP pool spins for a while after its last parallel region,
 * bnlab's pool for up to 20,000 spins) are asleep when the run starts; on a shared 2-vCPU host an
 * idle gap measured worse than none (README, "Paired in one process"). Warm-up: {@code warmups}
 * rounds of one calibrating run per side (each lasting about {@code runSeconds}; the last one sets
 * that side's steps per timed run), then further rounds, at most {@link Runs#MAX_EXTRA_WARMUPS},
 * while the JIT compiles for more than {@link Runs#JIT_QUIET} of a round.
 */
public final class Paired {
  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

  private Paired() {}

  /** One side: a label, the images of one step and the step. */
  public record Side(String name, int batch, Runnable step) {
    /** Checks the arguments; the message names the side. */
    public Side {
      if (batch < 1) {
        throw new IllegalArgumentException("paired: side " + name + " needs a batch >= 1");
      }
    }
  }

  /** Time and sleep, replaceable in tests. */
  public interface Clock {
    long nanoTime();

    void sleep(long nanos);

    /** JIT compilation time so far in milliseconds, or −1 if unknown. */
    long jitMillis();

    /** The JVM's clock, {@link Thread#sleep} and its JIT counter. */
    Clock SYSTEM =
        new Clock() {
          @Override
          public long nanoTime() {
            return System.nanoTime();
          }

          @Override
          public void sleep(long nanos) {
            try {
              Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("paired: interrupted", e);
            }
          }

          @Override
          public long jitMillis() {
            return JIT != null && JIT.isCompilationTimeMonitoringSupported()
                ? JIT.getTotalCompilationTime()
                : -1;
          }
        };
  }

  /**
   * How to measure.
   *
   * @param warmups calibrating rounds before the timed pairs (at least 1)
   * @param pairs timed pairs (at least 1)
   * @param runSeconds about how long each run lasts
   * @param gapSeconds sleep before each run (0 or more)
   */
  public record Options(int warmups, int pairs, double runSeconds, double gapSeconds) {
    /** Checks the values; the message names the option and the fix. */
    public Options {
      if (warmups < 1 || pairs < 1) {
        throw new IllegalArgumentException("paired: need --warmup >= 1 and --pairs >= 1");
      }
      if (!(runSeconds > 0) || !(gapSeconds >= 0)) {
        throw new IllegalArgumentException("paired: need --run-seconds > 0 and --gap-ms >= 0");
      }
    }
  }

  /**
   * The outcome.
   *
   * @param a side A's images per second, pair by pair
   * @param b side B's images per second, pair by pair
   * @param ratios a[p] / b[p]
   * @param stepsA steps per timed run of A
   * @param stepsB steps per timed run of B
   * @param warmups warm-up rounds done
   * @param order the timed runs in the order they ran (side names)
   */
  public record Result(
      double[] a,
      double[] b,
      double[] ratios,
      int stepsA,
      int stepsB,
      int warmups,
      List<String> order) {
    /** Median of A's images per second. */
    public double medianA() {
      return Runs.median(a);
    }

    /** Median of B's images per second. */
    public double medianB() {
      return Runs.median(b);
    }

    /** Median of the pairs' ratios A / B. */
    public double medianRatio() {
      return Runs.median(ratios);
    }

    /** Smallest pair ratio. */
    public double minRatio() {
      return Arrays.stream(ratios).min().orElseThrow();
    }

    /** Largest pair ratio. */
    public double maxRatio() {
      return Arrays.stream(ratios).max().orElseThrow();
    }
  }

  /** Measures A against B as the class comment describes. */
  public static Result measure(Side a, Side b, Options o, Clock clock) {
    long gap = Math.round(o.gapSeconds() * 1e9);
    int stepsA = 0;
    int stepsB = 0;
    int rounds = 0;
    double busy = 1;
    while (rounds < o.warmups()
        || busy > Runs.JIT_QUIET && rounds < o.warmups() + Runs.MAX_EXTRA_WARMUPS) {
      long j0 = clock.jitMillis();
      long t0 = clock.nanoTime();
      clock.sleep(gap);
      stepsA = Runs.calibrate(a.step(), o.runSeconds(), clock::nanoTime);
      clock.sleep(gap);
      stepsB = Runs.calibrate(b.step(), o.runSeconds(), clock::nanoTime);
      busy = j0 < 0 ? 0 : (clock.jitMillis() - j0) * 1e6 / Math.max(1, clock.nanoTime() - t0);
      rounds++;
    }
    double[] ipsA = new double[o.pairs()];
    double[] ipsB = new double[o.pairs()];
    double[] ratios = new double[o.pairs()];
    List<String> order = new ArrayList<>();
    for (int p = 0; p < o.pairs(); p++) {
      boolean aFirst = p % 2 == 0;
      for (int turn = 0; turn < 2; turn++) {
        boolean runA = aFirst == (turn == 0);
        Side s = runA ? a : b;
        int steps = runA ? stepsA : stepsB;
        clock.sleep(gap);
        long t0 = clock.nanoTime();
        Runs.repeat(s.step(), steps);
        double ips = (double) steps * s.batch() / Math.max(1e-9, (clock.nanoTime() - t0) * 1e-9);
        order.add(s.name());
        if (runA) {
          ipsA[p] = ips;
        } else {
          ipsB[p] = ips;
        }
      }
      ratios[p] = ipsA[p] / ipsB[p];
    }
    return new Result(ipsA, ipsB, ratios, stepsA, stepsB, rounds, List.copyOf(order));
  }
}
