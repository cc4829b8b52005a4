package bnlab.experiment;

import bnlab.data.DataCache;
import bnlab.data.DataException;
import bnlab.data.DataFinder;
import bnlab.data.DataLoader;
import bnlab.data.DataSets;
import bnlab.data.Split;
import bnlab.data.Subsets;
import bnlab.data.ToTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds and opens the training and test sets named on the command line (through bnlab.data). */
public final class Datasets {
  /** The names {@code --dataset} accepts. */
  public static final List<String> NAMES = List.of("cifar10", "fashion-mnist");

  /** A training set and its test set as bytes; the loaders convert them with ToTensor. */
  public record Pair(bnlab.data.Dataset trainImages, bnlab.data.Dataset testImages, String source) {
    /** The training set. */
    public bnlab.data.Dataset train() {
      return trainImages;
    }

    /** The test set. */
    public bnlab.data.Dataset test() {
      return testImages;
    }
  }

  /** The (C, H, W) shape of one image of {@code d}, as the model zoo's builders take it. */
  public static int[] itemShape(bnlab.data.Dataset d) {
    return new int[] {d.channels(), d.height(), d.width()};
  }

  /**
   * A loader of {@code d} in batches of {@code batchSize} converting images with ToTensor (x / 255,
   * no normalization, as the article), prefetching two batches on a background thread.
   */
  public static DataLoader loader(bnlab.data.Dataset d, int batchSize) {
    return new DataLoader(d, batchSize).transforms(new ToTensor());
  }

  /** The seed of --subset's random choice of training images (fixed: same subset for all runs). */
  public static final long SUBSET_SEED = 0;

  private Datasets() {}

  // The readers refuse a training set of fewer than 2 classes; a subset drawn from it must not
  // bring that back: a 1-class training set trains to loss 0 and "100% accuracy".
  private static void requireTwoClasses(bnlab.data.Dataset train, int subset) {
    java.util.BitSet seen = new java.util.BitSet();
    for (int i = 0; i < train.size() && seen.cardinality() < 2; i++) {
      seen.set(train.label(i));
    }
    if (seen.cardinality() < 2) {
      throw new UserError(
          "--subset "
              + subset
              + " leaves "
              + seen.cardinality()
              + " of the "
              + train.classes().size()
              + " classes in the training set; a classifier needs at least 2 (with one it reaches"
              + " 100% accuracy by always answering it): use --subset 2 or more");
    }
  }

  /**
   * Opens {@code name} from {@code data} (or bnlab.data's search: BNLAB_DATA, the user cache,
   * ../shared/datasets, ...), keeping {@code subset} training images chosen at random with {@link
   * #SUBSET_SEED} when given.
   */
  public static Pair open(String name, Path data, Integer subset) {
    return open(name, data, subset, null);
  }

  /** As {@link #open(String, Path, Integer)}, also keeping {@code testSubset} test images. */
  public static Pair open(String name, Path data, Integer subset, Integer testSubset) {
    if (!NAMES.contains(name)) {
      throw new UserError(
          "unknown dataset '" + name + "'; known datasets: " + String.join(", ", NAMES));
    }
    if (subset != null && subset < 1) {
      throw new UserError("--subset must be at least 1, got " + subset);
    }
    if (testSubset != null && testSubset < 1) {
      throw new UserError("--test-subset must be at least 1, got " + testSubset);
    }
    if (data != null && !Files.exists(data)) {
      throw new UserError("--data " + data + " does not exist");
    }
    try {
      DataFinder.Found found = DataFinder.standard(data).find(name);
      DataCache cache = DataCache.userDefault();
      bnlab.data.Dataset train = DataSets.load(found, Split.TRAIN, cache);
      bnlab.data.Dataset test = DataSets.load(found, Split.TEST, cache);
      String source = found.path().toAbsolutePath().normalize().toString();
      if (subset != null && subset < train.size()) {
        // Image folders are sorted by class: the first N would be one class. A fixed seed keeps
        // the subset the same for every run and seed of an experiment.
        train = Subsets.random(train, subset, SUBSET_SEED);
        requireTwoClasses(train, subset);
      }
      if (testSubset != null && testSubset < test.size()) {
        test = Subsets.random(test, testSubset, SUBSET_SEED);
      }
      return new Pair(train, test, source);
    } catch (DataException | IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
  }
}
