package bnlab.lab;

import bnlab.experiment.Environment;
import bnlab.experiment.ModelZoo;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * The bnlab command line. Whatever goes wrong, it prints one line starting with "bnlab: ", never a
 * Java stack trace, and exits with one of these codes:
 *
 * <ul>
 *   <li>{@value #EXIT_OK}: done; every run finished (in sweep and the studies a diverged cell is a
 *       result, recorded as such);
 *   <li>{@value #EXIT_FAILED}: a compare or train run stopped (its loss became NaN or infinite; the
 *       other runs went on), a file could not be read or written (a full disk), memory ran out, or
 *       an internal error (a bug: the line names the file that holds the full trace);
 *   <li>{@value #EXIT_USAGE}: a mistake the user can fix (an unknown name, an impossible value, an
 *       occupied or locked --out, a checkpoint that does not fit, a damaged data set); nothing was
 *       trained or changed;
 *   <li>{@value #EXIT_INTERRUPTED}: Ctrl-C (SIGINT; 128 + 2, the shell's convention): the running
 *       runs stopped at their next mini-batch and wrote summary.json ("interrupted") and their last
 *       checkpoints, so --resume continues them.
 * </ul>
 */
@Command(
    name = "bnlab",
    mixinStandardHelpOptions = true,
    version = "bnlab " + Environment.VERSION,
    description = "Batch Normalization lab: trains small CNNs on the CPU and shows what BN does.",
    subcommands = {
      CompareCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      RecalibrateCommand.class,
      DiagnoseCommand.class,
      ExportCommand.class,
      PredictCommand.class,
      SweepCommand.class,
      StudyCommand.class,
      ReportCommand.class,
      BenchCommand.class,
      DownloadCommand.class,
      Main.ModelsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Callable<Integer> {
  /** Exit code: done. */
  public static final int EXIT_OK = 0;

  /** Exit code: a run stopped, a file could not be written, or an internal error. */
  public static final int EXIT_FAILED = 1;

  /** Exit code: a mistake the user can fix; nothing was done. */
  public static final int EXIT_USAGE = 2;

  /**
   * Exit code of Ctrl-C: the JVM ends with 128 + SIGINT after the shutdown hook has let the runs
   * write their files.
   */
  public static final int EXIT_INTERRUPTED = 130;

  final PrintStream out;

  Main(PrintStream out) {
    this.out = out;
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    // A failure on another thread (a data loader's, a pool's) gets one line too, not a trace.
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> Failure.report(e, args, System.err));
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line with the given streams; returns the exit code (used by tests). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new Main(out));
    cl.setOverwrittenOptionsAllowed(true);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          String cmd = ex.getCommandLine().getCommandName();
          err.println(
              "bnlab: " + oneLine(ex.getMessage()) + " (see 'bnlab " + helpOf(cmd) + "--help')");
          return EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> Failure.report(ex, args, err));
    try {
      return cl.execute(args);
    } catch (RuntimeException | Error e) {
      // picocli rethrows what its own handlers throw (e.g. an Error while printing help)
      return Failure.report(e, args, err);
    }
  }

  private static String helpOf(String cmd) {
    return cmd.equals("bnlab") ? "" : cmd + " ";
  }

  private static String oneLine(String s) {
    return s == null ? "error" : s.replace('\n', ' ').trim();
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(out);
    return 0;
  }

  /** bnlab models: the zoo. */
  @Command(name = "models", mixinStandardHelpOptions = true, description = "Lists the model zoo.")
  static final class ModelsCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Override
    public Integer call() {
      ModelZoo.entries()
          .values()
          .forEach(
              e ->
                  main.out.printf(
                      "  %-20s norm=%-8s %s%n", e.name(), e.norm().id(), e.description()));
      return 0;
    }
  }
}
