package bnlab.lab;

import bnlab.experiment.UserError;
import bnlab.lab.bench.BenchOptions;
import bnlab.lab.bench.BenchResult;
import bnlab.lab.bench.TrainBenchmark;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * bnlab bench: training and inference speed of the article's Net (the speed helper's benchmark).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measures training (Net and Net+BN) and eval-mode inference speed in images per second on"
            + " synthetic data; prints the median of the timed runs, the share of the Net+BN step"
            + " spent in BatchNorm layers and the heap bytes allocated per step (all threads).")
final class BenchCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(
      names = "--batch-sizes",
      split = ",",
      description = "Training batch sizes (default: ${DEFAULT-VALUE}).",
      defaultValue = "10,128")
  List<Integer> batches;

  @Option(
      names = "--infer-batch",
      description = "Inference batch size (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  int inferBatch;

  @Option(
      names = "--warmup",
      description = "Untimed runs first (default: ${DEFAULT-VALUE}).",
      defaultValue = "3")
  int warmup;

  @Option(
      names = "--runs",
      description = "Timed runs (default: ${DEFAULT-VALUE}).",
      defaultValue = "7")
  int runs;

  @Option(
      names = "--train-images",
      description = "Images trained per timed run (default: ${DEFAULT-VALUE}).",
      defaultValue = "6400")
  int trainImages;

  @Option(
      names = "--infer-images",
      description = "Images inferred per timed run (default: ${DEFAULT-VALUE}).",
      defaultValue = "20000")
  int inferImages;

  @Option(
      names = "--threads",
      description =
          "Kernel threads, 0 = current setting (default: ${DEFAULT-VALUE}); more than the"
              + " available processors are capped.",
      defaultValue = "0")
  int threads;

  @Option(names = "--seed", description = "Seed (default: ${DEFAULT-VALUE}).", defaultValue = "1")
  long seed;

  @Option(names = "--quick", description = "1 warm-up and 5 shorter timed runs (loaded machine).")
  boolean quick;

  @Option(names = "--json", description = "Print JSON instead of the table.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    int cpus = bnlab.runtime.Compute.availableProcessors();
    if (threads > cpus) {
      spec.commandLine()
          .getErr()
          .println(
              "bnlab: --threads " + threads + " capped at the " + cpus + " available processors");
      threads = cpus;
    }
    BenchOptions o;
    try {
      o =
          quick
              ? new BenchOptions(batches, inferBatch, 1, 5, 2_560, 10_000, threads, seed)
              : new BenchOptions(
                  batches, inferBatch, warmup, runs, trainImages, inferImages, threads, seed);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    BenchResult r = TrainBenchmark.run(o);
    main.out.print(json ? TrainBenchmark.json(r) + "\n" : TrainBenchmark.table(r));
    return 0;
  }
}
