package bnlab.lab.bench;

import java.util.List;

/**
 * The outcome of {@code bnlab bench}: the environment and one row per measured configuration.
 *
 * @param jdk {@code java.version} and VM name
 * @param kernels the kernel provider, e.g. {@code vector-512bit} or {@code scalar}
 * @param threads kernel threads used
 * @param cpus available processors
 * @param load the 1-minute load average when the benchmark started (-1 if unknown)
 * @param rows the measurements
 */
public record BenchResult(
    String jdk, String kernels, int threads, int cpus, double load, List<Row> rows) {

  /**
   * One configuration.
   *
   * @param model {@code Net} or {@code Net+BN}
   * @param mode {@code train} (forward, loss, backward, Adam step) or {@code infer} (eval forward)
   * @param batch batch size
   * @param median median images per second over the timed runs
   * @param min slowest run, images per second
   * @param max fastest run, images per second
   * @param bnShare fraction of the step spent in BatchNorm layers (forward + backward), or NaN
   * @param bytesPerStep heap bytes allocated per step by all threads during the timed runs (the
   *     median run), or NaN where the JVM cannot count them
   */
  public record Row(
      String model,
      String mode,
      int batch,
      double median,
      double min,
      double max,
      double bnShare,
      double bytesPerStep) {}

  public BenchResult {
    rows = List.copyOf(rows);
  }
}
