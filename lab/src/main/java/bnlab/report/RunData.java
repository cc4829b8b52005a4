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
import java.util.List;

/**
 * Everything a report is made of, read from the files of one run folder (see the run-folder
 * contract); every part is optional and {@code null} when its file is absent.
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
    Csv landscape) {

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
    RunData data =
        new RunData(
            dir,
            json(dir.resolve("config.json")),
            summary(dir.resolve("summary.json")),
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
                "step_norm"));
    if (data.isEmpty()) {
      throw new IllegalArgumentException(
          dir
              + " holds no run files (config.json, summary.json, metrics.csv, epochs.csv,"
              + " sweep.csv, smallbatch.csv or probes/*.csv); is it a bnlab run folder?");
    }
    return data;
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

  private static List<RunSummary> summary(Path file) {
    JsonNode root = json(file);
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
