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

/** bnlab bench: training and inference speed of zoo models on synthetic data. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measures training (forward, cross-entropy, backward, Adam lr 1e-4) and eval-mode inference"
          + " speed of zoo models in images per second on synthetic CIFAR-10-shaped data.",
      "Each row: warm-up runs (which also set the steps per run from --run-seconds; up to 10"
          + " more while the JIT still compiles or a step still allocates), then"
          + " --runs timed runs; median, slowest and fastest run; the share of the step spent in"
          + " BatchNorm layers (Sequential models with BN; timed by extra runs with a listener,"
          + " which run BatchNorm and the ReLU after it as two layers) and the heap bytes"
          + " allocated per step"
          + " (all threads). The header names the kernels, their vector width, the CPU and the"
          + " JVM flags that change the kernels (e.g. -XX:UseAVX=2 to emulate AVX2).",
      "Side by side with libtorch: bench/compare-libtorch.sh (see the README)."
    })
final class BenchCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(
      names = "--models",
      split = ",",
      description = "Zoo models, see `bnlab models` (default: ${DEFAULT-VALUE}).",
      defaultValue = "net,net-bn")
  List<String> models;

  @Option(
      names = "--batch-sizes",
      split = ",",
      description = "Training batch sizes (default: ${DEFAULT-VALUE}).",
      defaultValue = "10,32,128")
  List<Integer> batches;

  @Option(
      names = {"--infer-batches", "--infer-batch"},
      split = ",",
      description = "Inference batch sizes (default: ${DEFAULT-VALUE}).",
      defaultValue = "256,1000")
  List<Integer> inferBatches;

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
      names = "--run-seconds",
      description = "Target length of a run; sets the steps per run (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.5")
  double runSeconds;

  @Option(
      names = "--train-images",
      description = "Images trained per run instead of --run-seconds (default: 0 = by time).",
      defaultValue = "0")
  int trainImages;

  @Option(
      names = "--infer-images",
      description = "Images inferred per run instead of --run-seconds (default: 0 = by time).",
      defaultValue = "0")
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

  @Option(names = "--quick", description = "1 warm-up and 5 runs of 0.2 s (loaded machine).")
  boolean quick;

  @Option(
      names = "--no-bn-share",
      description = "Skip the BatchNorm timing runs (they double the training runs of BN models).")
  boolean noBnShare;

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
          new BenchOptions(
              models,
              batches,
              inferBatches,
              warmup,
              runs,
              runSeconds,
              trainImages,
              inferImages,
              threads,
              seed,
              !noBnShare);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    BenchResult r = TrainBenchmark.run(quick ? o.quick() : o);
    main.out.print(json ? TrainBenchmark.json(r) + "\n" : TrainBenchmark.table(r));
    return 0;
  }
}
