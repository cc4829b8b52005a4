package bnlab.lab;

import bnlab.train.CsvFile;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * bnlab sweep: learning rates x models (with and without BN) x batch sizes x seeds, several runs in
 * parallel (one kernel thread each), divergence recorded in sweep.csv.
 */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description = {
      "Grid of learning rates x models x batch sizes x seeds; writes sweep.csv and one sub-folder"
          + " per run under runs/. A run whose loss is NaN/Inf or exceeds --diverge-factor times"
          + " its first loss is stopped and recorded as diverged.",
      "Example: bnlab sweep --subset 5000 --epochs 2 --lrs 1e-4,1e-3,1e-2"
    })
final class SweepCommand implements Callable<Integer> {
  static final String HEADER =
      "model,norm,lr,batch_size,seed,epochs,final_train_loss,test_accuracy,diverged";

  @ParentCommand Main main;

  @Mixin RunOptions o;

  @Option(
      names = "--lrs",
      split = ",",
      description = "Learning rates (default: ${DEFAULT-VALUE}).",
      defaultValue = "1e-4,1e-3,1e-2,3e-2")
  List<Double> lrs;

  @Option(
      names = "--batch-sizes",
      split = ",",
      description = "Batch sizes (default: the --batch-size value).")
  List<Integer> batchSizes;

  @Option(
      names = "--models",
      split = ",",
      description = "Models (default: ${DEFAULT-VALUE}).",
      defaultValue = "net,net-bn")
  List<String> models;

  @Option(
      names = "--parallel",
      description = "Runs at the same time, one kernel thread each (default: ${DEFAULT-VALUE}).",
      defaultValue = "2")
  int parallel;

  @Option(
      names = "--diverge-factor",
      description = "Diverged when loss > factor x first loss (default: ${DEFAULT-VALUE}).",
      defaultValue = "3")
  double divergeFactor;

  @Override
  public Integer call() throws InterruptedException {
    RunOptions.positive("--parallel", parallel);
    if (o.threads == null && parallel > 1) {
      o.threads = 1;
    }
    o.validate();
    for (double lr : lrs) {
      if (!(lr > 0)) {
        throw new UserError("--lrs must be positive numbers, got " + lr);
      }
    }
    List<Integer> sizes = batchSizes != null ? batchSizes : List.of(o.batchSize);
    for (int b : sizes) {
      RunOptions.positive("--batch-sizes", b);
    }
    for (String m : models) {
      for (int b : sizes) {
        Experiment.checkBatchSize(ModelZoo.get(m), b);
      }
    }
    List<RunSpec> specs = new ArrayList<>();
    for (String m : models) {
      for (int b : sizes) {
        for (double lr : lrs) {
          for (long seed : o.seeds) {
            specs.add(
                new RunSpec(m, seed, o.epochs, lr, b, "lr " + CsvFile.format(lr) + " bs " + b));
          }
        }
      }
    }
    var config = o.config("sweep", models, false);
    config.put("lrs", lrs);
    config.put("batch_sizes", sizes);
    config.put("parallel", parallel);
    config.put("diverge_factor", divergeFactor);
    Datasets.Pair data = Datasets.open(o.dataset, o.data, o.subset, o.testSubset);
    RunFolder root = new RunFolder(o.outOrDefault("sweep"));
    config.put("data_source", data.source());
    config.put("environment", Environment.describe());
    root.prepare(config, o.overwrite, o.resume);
    if (o.resume) {
      RunFolder.dropRows(root.file("sweep.csv"), r -> true);
    }
    main.out.println("bnlab: sweep of " + specs.size() + " runs into " + root.dir());
    Settings settings = o.settings(false, divergeFactor);
    Settings quiet =
        new Settings(
            settings.optimizer(),
            settings.logEvery(),
            settings.probeEvery(),
            settings.probeEtas(),
            false,
            false,
            divergeFactor,
            o.resume);
    List<RunResult> results = new ArrayList<>();
    try (CsvFile sweep = new CsvFile(root.file("sweep.csv"), HEADER)) {
      ExecutorService pool = Executors.newFixedThreadPool(parallel);
      try {
        List<Future<RunResult>> futures = new ArrayList<>();
        for (RunSpec s : specs) {
          futures.add(pool.submit(() -> runOne(root, data, s, quiet, sweep)));
        }
        for (Future<RunResult> f : futures) {
          results.add(f.get());
          root.writeSummary(results);
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException(e.getCause());
      } finally {
        pool.shutdownNow();
      }
    }
    if (!o.noReport) {
      ReportCommand.renderAfterRun(root.dir(), main.out);
    }
    main.out.println("bnlab: sweep finished; results in " + root.file("sweep.csv"));
    return 0;
  }

  private RunResult runOne(
      RunFolder root, Datasets.Pair data, RunSpec s, Settings settings, CsvFile sweep)
      throws java.io.IOException {
    String id =
        String.format(
            Locale.ROOT,
            "%s-lr%s-bs%d-seed%d",
            s.model(),
            CsvFile.format(s.lr()),
            s.batchSize(),
            s.seed());
    RunFolder folder = new RunFolder(root.file("runs").resolve(id));
    Files.createDirectories(folder.dir());
    RunResult r = Experiment.run(folder, data, List.of(s), settings, main.out).get(0);
    sweep.row(
        s.model(),
        r.norm(),
        s.lr(),
        s.batchSize(),
        s.seed(),
        r.epochs(),
        r.finalTrainLoss(),
        r.testAccuracy(),
        r.status().equals("diverged"));
    main.out.printf(
        Locale.ROOT,
        "bnlab: %s finished: %s, test accuracy %.4f%n",
        id,
        r.status(),
        r.testAccuracy());
    return r;
  }
}
