package bnlab.report;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a report is made of, read from the files of one run folder (see the run-folder
 * contract); every part is optional and {@code null} when its file is absent ({@code zoo} is empty
 * then).
 */
record RunData(
    Path dir,
    JsonNode config,
    List<RunSummary> summary,
    Csv metrics,
    Csv epochs,
    Csv sweep,
    Csv smallBatch,
    Csv activations,
    Csv gradients,
    Csv landscape,
    Map<String, ModelInfo> zoo) {

  /**
   * What the run records say about a model: its normalization kind and its baseline (the same
   * network without normalization; null when the model is one). Runs written before these were
   * recorded have no entry.
   */
  record ModelInfo(String norm, String baseline) {}

  /** One entry of summary.json's "runs". Missing numbers are NaN. */
  record RunSummary(
      String model,
      String norm,
      long seed,
      int epochs,
      double finalTrainLoss,
      double testAccuracy,
      double wallSeconds,
      double imagesPerSecond,
      String status,
      String message) {
    boolean ok() {
      return status.equals("ok");
    }
  }

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .build();

  static RunData load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + " is not a directory; give the run folder");
    }
    JsonNode config = json(dir.resolve("config.json"));
    JsonNode summary = json(dir.resolve("summary.json"));
    RunData data =
        new RunData(
            dir,
            config,
            summary(dir.resolve("summary.json"), summary),
            csv(dir.resolve("metrics.csv"), "model", "seed", "epoch", "step", "train_loss"),
            csv(dir.resolve("epochs.csv"), "model", "seed", "epoch", "train_loss", "test_accuracy"),
            csv(
                dir.resolve("sweep.csv"),
                "model",
                "norm",
                "lr",
                "batch_size",
                "seed",
                "test_accuracy",
                "diverged"),
            csv(
                dir.resolve("smallbatch.csv"),
                "model",
                "norm",
                "batch_size",
                "seed",
                "test_accuracy_eval",
                "test_accuracy_train_mode"),
            csv(
                dir.resolve("probes/activations.csv"),
                "model",
                "seed",
                "step",
                "layer",
                "p15",
                "p50",
                "p85"),
            csv(dir.resolve("probes/gradients.csv"), "model", "seed", "step", "layer", "grad_norm"),
            csv(
                dir.resolve("probes/landscape.csv"),
                "model",
                "seed",
                "step",
                "eta",
                "loss",
                "grad_diff_norm",
                "step_norm"),
            zoo(config, summary));
    if (data.isEmpty() && !DiagnoseReport.present(dir)) {
      throw new IllegalArgumentException(
          dir
              + " holds no run files (config.json, summary.json, metrics.csv, epochs.csv,"
              + " sweep.csv, smallbatch.csv, diagnose.json or probes/*.csv); is it a bnlab run"
              + " folder?");
    }
    return data;
  }

  /** The malformed CSV rows the report leaves out, each naming its file and line. */
  List<String> skipped() {
    List<String> out = new ArrayList<>();
    for (Csv c :
        new Csv[] {metrics, epochs, sweep, smallBatch, activations, gradients, landscape}) {
      if (c != null) {
        out.addAll(c.skipped());
      }
    }
    return out;
  }

  private boolean isEmpty() {
    return config == null
        && summary == null
        && metrics == null
        && epochs == null
        && sweep == null
        && smallBatch == null
        && activations == null
        && gradients == null
        && landscape == null;
  }

  /** The "as_published" flag of config.json, false when absent. */
  boolean asPublished() {
    return config != null && config.path("as_published").asBoolean(false);
  }

  private static Csv csv(Path file, String... required) {
    return Files.isRegularFile(file) ? Csv.read(file, List.of(required)) : null;
  }

  private static JsonNode json(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException(
          file + " is not valid JSON (" + e.getOriginalMessage() + "); re-run or fix the file", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Norm and baseline per model from config.json's {@code zoo} and summary.json's runs (which win);
   * models of older runs, which recorded neither, are absent.
   */
  private static Map<String, ModelInfo> zoo(JsonNode config, JsonNode summary) {
    Map<String, ModelInfo> out = new LinkedHashMap<>();
    if (config != null && config.path("zoo").isObject()) {
      config.path("zoo").fields().forEachRemaining(e -> out.put(e.getKey(), info(e.getValue())));
    }
    if (summary != null && summary.path("runs").isArray()) {
      for (JsonNode r : summary.path("runs")) {
        if (r.hasNonNull("model") && r.has("baseline")) {
          out.put(r.get("model").asText(), info(r));
        }
      }
    }
    return out;
  }

  private static ModelInfo info(JsonNode n) {
    JsonNode b = n.path("baseline");
    return new ModelInfo(n.path("norm").asText("?"), b.isTextual() ? b.asText() : null);
  }

  private static List<RunSummary> summary(Path file, JsonNode root) {
    if (root == null) {
      return null;
    }
    JsonNode runs = root.get("runs");
    if (runs == null || !runs.isArray()) {
      throw new IllegalArgumentException(file + " has no \"runs\" array");
    }
    List<RunSummary> out = new ArrayList<>();
    for (JsonNode r : runs) {
      if (!r.hasNonNull("model")) {
        throw new IllegalArgumentException(file + ": a run without \"model\": " + r);
      }
      out.add(
          new RunSummary(
              r.get("model").asText(),
              r.path("norm").asText("?"),
              r.path("seed").asLong(0),
              r.path("epochs").asInt(0),
              num(r, "final_train_loss"),
              num(r, "test_accuracy"),
              num(r, "wall_seconds"),
              num(r, "train_images_per_second"),
              r.path("status").asText("ok"),
              r.path("message").isNull() ? "" : r.path("message").asText("")));
    }
    return out;
  }

  private static double num(JsonNode r, String key) {
    JsonNode v = r.get(key);
    if (v == null || v.isNull()) {
      return Double.NaN;
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    String t = v.asText();
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
