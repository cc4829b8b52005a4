package bnlab.lab;

import bnlab.experiment.CompareConfig;
import bnlab.experiment.Datasets;
import bnlab.experiment.Engine;
import bnlab.experiment.Grid;
import bnlab.experiment.GridExecutor;
import bnlab.experiment.GridListener;
import bnlab.experiment.RunContext;
import bnlab.experiment.RunFolder;
import bnlab.experiment.RunResult;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * bnlab compare: the article's experiment, Net vs Net+BN with equal epochs, seeds and data order.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Trains the article's Net and Net+BN (or --models) with the same seeds, data order and"
          + " epochs, and writes a run folder (metrics.csv, epochs.csv, summary.json, probes,"
          + " checkpoints).",
      "Defaults: CIFAR-10, 5 epochs, batch 10, Adam lr 1e-4, seed 44, ToTensor only.",
      "--as-published reproduces the article literally: its 'BN' model builds BatchNorm layers"
          + " but never uses them, and trains twice as many epochs (10 vs 5)."
    })
final class CompareCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Mixin RunOptions o;

  @Option(
      names = "--models",
      split = ",",
      description = "Models to compare (default: net,net-bn; see 'bnlab models').")
  List<String> models;

  @Option(
      names = "--as-published",
      description = "The article as published: net for --epochs, net-published-bn for 2x --epochs.")
  boolean asPublished;

  @Override
  public Integer call() throws InterruptedException {
    List<String> names =
        models != null
            ? models
            : asPublished ? List.of("net", CompareConfig.PUBLISHED_BN) : List.of("net", "net-bn");
    return run(new CompareConfig("compare", names, o.seeds, o.options(asPublished)), o, main.out);
  }

  /**
   * Runs compare's or train's grid, renders the report and prints the results; returns the exit
   * code (0 if every run finished "ok", else 1).
   */
  static int run(CompareConfig config, RunOptions o, PrintStream out) throws InterruptedException {
    GridListener console =
        new GridListener() {
          @Override
          public void started(RunFolder folder, Datasets.Pair data, Grid grid) {
            out.println(
                "bnlab: "
                    + grid.cells().size()
                    + " run(s) into "
                    + o.shown(folder.dir())
                    + " ("
                    + data.train().size()
                    + " training, "
                    + data.test().size()
                    + " test images from "
                    + data.source()
                    + ")");
          }
        };
    Engine.Outcome r;
    try (Cluster.SharedRun folder = o.folder(config.command(), out)) {
      try {
        r =
            Engine.run(
                config,
                o.session(folder, out, RunContext.Console.ARTICLE)
                    .withExecutor(
                        o.executor(
                            config.command(),
                            config.models(),
                            GridExecutor.sequential(),
                            folder,
                            out))
                    .withListener(console));
        folder.refresh();
        if (!o.noReport) {
          ReportCommand.renderAfterRun(r.folder().dir(), o.shown(r.folder().dir()), out);
        }
      } finally {
        folder.publish();
      }
      out.println("bnlab: results in " + folder.uri());
    }
    for (RunResult x : r.results()) {
      out.printf(
          Locale.ROOT,
          "  %-20s seed %-6d %-11s final train loss %s, test accuracy %s%n",
          x.model(),
          x.seed(),
          x.status(),
          fmt(x.finalTrainLoss(), "%.4f"),
          Double.isFinite(x.testAccuracy()) ? fmt(100 * x.testAccuracy(), "%.2f") + "%" : "n/a");
    }
    return r.results().stream().allMatch(RunResult::ok) ? 0 : 1;
  }

  private static String fmt(double v, String f) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, f, v) : "n/a";
  }
}
