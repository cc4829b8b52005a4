package bnlab.lab;

import bnlab.experiment.Environment;
import bnlab.experiment.ModelZoo;
import bnlab.experiment.UserError;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * The bnlab command line. User mistakes (unknown names, impossible values, an occupied --out) print
 * one line and exit with code 2; a run that stops (NaN loss, Ctrl-C) exits with 1.
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
  final PrintStream out;

  Main(PrintStream out) {
    this.out = out;
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
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
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          if (ex instanceof UserError) {
            err.println("bnlab: " + oneLine(ex.getMessage()));
            return 2;
          }
          if (ex instanceof UncheckedIOException) {
            err.println("bnlab: " + oneLine(ex.getMessage()));
            return 1;
          }
          throw ex;
        });
    try {
      return cl.execute(args);
    } catch (ExceptionInInitializerError e) {
      // A -Dbnlab.* switch the kernels refuse (e.g. a vector width the CPU lacks) fails their
      // class initialization; say why in one line, as for other user mistakes.
      if (e.getCause() instanceof IllegalArgumentException
          || e.getCause() instanceof IllegalStateException) {
        err.println("bnlab: " + oneLine(e.getCause().getMessage()));
        return 2;
      }
      throw e;
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
