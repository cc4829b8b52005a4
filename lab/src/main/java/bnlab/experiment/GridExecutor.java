package bnlab.experiment;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Runs the cells of a grid: one after another, on local threads, or (next) as tasks of a cluster. A
 * local executor calls {@code run} for every cell. An executor that runs cells elsewhere runs only
 * grids whose cells have folders of their own; on a worker it opens the data of the cell's {@link
 * GridCell#config()} and calls {@link Cell#run(RunConfig, Datasets.Pair, java.nio.file.Path,
 * RunContext)} into {@code root.cell(cell.folder())}, which is deterministic and idempotent, so a
 * retried task is harmless. Either way it hands each result to {@code done} on the calling thread,
 * one at a time, in any order; the engine then writes the experiment's summary and table. {@code
 * run} returns null for a cell it skipped because a stop was requested; such a cell has no result
 * and is not handed to {@code done}.
 */
public interface GridExecutor {
  /** How many cells may run at the same time. */
  int parallelism();

  /**
   * Runs every cell; returns when all have run, or rethrows the first failure (a {@link
   * RuntimeException} or {@link Error} from a cell) once no cell is being handed to {@code done}.
   */
  void execute(
      RunFolder root,
      List<GridCell> cells,
      Function<GridCell, RunResult> run,
      BiConsumer<GridCell, RunResult> done)
      throws InterruptedException;

  /** Cells one after another on the calling thread. */
  static GridExecutor sequential() {
    return LocalExecutor.SEQUENTIAL;
  }

  /**
   * Up to {@code n} cells at the same time on local threads. The kernel thread count is the
   * process's ({@link bnlab.runtime.Compute#setThreads}); set it to 1 so that each cell runs on one
   * core, as {@code bnlab sweep --parallel} does.
   */
  static GridExecutor threads(int n) {
    return n == 1 ? LocalExecutor.SEQUENTIAL : new LocalExecutor(n);
  }
}
