package bnlab.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs an experiment: builds its grid ({@link ExperimentConfig#grid()}), opens the data once,
 * refuses cells that cannot train (batches of one sample for BatchNorm, see {@link BatchOfOne})
 * before any cell trains, locks the run folder for the whole run (a second run into it is refused,
 * see {@link FolderLock}), prepares it (refusing an occupied one, or checking the configuration of
 * the run it resumes and every checkpoint it would resume from), writes config.json, runs every
 * cell through the {@link bnlab.train.Trainer} with the session's executor, and after each finished
 * cell rewrites the experiment's summary.json and table in grid order. Ctrl-C stops the running
 * cells at their next mini-batch and starts no more; everything written so far stays, and {@link
 * Session.Mode#RESUME} continues from there.
 */
public final class Engine {
  private Engine() {}

  /**
   * The results of a run: the folder, the data and the results of the cells that ran, in grid
   * order.
   */
  public record Outcome(RunFolder folder, Datasets.Pair data, List<RunResult> results) {}

  /** Runs {@code config} as {@code session} says; see the class comment. */
  public static Outcome run(ExperimentConfig config, Session session) throws InterruptedException {
    Grid grid = config.grid();
    if (grid.sharesFolder() && session.executor().parallelism() > 1) {
      throw new IllegalArgumentException(
          config.command() + "'s runs share one folder: they run one after another");
    }
    Datasets.Pair data = config.data().open();
    for (GridCell c : grid.cells()) {
      BatchOfOne.dropLast(c.config(), data.train()); // refuses batches of one before any training
    }
    RunFolder root = new RunFolder(session.folder());
    if (session.mode() == Session.Mode.RESUME && !Files.isDirectory(root.dir())) {
      root.prepare(config, session.mode()); // refuses: no run to resume, and no folder to lock
    }
    try (FolderLock lock = FolderLock.acquire(root.dir(), "bnlab " + config.command())) {
      if (lock.staleNote() != null) {
        CellListeners.warn(session.context(), "bnlab: " + lock.staleNote());
      }
      return run(config, session, grid, data, root, lock);
    }
  }

  private static Outcome run(
      ExperimentConfig config,
      Session session,
      Grid grid,
      Datasets.Pair data,
      RunFolder root,
      FolderLock lock)
      throws InterruptedException {
    root.prepare(config, session.mode());
    if (session.mode() == Session.Mode.RESUME) {
      for (GridCell c : grid.cells()) {
        RunFolder f = c.sharesFolder() ? root : root.cell(c.folder());
        CellRun.checkResumable(c.config(), c.label(), data, f, session.context());
      }
    }
    ObjectNode file = ((ObjectNode) Json.tree(config)).put("data_source", data.source());
    file.set("environment", Json.MAPPER.valueToTree(Environment.describe()));
    root.writeConfig(file);
    session.listener().started(root, data, grid);
    RunResult[] results = new RunResult[grid.cells().size()];
    List<Hook> hooks = new ArrayList<>(config.hooks());
    hooks.addAll(session.context().hooks());
    RunContext ctx = session.context().withHooks(hooks);
    CtrlC ctrlC = new CtrlC(ctx.stop());
    try {
      session
          .executor()
          .execute(
              root,
              grid.cells(),
              cell -> ctx.stop().requested() ? null : runCell(cell, data, root, ctx),
              (cell, r) -> {
                results[cell.index()] = r;
                writeAggregates(root, grid, results);
                session.listener().finished(cell, r);
              });
    } finally {
      // Released before the Ctrl-C hook lets the JVM exit, which it may do at once.
      try {
        lock.close();
      } finally {
        ctrlC.close();
      }
    }
    return new Outcome(root, data, done(results));
  }

  /**
   * Runs one cell of a grid into {@code root} as the engine does: {@link Cell#run} into the cell's
   * own folder, or into {@code root} itself (without summary.json, which the engine writes) when
   * the cells share it. A cluster executor calls this on its workers.
   */
  public static RunResult runCell(
      GridCell cell, Datasets.Pair data, RunFolder root, RunContext ctx) {
    return cell.sharesFolder()
        ? CellRun.run(cell.config(), cell.label(), data, root, ctx)
        : Cell.run(cell.config(), cell.label(), data, root.cell(cell.folder()), ctx);
  }

  private static void writeAggregates(RunFolder root, Grid grid, RunResult[] results) {
    if (grid.summary()) {
      root.writeSummary(done(results));
    }
    ResultTable t = grid.table();
    if (t != null) {
      List<List<Object>> rows = new ArrayList<>();
      for (GridCell c : grid.cells()) {
        RunResult r = results[c.index()];
        List<Object> row = r == null ? null : t.row().apply(c.config(), r);
        if (row != null) {
          rows.add(row);
        }
      }
      root.writeTable(t.file(), t.header(), rows);
    }
  }

  private static List<RunResult> done(RunResult[] results) {
    List<RunResult> out = new ArrayList<>();
    for (RunResult r : results) {
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }
}
