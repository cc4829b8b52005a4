package bnlab.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 60,000 training and 10,000 test grey images of
 * 28x28 in 10 classes, as four IDX files, plain or {@code .gz}. Debian's {@code
 * dataset-fashion-mnist} package installs them under {@code /usr/share/datasets/fashion-mnist/}.
 * MNIST uses the same file names and can be read with {@link Idx#read}.
 */
public final class FashionMnist {
  /** Where {@code apt-get install -y dataset-fashion-mnist} puts the files. */
  public static final Path SYSTEM_FOLDER = Path.of("/usr/share/datasets/fashion-mnist");

  /** Class names in label order. */
  public static final List<String> CLASSES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /** MNIST's class names, the digits 0 to 9. */
  public static final List<String> DIGITS =
      List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

  private FashionMnist() {}

  /** Reads a split from a folder holding the IDX files (the {@code .gz} ones are preferred). */
  public static ImageSet read(Path folder, Split split) {
    return readIdxFolder(folder, split, CLASSES);
  }

  /**
   * Reads a split of any data set in MNIST's file layout ({@code train-images-idx3-ubyte[.gz]},
   * {@code t10k-labels-idx1-ubyte[.gz]}, ...) with the given class names.
   */
  public static ImageSet readIdxFolder(Path folder, Split split, List<String> classes) {
    if (!Files.isDirectory(folder)) {
      throw new DataException(folder, "no such folder of IDX files");
    }
    String prefix = split == Split.TRAIN ? "train" : "t10k";
    Path images = pick(folder, prefix + "-images-idx3-ubyte");
    Path labels = pick(folder, prefix + "-labels-idx1-ubyte");
    return Idx.read(images, labels, classes);
  }

  /** Whether {@code folder} holds both files of the training split. */
  static boolean isIn(Path folder) {
    return exists(folder, "train-images-idx3-ubyte") && exists(folder, "train-labels-idx1-ubyte");
  }

  private static boolean exists(Path folder, String base) {
    return Files.isRegularFile(folder.resolve(base + ".gz"))
        || Files.isRegularFile(folder.resolve(base));
  }

  private static Path pick(Path folder, String base) {
    Path gz = folder.resolve(base + ".gz");
    return Files.exists(gz) ? gz : folder.resolve(base);
  }
}
