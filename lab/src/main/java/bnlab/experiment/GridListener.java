package bnlab.experiment;

/**
 * Told by {@link Engine} when a grid starts and when each of its cells finishes (for the console).
 */
public interface GridListener {
  /** The folder is ready, config.json written, the data open; no cell has run yet. */
  default void started(RunFolder folder, Datasets.Pair data, Grid grid) {}

  /** {@code cell} finished (or stopped) with {@code result}; called one at a time. */
  default void finished(GridCell cell, RunResult result) {}
}
