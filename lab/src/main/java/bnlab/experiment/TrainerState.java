package bnlab.experiment;

import bnlab.nn.Module;
import bnlab.optim.Optimizer;
import bnlab.train.ModelInfo;
import bnlab.train.TrainCheckpoint;
import java.nio.file.Path;
import java.util.Map;

/**
 * The trainer's part of a checkpoint (JSON in the safetensors metadata entry "trainer", see {@link
 * TrainCheckpoint}): where the run stands and the open windows and totals that make a resumed run
 * report what an uninterrupted one would. The one class that writes and parses it.
 *
 * @param epoch the last finished epoch
 * @param step mini-batches trained
 * @param metricsWindow metrics.csv's open window {sum, count}
 * @param lossWindow the last (up to 500) mini-batch losses, oldest first
 * @param testAccuracy eval-mode test accuracy after {@code epoch}, null if not finite
 * @param wallSeconds wall time of the run so far
 * @param initialLoss the first mini-batch's loss (the divergence guard's reference)
 * @param trainSeconds training time so far
 * @param images training images so far
 * @param measurements what the run's hooks measured (absent in checkpoints of older versions)
 * @param config the run's configuration (absent in checkpoints of older versions)
 */
record TrainerState(
    int epoch,
    long step,
    double[] metricsWindow,
    double[] lossWindow,
    Double testAccuracy,
    double wallSeconds,
    double initialLoss,
    double trainSeconds,
    long images,
    Map<String, Double> measurements,
    RunConfig config) {

  /** Reads the trainer state of {@code checkpoint} without loading any tensor. */
  static TrainerState read(Path checkpoint) {
    return parse(TrainCheckpoint.readTrainerState(checkpoint));
  }

  /** Restores {@code model} and {@code optimizer} from {@code checkpoint}; returns its state. */
  static TrainerState load(Path checkpoint, Module model, Optimizer optimizer) {
    return parse(TrainCheckpoint.load(checkpoint, model, optimizer));
  }

  /**
   * Saves {@code model}, {@code optimizer} and this state to {@code checkpoint} atomically, with
   * {@code info} (model name, input shape, class names) for eval, export and predict.
   */
  void save(Path checkpoint, Module model, Optimizer optimizer, ModelInfo info) {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = Json.MAPPER.convertValue(this, Map.class);
    TrainCheckpoint.save(checkpoint, model, optimizer, map, info);
  }

  private static TrainerState parse(Map<String, Object> map) {
    TrainerState s = Json.MAPPER.convertValue(map, TrainerState.class);
    return s.measurements == null
        ? new TrainerState(
            s.epoch,
            s.step,
            s.metricsWindow,
            s.lossWindow,
            s.testAccuracy,
            s.wallSeconds,
            s.initialLoss,
            s.trainSeconds,
            s.images,
            Map.of(),
            s.config)
        : s;
  }
}
