package bnlab.train;

import bnlab.io.Checkpoint;
import bnlab.nn.Module;
import bnlab.optim.Optimizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trainer's checkpoint: {@link bnlab.io.Checkpoint}'s safetensors file (model state dict and
 * optimizer state, written atomically, loaded all-or-nothing) plus the trainer's own state (epoch,
 * step, open loss windows, totals) as JSON in the metadata entry "trainer", so that {@code
 * --resume} continues bit for bit.
 */
public final class TrainCheckpoint {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "trainer";

  private TrainCheckpoint() {}

  /** Saves model, optimizer and trainer state to {@code file}. */
  public static void save(
      Path file, Module model, Optimizer optimizer, Map<String, Object> trainer) {
    save(file, model, optimizer, trainer, new ModelInfo(null, null, null));
  }

  /**
   * Saves model, optimizer and trainer state to {@code file}, with {@code info} (model name, input
   * shape, class names) in the metadata so that eval, export and predict need no more than the
   * file.
   */
  public static void save(
      Path file, Module model, Optimizer optimizer, Map<String, Object> trainer, ModelInfo info) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Map<String, String> meta = new LinkedHashMap<>(info.metadata());
      meta.put(KEY, JSON.writeValueAsString(trainer));
      Checkpoint.save(model, optimizer, meta, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Restores model and (when non-null) optimizer from {@code file}; returns the trainer state. A
   * file that does not match is refused with an {@link IllegalArgumentException} naming the
   * mismatch, and nothing is changed.
   */
  public static Map<String, Object> load(Path file, Module model, Optimizer optimizer) {
    try {
      return parse(file, Checkpoint.load(model, optimizer, file));
    } catch (bnlab.io.CheckpointException | bnlab.io.SafeTensorsException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads only the trainer state of {@code file}. */
  public static Map<String, Object> readTrainerState(Path file) {
    try {
      return parse(file, Checkpoint.read(file).metadata());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(Path file, Map<String, String> metadata)
      throws JsonProcessingException {
    String json = metadata.get(KEY);
    if (json == null) {
      throw new IllegalArgumentException(
          file + " is not a bnlab training checkpoint (no trainer state); it cannot be resumed");
    }
    return JSON.readValue(json, Map.class);
  }
}
