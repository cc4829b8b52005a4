package bnlab.lab;

import bnlab.experiment.UserError;
import bnlab.report.Report;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** bnlab report: (re-)renders a run folder's plots and report.html from its files. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Renders plots/*.png, plots/*.svg and report.html of a run folder from its files only"
            + " (also while the run is still writing).")
final class ReportCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", description = "The run folder.")
  Path dir;

  @Override
  public Integer call() {
    try {
      main.out.println("bnlab: report in " + Report.render(dir, skipped(main.out)));
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    return 0;
  }

  // One line per malformed row the report leaves out.
  private static java.util.function.Consumer<String> skipped(java.io.PrintStream out) {
    return row -> out.println("bnlab: report: left out malformed row " + row);
  }

  /** Renders the report at the end of a command; a failure is reported, not fatal. */
  static void renderAfterRun(Path dir, java.io.PrintStream out) {
    renderAfterRun(dir, dir.toString(), out);
  }

  /**
   * As {@link #renderAfterRun(Path, java.io.PrintStream)} for a run folder the user knows as {@code
   * shown} (a shared folder's URI, whose local staging copy is {@code dir}).
   */
  static void renderAfterRun(Path dir, String shown, java.io.PrintStream out) {
    try {
      Path file = Report.render(dir, skipped(out));
      out.println(
          "bnlab: report in "
              + (shown.equals(dir.toString()) ? file : shown + "/" + file.getFileName()));
    } catch (RuntimeException e) {
      out.println(
          "bnlab: could not render the report ("
              + e.getMessage()
              + "); try 'bnlab report "
              + dir
              + "'");
    }
  }
}
