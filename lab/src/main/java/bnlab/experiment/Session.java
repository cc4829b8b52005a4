package bnlab.experiment;

import java.nio.file.Path;

/**
 * How {@link Engine} runs an experiment this time: into which folder, whether it may replace or
 * continue a run there, how cells print and which executor runs them. Nothing here changes a
 * result.
 *
 * @param folder the experiment's run folder
 * @param mode new, overwrite or resume
 * @param context console, stop request and hooks of the cells
 * @param executor runs the cells
 * @param listener told when the grid starts and each cell finishes
 */
public record Session(
    Path folder, Mode mode, RunContext context, GridExecutor executor, GridListener listener) {
  /** What may be in the folder already. */
  public enum Mode {
    /** A new or empty folder; an existing run is refused. */
    NEW,
    /** An existing run's files are deleted first. */
    OVERWRITE,
    /**
     * The existing run continues: its configuration must match (more epochs may extend it); each
     * cell continues from its checkpoint, finished cells train nothing.
     */
    RESUME
  }

  /** A new folder, article-style console output, one cell after another. */
  public static Session of(Path folder) {
    return new Session(
        folder,
        Mode.NEW,
        RunContext.of(System.out),
        GridExecutor.sequential(),
        new GridListener() {});
  }

  /** The mode the command line's {@code --overwrite} and {@code --resume} ask for. */
  public static Mode mode(boolean overwrite, boolean resume) {
    if (overwrite && resume) {
      throw new UserError("--overwrite and --resume exclude each other");
    }
    return overwrite ? Mode.OVERWRITE : resume ? Mode.RESUME : Mode.NEW;
  }

  /** This session in {@code m} mode. */
  public Session withMode(Mode m) {
    return new Session(folder, m, context, executor, listener);
  }

  /** This session with another cell context. */
  public Session withContext(RunContext c) {
    return new Session(folder, mode, c, executor, listener);
  }

  /** This session with another executor. */
  public Session withExecutor(GridExecutor e) {
    return new Session(folder, mode, context, e, listener);
  }

  /** This session telling {@code l} about its progress. */
  public Session withListener(GridListener l) {
    return new Session(folder, mode, context, executor, l);
  }
}
