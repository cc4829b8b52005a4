package bnlab.spark;

import bnlab.experiment.Datasets;
import bnlab.experiment.Engine;
import bnlab.experiment.GridCell;
import bnlab.experiment.GridExecutor;
import bnlab.experiment.Hook;
import bnlab.experiment.RunContext;
import bnlab.experiment.RunFolder;
import bnlab.experiment.RunResult;
import bnlab.lab.Cluster;
import bnlab.runtime.Compute;
import bnlab.train.TrainListener;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A sweep on Spark: every cell of the grid is one task ({@code spark.task.cpus} kernel threads),
 * which opens the cell's data from its configured path (one every executor sees) and runs {@link
 * Engine#runCell} into a local staging copy of the cell's folder ({@code runs/<cell>}), first
 * copied down from the shared run folder ({@link SharedFolder}), so that a retried task continues
 * from the cell's last published checkpoint. The task publishes the folder at the start of every
 * epoch (the previous epoch's checkpoint and rows) and when the cell ends, then writes the marker
 * {@code runs/<cell>/_SUCCESS}: a task that finds the marker (a retry, or a second attempt running
 * after the first published) takes the published result as it is and publishes nothing, so the
 * first complete copy stays. The driver hands the results to the engine, which writes sweep.csv and
 * summary.json as for a local sweep, and publishes those.
 */
final class SparkCells implements GridExecutor {
  private final String master;
  private final boolean stopWhenDone;
  private final Cluster.SharedRun shared;
  private final PrintStream out;

  /** The marker of a cell whose folder was published complete. */
  static final String COMPLETE = "_SUCCESS";

  /**
   * A sweep on {@code master}, publishing to {@code shared} (null: the run folder itself, a path
   * every executor sees).
   */
  SparkCells(String master, boolean stopWhenDone, Cluster.SharedRun shared, PrintStream out) {
    this.master = master;
    this.stopWhenDone = stopWhenDone;
    this.shared = shared;
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
      SharedFolder store = Staged.store(shared, root, jsc.getConf());
      Staged.begin(shared);
      List<Finished> results =
          jsc.parallelize(cells, Math.max(1, cells.size())).map(c -> runTask(c, store)).collect();
      for (Finished f : results) {
        done.accept(cells.get(f.index()), f.result());
        Staged.publish(shared);
      }
    } finally {
      if (stopWhenDone) {
        jsc.stop();
      }
    }
  }

  /** A cell's result on its way back to the driver. */
  record Finished(int index, RunResult result) implements Serializable {}

  private static Finished runTask(GridCell cell, SharedFolder store) {
    TaskContext tc = TaskContext.get();
    Compute.setThreads(tc == null ? 1 : tc.cpus());
    String rel = "runs/" + cell.folder();
    String attempt = Staged.attempt();
    try (Staging stage = Staging.temporary(store, attempt)) {
      boolean complete = store.exists(rel + "/" + COMPLETE);
      stage.pull(rel);
      Datasets.Pair data = cell.config().data().open();
      RunContext ctx = RunContext.of(System.out).withConsole(RunContext.Console.QUIET);
      if (!complete) {
        ctx = ctx.withHooks(List.of(publishEveryEpoch(stage, rel)));
      }
      RunResult r = Engine.runCell(cell, data, new RunFolder(stage.local()), ctx);
      if (!complete) {
        stage.push(rel);
        store.write(
            rel + "/" + COMPLETE, (attempt + "\n").getBytes(StandardCharsets.UTF_8), attempt);
      }
      return new Finished(cell.index(), r);
    }
  }

  /**
   * Publishes {@code rel} at the start of every epoch: the previous epoch's checkpoint is written
   * by then, with its rows.
   */
  static Hook publishEveryEpoch(Staging stage, String rel) {
    return c ->
        List.of(
            new TrainListener() {
              @Override
              public void onEpochStart(int epoch, int batchesPerEpoch) {
                stage.push(rel);
              }
            });
  }
}
