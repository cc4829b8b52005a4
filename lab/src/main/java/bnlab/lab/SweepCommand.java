package bnlab.lab;

import bnlab.experiment.Datasets;
import bnlab.experiment.Engine;
import bnlab.experiment.Grid;
import bnlab.experiment.GridCell;
import bnlab.experiment.GridExecutor;
import bnlab.experiment.GridListener;
import bnlab.experiment.RunContext;
import bnlab.experiment.RunFolder;
import bnlab.experiment.RunResult;
import bnlab.experiment.SweepConfig;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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
    if (o.threads == null && parallel > 1) {
      o.threads = 1; // the runs are the parallel work: one kernel thread each
    }
    List<Integer> sizes = batchSizes != null ? batchSizes : List.of(o.batchSize);
    SweepConfig config =
        new SweepConfig(models, o.seeds, o.options(false), lrs, sizes, parallel, divergeFactor);
    GridListener console =
        new GridListener() {
          @Override
          public void started(RunFolder folder, Datasets.Pair data, Grid grid) {
            main.out.println(
                "bnlab: sweep of " + grid.cells().size() + " runs into " + o.shown(folder.dir()));
          }

          @Override
          public void finished(GridCell cell, RunResult r) {
            main.out.printf(
                Locale.ROOT,
                "bnlab: %s finished: %s, test accuracy %.4f%n",
                cell.folder(),
                r.status(),
                r.testAccuracy());
          }
        };
    try (Cluster.SharedRun folder = o.folder("sweep", main.out)) {
      try {
        Engine.Outcome r =
            Engine.run(
                config,
                o.session(folder, main.out, RunContext.Console.PREFIXED)
                    .withExecutor(
                        o.executor(
                            "sweep", models, GridExecutor.threads(parallel), folder, main.out))
                    .withListener(console));
        folder.refresh();
        if (!o.noReport) {
          ReportCommand.renderAfterRun(r.folder().dir(), o.shown(r.folder().dir()), main.out);
        }
      } finally {
        folder.publish();
      }
      main.out.println(
          "bnlab: sweep finished; results in "
              + (RunOptions.isUri(folder.uri()) ? folder.uri() + "/" : folder.local() + "/")
              + "sweep.csv");
    }
    return 0;
  }
}
