package bnlab.experiment;

import bnlab.io.Checkpoint;
import bnlab.io.CheckpointException;
import bnlab.io.SafeTensorsException;
import bnlab.nn.Module;
import bnlab.optim.Optimizer;
import bnlab.train.ModelInfo;
import bnlab.train.TrainCheckpoint;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The trainer's part of a checkpoint (JSON in the safetensors metadata entry "trainer", see {@link
 * TrainCheckpoint}): where the run stands and the open windows and totals that make a resumed run
 * report what an uninterrupted one would. The one class that writes and parses it.
 *
 * <p>Parsing is strict ({@link TrainerStateJson}): every field must be present with its type and
 * range, so that a damaged or edited file is refused in one line naming the field, never resumed
 * from a default. A file that cannot be resumed at all (not safetensors, a model-only state dict,
 * another model's checkpoint, weights that do not fit) is a {@link UserError} whose message names
 * the file, the problem and the fix.
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

  /**
   * Reads the trainer state of {@code checkpoint}, a checkpoint of {@code model}, without loading
   * any tensor.
   *
   * @throws UserError if the file is not a training checkpoint of {@code model} or its state is
   *     damaged
   */
  static TrainerState read(Path checkpoint, String model) {
    Map<String, String> meta;
    try {
      meta = Checkpoint.read(checkpoint).metadata();
    } catch (SafeTensorsException e) {
      throw refused(checkpoint, "is not a readable checkpoint (" + firstLines(checkpoint, e) + ")");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read checkpoint " + checkpoint + ": " + e.getMessage(), e);
    }
    String saved = meta.get(ModelInfo.MODEL);
    if (saved != null && !saved.equals(model)) {
      throw refused(
          checkpoint, "holds a checkpoint of model '" + saved + "', not of '" + model + "'");
    }
    return parse(checkpoint, meta);
  }

  /**
   * Restores {@code model} and {@code optimizer} from {@code checkpoint} (all or nothing); returns
   * its state.
   *
   * @throws UserError if the file does not fit the model or optimizer; nothing is changed then
   */
  static TrainerState load(Path checkpoint, Module model, Optimizer optimizer) {
    TrainerState state;
    try {
      state = parse(checkpoint, Checkpoint.read(checkpoint).metadata());
      Checkpoint.load(model, optimizer, checkpoint);
    } catch (CheckpointException | SafeTensorsException e) {
      throw refused(checkpoint, "cannot be loaded: " + firstLines(checkpoint, e));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read checkpoint " + checkpoint + ": " + e.getMessage(), e);
    }
    return state;
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

  /** The state in {@code meta}, the metadata of {@code file}. */
  private static TrainerState parse(Path file, Map<String, String> meta) {
    String json = meta.get(TrainCheckpoint.TRAINER);
    if (json == null) {
      throw refused(
          file,
          "holds no trainer state (a model-only state dict, not a training checkpoint of bnlab)");
    }
    try {
      return parse(json);
    } catch (TrainerStateJson.Invalid e) {
      throw refused(file, "has a damaged trainer state: " + e.getMessage());
    }
  }

  /**
   * Parses the JSON of a trainer state; see {@link TrainerStateJson} for what is checked.
   *
   * @throws TrainerStateJson.Invalid naming the field and what is wrong with it
   */
  static TrainerState parse(String json) throws TrainerStateJson.Invalid {
    TrainerStateJson f = TrainerStateJson.of(json);
    return new TrainerState(
        f.integer("epoch", 1, Integer.MAX_VALUE),
        f.whole("step", 1, Long.MAX_VALUE),
        f.metricsWindow("metrics_window"),
        f.finiteNumbers("loss_window"),
        f.accuracy("test_accuracy"),
        f.nonNegative("wall_seconds"),
        f.finite("initial_loss"),
        f.nonNegative("train_seconds"),
        f.whole("images", 0, Long.MAX_VALUE),
        f.measurements("measurements"),
        config(f.optionalObject("config")));
  }

  private static RunConfig config(JsonNode node) throws TrainerStateJson.Invalid {
    if (node == null) {
      return null;
    }
    try {
      return Json.MAPPER.treeToValue(node, RunConfig.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new TrainerStateJson.Invalid(
          "'config' is not a run configuration (" + oneLine(m) + ")");
    }
  }

  private static UserError refused(Path file, String problem) {
    return new UserError(
        file
            + " "
            + problem
            + "; it cannot be resumed: delete it to train this run again from the start, or use"
            + " another --out");
  }

  /**
   * The first two lines of an exception's message as one line (the rest lists more of the same),
   * without the file name it starts with.
   */
  private static String firstLines(Path file, Exception e) {
    String m = String.valueOf(e.getMessage());
    for (String prefix : new String[] {file + ": ", file + " "}) {
      if (m.startsWith(prefix)) {
        m = m.substring(prefix.length());
        break;
      }
    }
    String[] lines = m.split("\n");
    String s = lines[0] + (lines.length > 1 ? " " + lines[1].trim() : "");
    return lines.length > 2 ? s + " ..." : s;
  }

  private static String oneLine(String s) {
    return String.valueOf(s).replace('\n', ' ').trim();
  }
}
