package bnlab.experiment;

import java.io.PrintStream;
import java.util.List;

/**
 * How cells run in this process, apart from their configuration: where and how they print, the stop
 * request they obey, and extra hooks. Nothing here changes a result.
 *
 * @param out the console
 * @param console what each cell prints
 * @param progressBar a progress bar on stderr when a terminal is attached (one cell at a time only)
 * @param stop the stop request the cells obey
 * @param hooks listeners added to every cell (see {@link Hook})
 * @param replicas this process's part in data-parallel training, or null to train alone
 */
public record RunContext(
    PrintStream out,
    Console console,
    boolean progressBar,
    StopRequest stop,
    List<Hook> hooks,
    Replicas replicas) {
  /** What a cell prints while it trains. */
  public enum Console {
    /**
     * "[model seed S] Starting epoch N", the article's "Loss after mini-batch" lines, each epoch's
     * test result, resumes and stops (compare, train).
     */
    ARTICLE,
    /** The same with every loss line prefixed by the cell's label (cells that share a console). */
    PREFIXED,
    /** Nothing: the grid prints one line per finished cell (the small-batch study). */
    QUIET
  }

  /** Copies the hooks. */
  public RunContext {
    hooks = List.copyOf(hooks);
  }

  /** Article-style console output on {@code out}, no progress bar, no extra hooks. */
  public static RunContext of(PrintStream out) {
    return new RunContext(out, Console.ARTICLE, false, new StopRequest(), List.of(), null);
  }

  /** This context with {@code console} output. */
  public RunContext withConsole(Console c) {
    return new RunContext(out, c, progressBar, stop, hooks, replicas);
  }

  /** This context with or without a progress bar. */
  public RunContext withProgressBar(boolean bar) {
    return new RunContext(out, console, bar, stop, hooks, replicas);
  }

  /** This context with {@code hooks} added to every cell. */
  public RunContext withHooks(List<Hook> more) {
    return new RunContext(out, console, progressBar, stop, more, replicas);
  }

  /** This context training as replica {@code r} of a data-parallel group (null: alone). */
  public RunContext withReplicas(Replicas r) {
    return new RunContext(out, console, progressBar, stop, hooks, r);
  }
}
