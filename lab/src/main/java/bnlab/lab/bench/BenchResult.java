package bnlab.lab.bench;

import java.util.List;

/**
 * The outcome of {@code bnlab bench}: the environment and one row per measured configuration.
 *
 * @param jdk {@code java.version} and VM name
 * @param kernels the kernel provider, e.g. {@code vector-512bit} or {@code scalar}
 * @param vectorBits the vector width the kernels use, 0 for the scalar kernels
 * @param threads kernel threads used
 * @param cpus available processors
 * @param load the 1-minute load average when the benchmark started (-1 if unknown)
 * @param cpu the CPU model
 * @param jvmFlags the JVM options that change the kernels' code: {@code -XX:UseAVX=2} (an AVX2
 *     machine emulated), {@code -Dbnlab.*} switches
 * @param rows the measurements
 */
public record BenchResult(
    String jdk,
    String kernels,
    int vectorBits,
    int threads,
    int cpus,
    double load,
    String cpu,
    List<String> jvmFlags,
    List<Row> rows) {

  /**
   * One configuration.
   *
   * @param model the zoo name, e.g. {@code net-bn}
   * @param mode {@code train} (forward, loss, backward, Adam step) or {@code infer} (eval forward)
   * @param batch batch size
   * @param median median images per second over the timed runs
   * @param min slowest run, images per second
   * @param max fastest run, images per second
   * @param bnShare fraction of the step spent in BatchNorm layers (forward + backward), or NaN
   * @param bytesPerStep heap bytes allocated per step by all threads during the timed runs (the
   *     median run), or NaN where the JVM cannot count them
   * @param steps steps per timed run
   * @param warmups warm-up runs done (more than asked while the JIT was still compiling)
   * @param jitShare JIT compilation time during the timed runs over their wall time, or NaN
   * @param cpuMedian median images per second of the calling thread's CPU time (one kernel thread
   *     only, else NaN): the speed of the work itself, robust to other processes on the machine
   */
  public record Row(
      String model,
      String mode,
      int batch,
      double median,
      double min,
      double max,
      double bnShare,
      double bytesPerStep,
      int steps,
      int warmups,
      double jitShare,
      double cpuMedian) {}

  public BenchResult {
    jvmFlags = List.copyOf(jvmFlags);
    rows = List.copyOf(rows);
  }
}
