package bnlab.lab;

import bnlab.train.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds and opens the training and test sets named on the command line. */
public final class Datasets {
  /** The names {@code --dataset} accepts. */
  public static final List<String> NAMES = List.of("cifar10", "fashion-mnist");

  /** A training set and its test set. */
  public record Pair(Dataset train, Dataset test, String source) {}

  private Datasets() {}

  /** Opens {@code name} from {@code data} (or the known locations), keeping {@code subset}. */
  public static Pair open(String name, Path data, Integer subset) {
    if (!NAMES.contains(name)) {
      throw new UserError(
          "unknown dataset '" + name + "'; known datasets: " + String.join(", ", NAMES));
    }
    if (subset != null && subset < 1) {
      throw new UserError("--subset must be at least 1, got " + subset);
    }
    Pair p = openFull(name, data);
    if (subset == null || subset >= p.train().size()) {
      return p;
    }
    return new Pair(new Subset(p.train(), subset), p.test(), p.source());
  }

  private static Pair openFull(String name, Path data) {
    if (name.equals("cifar10")) {
      Path dir = findCifarBinary(data);
      if (dir != null) {
        try {
          return new Pair(
              CifarBinary.train(dir), CifarBinary.test(dir), dir.toAbsolutePath().toString());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    throw new UserError(
        "cannot find the "
            + name
            + " data"
            + (data == null ? "" : " in " + data)
            + "; pass --data <folder with the CIFAR-10 binary files data_batch_1.bin ..."
            + " test_batch.bin>");
  }

  private static Path findCifarBinary(Path data) {
    if (data == null) {
      return null;
    }
    if (!Files.exists(data)) {
      throw new UserError("--data " + data + " does not exist");
    }
    for (Path c : List.of(data, data.resolve("cifar-10-batches-bin"))) {
      if (Files.isRegularFile(c.resolve("data_batch_1.bin"))) {
        return c;
      }
    }
    return null;
  }

  /** The first {@code n} examples of a data set (CIFAR-10's files are already in random order). */
  private record Subset(Dataset base, int n) implements Dataset {
    @Override
    public int size() {
      return n;
    }

    @Override
    public int[] itemShape() {
      return base.itemShape();
    }

    @Override
    public int numClasses() {
      return base.numClasses();
    }

    @Override
    public void copyItem(int index, float[] dst, int offset) {
      base.copyItem(index, dst, offset);
    }

    @Override
    public int label(int index) {
      return base.label(index);
    }
  }
}
