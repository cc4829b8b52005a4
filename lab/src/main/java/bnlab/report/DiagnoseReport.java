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
import java.util.Locale;
import org.knowm.xchart.XYChart;

/**
 * The report section of {@code bnlab diagnose} from diagnose.json: per BatchNorm layer, how stale
 * its running statistics are against the training data's under the current weights, the gap between
 * its training-mode and eval-mode outputs on a fixed batch, its channels with γ ≈ 0 and its
 * non-finite values; a plot of the first two against depth; and findings in plain words.
 */
final class DiagnoseReport {
  static final String FILE = "diagnose.json";

  /** Above this, running statistics count as stale and a gap as large (as BnDiagnosis). */
  static final double LIMIT = 0.1;

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private DiagnoseReport() {}

  /** Whether {@code dir} has a diagnosis. */
  static boolean present(Path dir) {
    return Files.isRegularFile(dir.resolve(FILE));
  }

  /** The section, or null when the folder has no diagnose.json. */
  static Section of(RunData data, Path plots) {
    Path f = data.dir().resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    JsonNode root;
    try {
      root = JSON.readTree(f.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
    }
    Section s = new Section("diagnose", "BatchNorm diagnosis");
    String model = root.path("model").asText("?");
    s.para(
        "bnlab diagnose "
            + root.path("checkpoint").asText()
            + " (model "
            + model
            + ", data set "
            + root.path("dataset").asText()
            + ").");
    JsonNode broken = root.path("non_finite_tensors");
    if (broken.size() > 0) {
      List<List<String>> rows = new ArrayList<>();
      broken.properties().forEach(e -> rows.add(List.of(e.getKey(), e.getValue().asText())));
      s.table(
          List.of("tensor", "NaN or infinite values"), rows, rows.stream().map(r -> true).toList());
      String text =
          "The file holds NaN or infinity in "
              + broken.size()
              + " tensor(s), so no model can be built from it: the training diverged before this"
              + " checkpoint was written. Take an earlier checkpoint.";
      return s.para(text).finding(text);
    }
    JsonNode d = root.path("diagnosis");
    s.para(
        String.format(
            Locale.ROOT,
            "The training data's statistics under the current weights are the average over %d"
                + " training batches (%d images) in training mode, what bnlab recalibrate would"
                + " write. Mean shift: how far running_mean is from the data's mean, in the"
                + " data's standard deviations (root mean square over channels). Var error:"
                + " ‖running_var − data variance‖ / ‖data variance‖. Gap: on one fixed batch of"
                + " %d test images, the difference between the layer's training-mode output"
                + " (batch statistics) and eval-mode output (running statistics) relative to the"
                + " normalized signal γ·x̂: 0 means both modes agree, 1 that the difference is as"
                + " large as the signal. Rows in red are above %.1f in any of the three.",
            d.path("batches").asInt(),
            d.path("images").asLong(),
            d.path("fixed_batch").asInt(),
            LIMIT));
    List<List<String>> rows = new ArrayList<>();
    List<Boolean> bad = new ArrayList<>();
    List<Double> shift = new ArrayList<>();
    List<Double> var = new ArrayList<>();
    List<Double> gap = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<String> nearZero = new ArrayList<>();
    int nonFinite = 0;
    for (JsonNode r : d.path("layers")) {
      double m = num(r, "mean_shift");
      double v = num(r, "var_rel_error");
      double g = num(r, "train_eval_gap");
      int z = r.path("gamma_near_zero").asInt();
      nonFinite += r.path("non_finite").asInt();
      names.add(r.path("name").asText());
      shift.add(m);
      var.add(v);
      gap.add(g);
      if (z > 0) {
        nearZero.add(r.path("name").asText() + " " + z + "/" + r.path("channels").asInt());
      }
      rows.add(
          List.of(
              r.path("name").asText(),
              r.path("channels").asText(),
              fmt(m),
              fmt(v),
              fmt(g),
              Integer.toString(z),
              r.path("non_finite").asText()));
      bad.add(m > LIMIT || v > LIMIT || g > LIMIT || r.path("non_finite").asInt() > 0);
    }
    s.table(
        List.of("layer", "C", "mean shift", "var error", "gap", "γ ≈ 0", "non-finite"), rows, bad);
    s.figure(plot(plots, model, shift, var, gap));
    JsonNode skipped = d.path("skipped");
    if (skipped.size() > 0) {
      List<String> parts = new ArrayList<>();
      skipped.properties().forEach(e -> parts.add(e.getKey() + " (" + e.getValue().asText() + ")"));
      s.para("Not examined: " + String.join("; ", parts) + ".");
    }
    findings(s, d, names, shift, var, gap, nearZero, nonFinite);
    return s;
  }

  private static void findings(
      Section s,
      JsonNode d,
      List<String> names,
      List<Double> shift,
      List<Double> var,
      List<Double> gap,
      List<String> nearZero,
      int nonFinite) {
    int stale = 0;
    int worst = -1;
    for (int i = 0; i < names.size(); i++) {
      double e = Math.max(shift.get(i), var.get(i));
      if (e > LIMIT) {
        stale++;
      }
      if (worst < 0 || e > Math.max(shift.get(worst), var.get(worst))) {
        worst = i;
      }
    }
    JsonNode m = d.path("model");
    String staleText =
        stale == 0
            ? String.format(
                Locale.ROOT,
                "All %d BatchNorm layers' running statistics match the training data under the"
                    + " current weights (every mean shift and variance error at most %.2f;"
                    + " largest in %s), so recalibrating would change little.",
                names.size(),
                LIMIT,
                worst < 0 ? "-" : names.get(worst))
            : String.format(
                Locale.ROOT,
                "%d of %d BatchNorm layers have stale running statistics (mean shift or variance"
                    + " error above %.2f); the worst is %s, whose running mean is off by %.2f"
                    + " standard deviations and whose running variance by %.0f %%. bnlab"
                    + " recalibrate recomputes them from the data.",
                stale,
                names.size(),
                LIMIT,
                names.get(worst),
                shift.get(worst),
                100 * var.get(worst));
    s.finding(staleText);
    s.finding(
        String.format(
            Locale.ROOT,
            "On the fixed batch, the whole model's logits differ by %.1f %% (root mean square)"
                + " between training mode and eval mode, and %.1f %% of its predictions agree"
                + " (accuracy on that batch: %.1f %% in training mode, %.1f %% in eval mode)."
                + " Per layer, the largest gap is %.2f.",
            100 * num(m, "logits_rel_rms"),
            100 * num(m, "agreement"),
            100 * num(m, "train_mode_accuracy"),
            100 * num(m, "eval_mode_accuracy"),
            gap.stream()
                .filter(Double::isFinite)
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(0)));
    if (!nearZero.isEmpty()) {
      s.finding(
          "Channels with γ near zero (|γ| < "
              + d.path("near_zero").asText()
              + ", their output is the constant β whatever the input): "
              + String.join(", ", nearZero)
              + ".");
    }
    if (nonFinite > 0) {
      s.finding(nonFinite + " non-finite values in the BatchNorm layers' parameters or buffers.");
    }
  }

  private static Charts.Plot plot(
      Path plots, String model, List<Double> shift, List<Double> var, List<Double> gap) {
    if (shift.isEmpty()) {
      return null;
    }
    XYChart c =
        Charts.chart(
            "BN statistics of " + model + " by layer", "BN layer (input side first)", "value");
    double[] x = new double[shift.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = i + 1;
    }
    Charts.points(c, "mean shift (data std)", x, finite(shift), Charts.colour(0));
    Charts.points(c, "var error (relative)", x, finite(var), Charts.colour(1));
    Charts.points(c, "train/eval gap", x, finite(gap), Charts.colour(2));
    return Charts.save(
        c,
        plots,
        "diagnose",
        "Each BatchNorm layer from the input (left) to the output (right): points near 0 mean the"
            + " running statistics fit the data and eval mode normalizes like training; points"
            + " above "
            + LIMIT
            + " mark stale statistics or a large train/eval gap.");
  }

  // NaN (a layer whose γ are all 0 has no gap) is drawn as 0: the layer's output is β either way
  private static double[] finite(List<Double> v) {
    return v.stream().mapToDouble(x -> Double.isFinite(x) ? x : 0).toArray();
  }

  private static double num(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isNumber() ? v.asDouble() : v.isTextual() ? parse(v.asText()) : Double.NaN;
  }

  private static double parse(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static String fmt(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "–";
  }
}
