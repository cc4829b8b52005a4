package bnlab.experiment;

import java.nio.file.Path;
import java.util.List;

/**
 * One grid cell, run on its own: a configuration, its data and an output folder in, a {@link
 * RunResult} out. The folder receives metrics.csv, epochs.csv, probes/*.csv (when probes are on),
 * checkpoints/&lt;model&gt;-seed&lt;seed&gt;.safetensors after every epoch and summary.json with
 * this one run.
 *
 * <p>Deterministic: the same configuration and data give bit-identical files (apart from timings)
 * on any machine and thread count. Idempotent with respect to the folder: a cell continues from its
 * checkpoint when the folder holds one (a checkpoint of another configuration is refused), drops
 * the rows it wrote after that checkpoint before writing them again, and a finished cell trains
 * nothing and returns the same result; so a re-run, or a retried task, never duplicates a row.
 * Whole files are written to a temporary file and renamed. This is the call a distributed grid
 * executor makes on its workers.
 */
public final class Cell {
  private Cell() {}

  /**
   * Runs {@code config} into {@code folder}, opening its data first; prints the article's console
   * lines to {@code System.out}.
   */
  public static RunResult run(RunConfig config, Path folder) {
    return run(config, config.data().open(), folder, RunContext.of(System.out));
  }

  /**
   * Runs {@code config} on {@code data} (which must be {@code config.data().open()}, opened once
   * for many cells) into {@code folder}.
   */
  public static RunResult run(
      RunConfig config, Datasets.Pair data, Path folder, RunContext context) {
    return run(config, config.label(), data, new RunFolder(folder), context);
  }

  /** As {@link #run(RunConfig, Datasets.Pair, Path, RunContext)}, with a console label. */
  static RunResult run(
      RunConfig config, String label, Datasets.Pair data, RunFolder folder, RunContext context) {
    RunResult r = CellRun.run(config, label, data, folder, context);
    folder.writeSummary(List.of(r));
    return r;
  }
}
