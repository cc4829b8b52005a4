package bnlab.lab;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a list of runs one after another into one run folder: prepares the folder, writes
 * config.json, and rewrites summary.json after every run, so an interrupted or diverged run keeps
 * the others' results.
 */
final class Experiment {
  private Experiment() {}

  /**
   * Ghost BN splits every training batch into virtual batches: refuse a batch size it cannot split
   * before any run starts, instead of failing in the middle of an experiment.
   */
  static void checkBatchSize(ModelZoo.Entry entry, int batchSize) {
    int virtual = bnlab.models.Norm.GHOST_VIRTUAL_BATCH;
    if (entry.norm().equals("ghost") && batchSize % virtual != 0) {
      throw new UserError(
          "model '"
              + entry.name()
              + "' uses Ghost BatchNorm with virtual batches of "
              + virtual
              + ": --batch-size must be a multiple of "
              + virtual
              + " (got "
              + batchSize
              + ")");
    }
  }

  /** Runs {@code specs}; returns the exit code (0 if every run finished "ok"). */
  static int run(
      RunOptions o,
      Map<String, Object> config,
      List<RunSpec> specs,
      Settings settings,
      PrintStream out) {
    for (RunSpec s : specs) {
      checkBatchSize(ModelZoo.get(s.model()), s.batchSize());
    }
    Datasets.Pair data = Datasets.open(o.dataset, o.data, o.subset, o.testSubset);
    RunFolder folder = new RunFolder(o.outOrDefault((String) config.get("command")));
    config.put("data_source", data.source());
    config.put("environment", Environment.describe());
    folder.prepare(config, o.overwrite, o.resume);
    out.println(
        "bnlab: "
            + specs.size()
            + " run(s) into "
            + folder.dir()
            + " ("
            + data.train().size()
            + " training, "
            + data.test().size()
            + " test images from "
            + data.source()
            + ")");
    List<RunResult> results = run(folder, data, specs, settings, out);
    if (!o.noReport) {
      ReportCommand.renderAfterRun(folder.dir(), out);
    }
    out.println("bnlab: results in " + folder.dir());
    for (RunResult r : results) {
      out.printf(
          java.util.Locale.ROOT,
          "  %-20s seed %-6d %-11s final train loss %s, test accuracy %s%n",
          r.model(),
          r.seed(),
          r.status(),
          fmt(r.finalTrainLoss(), "%.4f"),
          Double.isFinite(r.testAccuracy()) ? fmt(100 * r.testAccuracy(), "%.2f") + "%" : "n/a");
    }
    return results.stream().allMatch(r -> r.status().equals("ok")) ? 0 : 1;
  }

  static List<RunResult> run(
      RunFolder folder,
      Datasets.Pair data,
      List<RunSpec> specs,
      Settings settings,
      PrintStream out) {
    Interrupts interrupts = new Interrupts();
    interrupts.install();
    List<RunResult> results = new ArrayList<>();
    try (Runner runner = new Runner(settings, data, folder, interrupts, out, specs)) {
      for (RunSpec spec : specs) {
        if (interrupts.requested()) {
          break;
        }
        results.add(runner.run(spec));
        folder.writeSummary(results);
      }
    } finally {
      interrupts.done();
    }
    return results;
  }

  private static String fmt(double v, String f) {
    return Double.isFinite(v) ? String.format(java.util.Locale.ROOT, f, v) : "n/a";
  }
}
