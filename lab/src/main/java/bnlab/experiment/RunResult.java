package bnlab.experiment;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one run gives: its entry in summary.json.
 *
 * @param model the zoo name
 * @param norm the zoo's normalization kind ({@code none}, {@code batch}, ...)
 * @param baseline the zoo's baseline of the model (the same network without normalization), null if
 *     the model is one
 * @param seed the seed
 * @param epochs epochs finished (the last one possibly cut short by a sample budget)
 * @param steps mini-batches trained
 * @param finalTrainLoss mean loss of the last 500 mini-batches; NaN if the run diverged
 * @param testAccuracy eval-mode test accuracy after the last finished epoch, in [0, 1]; NaN before
 *     the first
 * @param wallSeconds wall time over all sessions of the run
 * @param trainImagesPerSecond training images per second of training time
 * @param status {@code ok}, {@code diverged} or {@code interrupted}
 * @param message why the run stopped, or null
 * @param measurements what the run's hooks measured, e.g. {@code test_accuracy_train_mode}
 */
public record RunResult(
    String model,
    String norm,
    String baseline,
    long seed,
    int epochs,
    long steps,
    double finalTrainLoss,
    double testAccuracy,
    double wallSeconds,
    double trainImagesPerSecond,
    String status,
    String message,
    Map<String, Double> measurements)
    implements Serializable {
  /** Copies the measurements. */
  public RunResult {
    measurements = Map.copyOf(measurements);
  }

  /** Whether the run finished normally. */
  public boolean ok() {
    return status.equals("ok");
  }

  /** A measurement, NaN if the run has none of that name. */
  public double measurement(String name) {
    Double v = measurements.get(name);
    return v == null ? Double.NaN : v;
  }

  /**
   * The summary.json object, with the contract's snake_case keys; NaN becomes null. Measurements,
   * if any, go into a {@code measurements} object.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model);
    m.put("norm", norm);
    m.put("baseline", baseline);
    m.put("seed", seed);
    m.put("epochs", epochs);
    m.put("final_train_loss", finite(finalTrainLoss));
    m.put("test_accuracy", finite(testAccuracy));
    m.put("wall_seconds", finite(wallSeconds));
    m.put("train_images_per_second", finite(trainImagesPerSecond));
    m.put("status", status);
    m.put("message", message);
    if (!measurements.isEmpty()) {
      Map<String, Object> ms = new LinkedHashMap<>();
      new java.util.TreeMap<>(measurements).forEach((k, v) -> ms.put(k, finite(v)));
      m.put("measurements", ms);
    }
    return m;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
