package bnlab.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One call to find and load a data set split: {@code DataSets.load("cifar10", Split.TRAIN, path)}.
 * Uses {@link DataFinder} for the search order and a {@link DataCache} for sources that are slow to
 * decode (image folders and archives); the official binary folder and IDX files are read directly.
 */
public final class DataSets {
  private DataSets() {}

  /** Loads {@code name} with the standard search and the per-user cache. */
  public static ImageSet load(String name, Split split, Path explicit) {
    return load(name, split, DataFinder.standard(explicit), DataCache.userDefault());
  }

  /** Loads {@code name} found by {@code finder}, caching decoded images in {@code cache}. */
  public static ImageSet load(String name, Split split, DataFinder finder, DataCache cache) {
    return load(finder.find(name), split, cache);
  }

  /**
   * Loads a split of an already located data set. Both splits are numbered with one class list (the
   * training split's), and a training split holding images of fewer than 2 classes is refused.
   */
  public static ImageSet load(DataFinder.Found found, Split split, DataCache cache) {
    ImageSet set = read(found, split, cache);
    if (split == Split.TRAIN) {
      requireTwoClasses(found.path(), set);
    }
    return set;
  }

  private static ImageSet read(DataFinder.Found found, Split split, DataCache cache) {
    Path p = found.path();
    String variant = split.folder();
    return switch (found.format()) {
      case CIFAR_BINARY -> Cifar10.readFolder(p, split);
      case CIFAR_BINARY_TAR_GZ -> cache.load(p, variant, () -> Cifar10.readTarGz(p, split));
      case IMAGE_FOLDER -> cache.load(p, variant, () -> ImageFolder.read(p, split));
      case IMAGE_FOLDER_TAR_GZ ->
          cache.load(p, variant, () -> ImageFolder.readTarGz(p, split, null));
      case IDX ->
          found.dataset().equals("mnist")
              ? FashionMnist.readIdxFolder(p, split, FashionMnist.DIGITS)
              : FashionMnist.read(p, split);
    };
  }

  /**
   * With one class every prediction is right: training reports 100% accuracy and learns nothing.
   */
  static void requireTwoClasses(Path source, ImageSet train) {
    int[] counts = train.classCounts();
    List<String> present = new ArrayList<>();
    for (int k = 0; k < counts.length; k++) {
      if (counts[k] > 0) {
        present.add(train.classes().get(k) + ": " + counts[k] + " images");
      }
    }
    if (present.size() < 2) {
      throw new DataException(
          source,
          "the training split holds images of "
              + present.size()
              + " class"
              + (present.isEmpty() ? "es" : " (" + present.get(0) + ")")
              + "; a classifier needs at least 2");
    }
  }

  /** Normalises user spellings: cifar10, cifar-10 → cifar10; fashion-mnist, fashionmnist, ... */
  public static String canonicalName(String name) {
    String n = name.toLowerCase(Locale.ROOT).replace("_", "-");
    return switch (n) {
      case "cifar10", "cifar-10" -> "cifar10";
      case "fashion-mnist", "fashionmnist", "fmnist" -> "fashion-mnist";
      case "mnist" -> "mnist";
      case "folder", "imagefolder", "image-folder" -> "folder";
      default ->
          throw new IllegalArgumentException(
              "unknown data set '" + name + "': use cifar10, fashion-mnist, mnist or folder");
    };
  }
}
