package bnlab.lab;

import bnlab.data.Cifar10;
import bnlab.data.FashionMnist;
import bnlab.experiment.Datasets;
import bnlab.experiment.ModelZoo;
import bnlab.experiment.UserError;
import bnlab.io.Checkpoint;
import bnlab.io.CheckpointException;
import bnlab.io.SafeTensorsException;
import bnlab.io.SafeTensorsFile;
import bnlab.nn.Module;
import bnlab.train.ModelInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A model loaded from any file eval, export and predict accept: a training checkpoint (model,
 * optimizer and trainer state), a model-only state dict written by {@code Checkpoint.save}, or a
 * PyTorch state dict saved with {@code safetensors.torch.save_file} (also without {@code
 * num_batches_tracked}). The model is named by {@code --model}, else the file's metadata, else the
 * file name without extension and {@code -seed<N>}; its input shape and class names come from the
 * metadata, else from the data set named by {@code --dataset}. The file is read and checked before
 * anything else is done, and the model is returned in eval mode.
 *
 * @param file the file
 * @param name the model's zoo name
 * @param nameSource where the name came from ("--model", "metadata", "file name")
 * @param itemShape (C, H, W) of one input
 * @param classes class names in label order
 * @param classesFromFile whether the class names are the file's (else the data set's)
 * @param metadata the file's metadata
 * @param model the model with the file's weights, in eval mode
 */
record ModelFile(
    Path file,
    String name,
    String nameSource,
    int[] itemShape,
    List<String> classes,
    boolean classesFromFile,
    Map<String, String> metadata,
    Module model) {

  /** Reads {@code file}; {@code modelOption} and {@code dataset} are --model and --dataset. */
  static ModelFile load(Path file, String modelOption, String dataset) {
    if (!Files.isRegularFile(file)) {
      throw new UserError("checkpoint " + file + " does not exist");
    }
    SafeTensorsFile contents;
    ModelInfo info;
    try {
      contents = Checkpoint.read(file);
      info = ModelInfo.read(contents.metadata());
    } catch (SafeTensorsException e) {
      throw new UserError(e.getMessage()); // names the file
    } catch (IllegalArgumentException e) {
      throw new UserError(file + ": " + e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    String source =
        modelOption != null ? "--model" : info.model() != null ? "metadata" : "file name";
    String name =
        modelOption != null ? modelOption : info.model() != null ? info.model() : stem(file);
    if (!ModelZoo.names().contains(name)) {
      throw new UserError(
          source.equals("file name")
              ? "cannot tell which model "
                  + file
                  + " holds (no 'model' in its metadata, and '"
                  + name
                  + "' is no model name); pass --model NAME, one of: "
                  + String.join(", ", ModelZoo.names())
              : "unknown model '"
                  + name
                  + "' (from "
                  + source
                  + "); known models: "
                  + String.join(", ", ModelZoo.names()));
    }
    Defaults d = defaults(dataset);
    int[] shape = info.inputShape() != null ? info.inputShape() : d.itemShape;
    List<String> classes = info.classes() != null ? info.classes() : d.classes;
    Module model = build(name, shape, classes.size());
    try {
      Checkpoint.load(model, file);
    } catch (CheckpointException e) {
      throw new UserError(
          e.getMessage().replaceFirst("\n[^\n]*$", "")
              + " (is it a "
              + name
              + " for "
              + Arrays.toString(shape)
              + " inputs and "
              + classes.size()
              + " classes? --model and --dataset choose another)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    model.eval();
    return new ModelFile(
        file, name, source, shape, classes, info.classes() != null, contents.metadata(), model);
  }

  private static Module build(String name, int[] shape, int classes) {
    if (shape.length != 3) {
      throw new UserError(
          "the zoo's models take (C, H, W) images; the file's input shape is "
              + Arrays.toString(shape));
    }
    try {
      return ModelZoo.get(name).factory().build(shape, classes, 0);
    } catch (IllegalArgumentException e) {
      throw new UserError(
          name + " cannot be built for " + Arrays.toString(shape) + ": " + e.getMessage());
    }
  }

  /**
   * The file name without extension and a trailing "-seed<N>": net-bn-seed44.safetensors → net-bn.
   */
  static String stem(Path file) {
    String s = file.getFileName().toString();
    int dot = s.lastIndexOf('.');
    return (dot > 0 ? s.substring(0, dot) : s).replaceFirst("-seed\\d+$", "");
  }

  private record Defaults(int[] itemShape, List<String> classes) {}

  // Shapes and names of the data sets --dataset knows, so the file can be checked before loading.
  private static Defaults defaults(String dataset) {
    return switch (dataset) {
      case "cifar10" -> new Defaults(new int[] {3, 32, 32}, Cifar10.CLASSES);
      case "fashion-mnist" -> new Defaults(new int[] {1, 28, 28}, FashionMnist.CLASSES);
      default ->
          throw new UserError(
              "unknown dataset '"
                  + dataset
                  + "'; known datasets: "
                  + String.join(", ", Datasets.NAMES));
    };
  }

  @Override
  public int[] itemShape() {
    return itemShape.clone();
  }
}
