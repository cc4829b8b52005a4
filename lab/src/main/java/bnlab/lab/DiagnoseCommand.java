package bnlab.lab;

import bnlab.experiment.Datasets;
import bnlab.experiment.UserError;
import bnlab.io.Checkpoint;
import bnlab.io.DType;
import bnlab.io.SafeTensorsException;
import bnlab.io.StoredTensor;
import bnlab.nn.NonFiniteException;
import bnlab.report.Report;
import bnlab.train.BnDiagnosis;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** bnlab diagnose: the state of a model file's BatchNorm layers. */
@Command(
    name = "diagnose",
    mixinStandardHelpOptions = true,
    description = {
      "Per BatchNorm layer of a model file: how far its running statistics are from the training"
          + " data's statistics under the current weights (the average over --batches training"
          + " batches, what recalibrate would write), the gap between its training-mode and"
          + " eval-mode output on a fixed test batch, the channels whose gamma is near zero, and"
          + " any non-finite value. Prints a table and writes diagnose.json and report.html to"
          + " --out.",
      "mean shift: RMS over channels of (running_mean - data mean) in data standard deviations;"
          + " var err: |running_var - data var| / |data var|; gap: RMS difference of the two"
          + " modes' outputs relative to the normalized signal (0 = the modes agree). '*' marks"
          + " stale statistics (above "
          + BnDiagnosis.STALE
          + ") or a gap above "
          + BnDiagnosis.GAP
          + ".",
      "FILE is anything eval takes: a training checkpoint, a model-only file or a PyTorch state"
          + " dict. Non-finite tensors are listed before anything else and end the diagnosis"
          + " (exit code 1), since such a file cannot be loaded."
    })
