package bnlab.train;

import bnlab.io.Checkpoint;
import bnlab.nn.Module;
import bnlab.optim.Optimizer;
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
 * --resume} continues bit for bit. {@code bnlab.experiment}'s trainer state parses it back,
 * strictly.
 */
public final class TrainCheckpoint {
  /** The metadata entry that holds the trainer state (JSON). */
  public static final String TRAINER = "trainer";

  private static final ObjectMapper JSON = new ObjectMapper();

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
      meta.put(TRAINER, JSON.writeValueAsString(trainer));
      Checkpoint.save(model, optimizer, meta, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
    }
  }
}
