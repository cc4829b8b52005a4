package bnlab.report;

import bnlab.report.Charts.Plot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a run folder's report from its files only (see the run-folder contract), so a report can
 * be rendered again at any time, also while a run is still writing.
 *
 * <p>{@link #render(Path)} reads whichever of config.json, summary.json, metrics.csv, epochs.csv,
 * sweep.csv, smallbatch.csv and probes/{activations,gradients,landscape}.csv exist and writes:
 *
 * <ul>
 *   <li>{@code plots/*.png} and {@code plots/*.svg}: training loss with and without BN (mean and
 *       min-max band over seeds), test accuracy per epoch, the learning-rate sweep (log x,
 *       divergence marked), accuracy against batch size, per-layer pre-activation percentiles
 *       p15/p50/p85 (Ioffe and Szegedy 2015, Fig. 1), per-layer gradient norms (log y), and
 *       Santurkar et al. 2018's loss-landscape band, gradient-predictiveness band and effective
 *       beta-smoothness;
 *   <li>{@code report.html}: one self-contained page (inline CSS, images embedded as base64 PNG, no
 *       scripts or external references) with the findings computed from the numbers, the comparison
 *       table (mean ± sd over seeds and per seed), the plots and the configuration.
 * </ul>
 */
public final class Report {
  private Report() {}

  /**
   * Renders the report of {@code runDir} and returns the path of report.html.
   *
   * @throws IllegalArgumentException if the folder does not exist, holds no run files, or a file is
   *     malformed (the message names the file, line and column)
   * @throws UncheckedIOException if a file cannot be read or written
   */
  public static Path render(Path runDir) {
    return render(runDir, skipped -> {});
  }

  /**
   * As {@link #render(Path)}, telling {@code skipped} about every malformed CSV row left out (a row
   * torn by a crash or a full disk, or an edit), e.g. "metrics.csv line 202 ('net-bn,': 2 fields,
   * the header has 6)"; the page lists them too.
   */
  public static Path render(Path runDir, java.util.function.Consumer<String> skipped) {
    RunData data = RunData.load(runDir);
    data.skipped().forEach(skipped);
    List<String> models = Group.models(data);
    Path plotsDir = runDir.resolve("plots");
    List<Plot> plots = new ArrayList<>(new TrainingPlots(data, models, plotsDir).all());
    plots.addAll(new ProbePlots(data, models, plotsDir).all());
    Comparison comparison = Comparison.of(data, models);
    List<Section> sections = StudySections.of(data, plotsDir);
    List<String> findings = new ArrayList<>();
    sections.forEach(x -> findings.addAll(x.findings));
    findings.addAll(findings(data, models, comparison));
    String html = page(data, comparison, findings, plots, sections);
    Path out = runDir.resolve("report.html");
    try {
      Files.writeString(out, html, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out, e);
    }
    return out;
  }

  /**
   * Command-line entry: {@code Report <run-dir>...} renders each folder and prints the path of its
   * report.html; a bad folder gets a one-line error and exit status 2.
   */
  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println("usage: bnlab.report.Report <run-dir>...");
      System.exit(2);
    }
    for (String a : args) {
      try {
        System.out.println(render(Path.of(a)));
      } catch (IllegalArgumentException | UncheckedIOException e) {
        System.err.println("report: " + e.getMessage());
        System.exit(2);
      }
    }
  }

  static List<String> findings(RunData data, List<String> models, Comparison comparison) {
    List<String> out = new ArrayList<>();
    if (data.asPublished()) {
      out.addAll(Published.findings(data, models));
    }
    if (comparison != null) {
      out.addAll(comparison.findings());
    }
    if (data.sweep() != null && !data.sweep().rows().isEmpty()) {
      out.addAll(StudyFindings.sweep(data.sweep()));
    }
    if (data.smallBatch() != null && !data.smallBatch().rows().isEmpty()) {
      out.addAll(StudyFindings.smallBatch(data.smallBatch()));
      out.addAll(SmallBatchFindings.findings(data.smallBatch()));
    }
    if (data.activations() != null && !data.activations().rows().isEmpty()) {
      out.add(StudyFindings.activationDrift(data.activations()));
    }
    if (data.landscape() != null && !data.landscape().rows().isEmpty()) {
      out.addAll(StudyFindings.landscape(data.landscape()));
    }
    return out;
  }

  private static String page(
      RunData data,
      Comparison comparison,
      List<String> findings,
      List<Plot> plots,
      List<Section> sections) {
    String command = data.config() == null ? "" : data.config().path("command").asText("");
    String name = data.dir().toAbsolutePath().normalize().getFileName() + "";
    Html h =
        new Html()
            .head(
                "bnlab report" + (command.isEmpty() ? "" : ": " + command),
                "run folder " + name + (data.asPublished() ? " · as published" : ""),
                sections);
    h.section("findings", "Findings");
    if (!data.skipped().isEmpty()) {
      h.para(
          "Left out as malformed (a row torn by a crash or a full disk, or an edit): "
              + String.join("; ", data.skipped()),
          "note");
    }
    if (findings.isEmpty()) {
      h.para(
          "No findings: the folder holds no summary.json, epochs.csv, sweep.csv, smallbatch.csv,"
              + " depth.csv, study probes or landscape probes yet.",
          "note");
    } else {
      h.list(findings);
    }
    sections.forEach(h::study);
    h.section("comparison", "Comparison");
    if (comparison == null) {
      h.para(
          sections.isEmpty()
              ? "No summary.json or epochs.csv in this folder."
              : "No summary.json or epochs.csv in this folder; see the sections above.",
          "note");
    } else if (comparison.repeatedSeeds()) {
      if (data.sweep() != null) {
        h.para("Per run of the sweep (from sweep.csv):", "note").sweepTable(data.sweep());
      } else {
        h.para("Per run (from " + comparison.source() + "; several runs per seed):", "note")
            .seedTable(comparison);
      }
    } else {
      h.para("Per model, mean ± standard deviation over the runs that finished.", "note")
          .modelTable(comparison)
          .para("Per run (from " + comparison.source() + "):", "note")
          .seedTable(comparison);
    }
    h.section("plots", "Plots");
    if (plots.isEmpty()) {
      h.para(
          sections.isEmpty()
              ? "No plottable files (metrics.csv, epochs.csv, sweep.csv, probes) yet."
              : "The study's plots are in its section above.",
          "note");
    }
    plots.forEach(h::figure);
    h.section("configuration", "Configuration");
    if (data.config() == null) {
      h.para("No config.json in this folder.", "note");
    } else {
      h.config(data.config());
    }
    return h.end();
  }
}