final class DiagnoseCommand implements Callable<Integer> {
  /** The file diagnose writes into --out. */
  static final String JSON_FILE = "diagnose.json";

  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "FILE", description = "The checkpoint or state dict.")
  Path checkpoint;

  @Mixin BnData d;

  @Option(
      names = "--near-zero",
      description = "|gamma| below this counts as near zero (default: ${DEFAULT-VALUE}).",
      defaultValue = "1e-3")
  double nearZero;

  @Option(names = "--out", description = "Folder for diagnose.json and report.html.")
  Path out;

  @Option(names = "--no-report", description = "Do not render report.html.")
  boolean noReport;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  /**
   * diagnose.json.
   *
   * @param command "diagnose"
   * @param checkpoint the file
   * @param model the zoo name
   * @param dataset the data set
   * @param batchSize images per statistics batch and in the fixed batch
   * @param nonFiniteTensors tensor name → number of NaN or infinite values (empty when none)
   * @param diagnosis the per-layer diagnosis, null when the file has non-finite tensors
   */
  @JsonPropertyOrder({
    "command",
    "checkpoint",
    "model",
    "dataset",
    "batch_size",
    "non_finite_tensors",
    "diagnosis"
  })
  record DiagnoseFile(
      String command,
      String checkpoint,
      String model,
      String dataset,
      int batchSize,
      Map<String, Integer> nonFiniteTensors,
      BnDiagnosis diagnosis) {}

  @Override
  public Integer call() {
    if (!(nearZero >= 0) || Double.isInfinite(nearZero)) {
      throw new UserError("--near-zero must be a finite number >= 0, got " + nearZero);
    }
    Path dir = RunOptions.out(out, "diagnose");
    PrintStream console = main.out;
    Map<String, Integer> broken = nonFiniteTensors(checkpoint);
    if (!broken.isEmpty()) {
      console.println("non-finite tensors in " + checkpoint + ":");
      broken.forEach((n, c) -> console.printf(Locale.ROOT, "  %-40s %d value(s)%n", n, c));
      write(
          dir,
          new DiagnoseFile("diagnose", checkpoint.toString(), null, d.dataset, 0, broken, null));
      console.println(
          "bnlab: "
              + checkpoint
              + " holds NaN or infinity in "
              + broken.size()
              + " tensor(s), so no model can be built from it; take an earlier checkpoint (the"
              + " training diverged before this one was written). Wrote "
              + dir.resolve(JSON_FILE));
      return 1;
    }
    ModelFile f = ModelFile.load(checkpoint, d.model, d.dataset);
    Datasets.Pair pair = d.open(f);
    BnData.Fixed fixed = d.fixedBatch(pair);
    BnDiagnosis diag;
    try {
      diag =
          BnDiagnosis.of(
              f.model(), d.trainBatches(pair), d.batches, fixed.x(), fixed.labels(), nearZero);
    } catch (NonFiniteException ex) {
      throw new UserError(checkpoint + ": " + ex.getMessage() + " (the weights are broken)");
    } catch (IllegalArgumentException ex) {
      throw new UserError(checkpoint + ": " + ex.getMessage());
    }
    print(console, f.name(), diag);
    write(
        dir,
        new DiagnoseFile(
            "diagnose", checkpoint.toString(), f.name(), d.dataset, d.batchSize, broken, diag));
    console.println("wrote " + dir.resolve(JSON_FILE));
    if (!noReport) {
      console.println("report: " + Report.render(dir));
    }
    return 0;
  }

  /** Name → count of NaN and infinite values of every F32 tensor in {@code file}. */
  static Map<String, Integer> nonFiniteTensors(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserError("checkpoint " + file + " does not exist");
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, StoredTensor> e : Checkpoint.read(file).tensors().entrySet()) {
        if (e.getValue().dtype() == DType.F32) {
          int n = BnDiagnosis.nonFinite(e.getValue().toTensor());
          if (n > 0) {
            out.put(e.getKey(), n);
          }
        }
      }
    } catch (SafeTensorsException e) {
      throw new UserError(e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  static void print(PrintStream o, String model, BnDiagnosis diag) {
    o.printf(
        Locale.ROOT,
        "%s: data statistics over %d training batches (%d images); train/eval gap on a fixed"
            + " batch of %d test images%n",
        model,
        diag.batches(),
        diag.images(),
        diag.fixedBatch());
    o.printf(
        Locale.ROOT,
        "%-28s %5s %11s %9s %8s %7s %10s%n",
        "layer",
        "C",
        "mean shift",
        "var err",
        "gap",
        "gamma~0",
        "non-finite");
    for (BnDiagnosis.LayerRow r : diag.layers()) {
      o.printf(
          Locale.ROOT,
          "%-28s %5d %10.4f%s %8.4f%s %7.4f%s %7d %10d%n",
          r.name(),
          r.channels(),
          r.meanShift(),
          r.meanShift() > BnDiagnosis.STALE ? "*" : " ",
          r.varRelError(),
          r.varRelError() > BnDiagnosis.STALE ? "*" : " ",
          r.trainEvalGap(),
          r.trainEvalGap() > BnDiagnosis.GAP ? "*" : " ",
          r.gammaNearZero(),
          r.nonFinite());
    }
    diag.skipped().forEach((n, why) -> o.printf(Locale.ROOT, "not examined: %s (%s)%n", n, why));
    BnDiagnosis.ModelGap g = diag.model();
    long stale = diag.layers().stream().filter(BnDiagnosis.LayerRow::stale).count();
    o.printf(
        Locale.ROOT,
        "whole model on the fixed batch: logits differ by %.1f%% (RMS) between training and eval"
            + " mode; %.1f%% of the predictions agree; accuracy %.1f%% in training mode, %.1f%%"
            + " in eval mode%n",
        100 * g.logitsRelRms(),
        100 * g.agreement(),
        100 * g.trainModeAccuracy(),
        100 * g.evalModeAccuracy());
    o.printf(
        Locale.ROOT,
        "%d of %d layer(s) have stale running statistics%s%n",
        stale,
        diag.layers().size(),
        stale > 0 ? "; 'bnlab recalibrate' recomputes them" : "");
  }

  private static void write(Path dir, DiagnoseFile file) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(JSON_FILE), JSON.writeValueAsString(file) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(JSON_FILE), e);
    }
  }
}
