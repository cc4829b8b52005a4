package bnlab.spark;

import bnlab.experiment.Datasets;
import bnlab.experiment.Engine;
import bnlab.experiment.GridCell;
import bnlab.experiment.GridExecutor;
import bnlab.experiment.RunContext;
import bnlab.experiment.RunFolder;
import bnlab.experiment.RunResult;
import bnlab.runtime.Compute;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A sweep on Spark: every cell of the grid is one task ({@code spark.task.cpus} kernel threads),
 * which opens the cell's data from its configured path (one every executor sees) and runs {@link
 * Engine#runCell} into the cell's own folder below the run folder, on storage every executor sees.
 * A cell is deterministic and idempotent per folder, so a retried task continues from the cell's
 * checkpoint and never duplicates a row. The driver hands the results to the engine, which writes
 * sweep.csv and summary.json as for a local sweep.
 */
final class SparkCells implements GridExecutor {
  private final String master;
  private final boolean stopWhenDone;
  private final PrintStream out;

  SparkCells(String master, boolean stopWhenDone, PrintStream out) {
    this.master = master;
    this.stopWhenDone = stopWhenDone;
    this.out = out;
  }

  @Override
  public int parallelism() {
    // cells that share a folder are refused by the engine before they get here
    return Integer.MAX_VALUE;
  }

  @Override
  public void execute(
      RunFolder root,
      List<GridCell> cells,
      Function<GridCell, RunResult> run,
      BiConsumer<GridCell, RunResult> done) {
    JavaSparkContext jsc = Spark.context(master);
    try {
      out.println("bnlab: " + cells.size() + " runs as Spark tasks on " + jsc.master());
      String dir = root.dir().toAbsolutePath().toString();
      List<Finished> results =
          jsc.parallelize(cells, Math.max(1, cells.size())).map(c -> runTask(c, dir)).collect();
      for (Finished f : results) {
        done.accept(cells.get(f.index()), f.result());
      }
    } finally {
      if (stopWhenDone) {
        jsc.stop();
      }
    }
  }

  /** A cell's result on its way back to the driver. */
  record Finished(int index, RunResult result) implements Serializable {}

  private static Finished runTask(GridCell cell, String root) {
    TaskContext tc = TaskContext.get();
    Compute.setThreads(tc == null ? 1 : tc.cpus());
    Datasets.Pair data = cell.config().data().open();
    RunContext ctx = RunContext.of(System.out).withConsole(RunContext.Console.QUIET);
    return new Finished(
        cell.index(), Engine.runCell(cell, data, new RunFolder(Path.of(root)), ctx));
  }
}
