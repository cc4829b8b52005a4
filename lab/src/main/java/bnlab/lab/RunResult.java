package bnlab.lab;

import java.util.LinkedHashMap;
import java.util.Map;

/** One run's entry in summary.json. */
public record RunResult(
    String model,
    String norm,
    long seed,
    int epochs,
    double finalTrainLoss,
    double testAccuracy,
    double wallSeconds,
    double trainImagesPerSecond,
    String status,
    String message) {

  /** The summary.json object, with the contract's snake_case keys; NaN becomes null. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model);
    m.put("norm", norm);
    m.put("seed", seed);
    m.put("epochs", epochs);
    m.put("final_train_loss", finite(finalTrainLoss));
    m.put("test_accuracy", finite(testAccuracy));
    m.put("wall_seconds", finite(wallSeconds));
    m.put("train_images_per_second", finite(trainImagesPerSecond));
    m.put("status", status);
    m.put("message", message);
    return m;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
