package bnlab.lab;

import bnlab.experiment.DataConfig;
import bnlab.experiment.Datasets;
import bnlab.experiment.Engine;
import bnlab.experiment.ExperimentConfig;
import bnlab.experiment.Grid;
import bnlab.experiment.GridCell;
import bnlab.experiment.GridExecutor;
import bnlab.experiment.GridListener;
import bnlab.experiment.RunContext;
import bnlab.experiment.RunFolder;
import bnlab.experiment.RunResult;
import bnlab.experiment.Session;
import bnlab.runtime.Compute;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Options the ioffe-fig1 and depth studies share (run folder, resume, seeds, threads, report); each
 * study adds its own, and its data set options, since their defaults differ.
 */
final class StudyOptions {
  @Option(
      names = "--seeds",
      split = ",",
      description = "Seeds, comma separated (default: ${DEFAULT-VALUE}).",
      defaultValue = "44")
  List<Long> seeds;

  @Option(names = "--data", description = "Folder or archive with the data set.")
  Path data;

  @Option(names = "--out", description = "Run folder (default: runs/<study>-<timestamp>).")
  Path out;

  @Option(names = "--overwrite", description = "Replace the run already in --out.")
  boolean overwrite;

  @Option(names = "--resume", description = "Continue the interrupted study in --out.")
  boolean resume;

  @Option(names = "--threads", description = "Kernel threads (default: all cores).")
  Integer threads;

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @Option(names = "--no-report", description = "Do not render report.html at the end.")
  boolean noReport;

  /** The data configuration of {@code dataset} with the shared --data. */
  DataConfig data(String dataset, Integer subset, Integer testSubset) {
    return new DataConfig(dataset, data == null ? null : data.toString(), subset, testSubset);
  }

  /**
   * Runs {@code config} into --out (or runs/&lt;name&gt;-&lt;time&gt;) with {@code executor} and
   * {@code console}, prints where it goes, renders the report unless --no-report.
   */
  Engine.Outcome run(
      ExperimentConfig config,
      String name,
      PrintStream out,
      RunContext.Console console,
      GridExecutor executor,
      GridListener extra)
      throws InterruptedException {
    if (threads != null) {
      Compute.setThreads(threads);
    }
    GridListener started =
        new GridListener() {
          @Override
          public void started(RunFolder folder, Datasets.Pair d, Grid grid) {
            out.println(
                "bnlab: "
                    + config.command()
                    + ", "
                    + grid.cells().size()
                    + " run(s) into "
                    + folder.dir()
                    + " ("
                    + d.train().size()
                    + " training, "
                    + d.test().size()
                    + " test images from "
                    + d.source()
                    + ")");
            extra.started(folder, d, grid);
          }

          @Override
          public void finished(GridCell cell, RunResult r) {
            extra.finished(cell, r);
          }
        };
    boolean bar = !noProgress && console == RunContext.Console.ARTICLE;
    Session session =
        Session.of(RunOptions.out(out(), name))
            .withMode(Session.mode(overwrite, resume))
            .withContext(RunContext.of(out).withConsole(console).withProgressBar(bar))
            .withExecutor(executor)
            .withListener(started);
    Engine.Outcome r = Engine.run(config, session);
    if (!noReport) {
      ReportCommand.renderAfterRun(r.folder().dir(), out);
    }
    return r;
  }

  private Path out() {
    return out;
  }
}
