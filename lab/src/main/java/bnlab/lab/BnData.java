package bnlab.lab;

import bnlab.data.Batch;
import bnlab.data.DataLoader;
import bnlab.data.Dataset;
import bnlab.experiment.Datasets;
import bnlab.experiment.UserError;
import bnlab.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * The data options of recalibrate and diagnose, and the data they read: training batches in a fixed
 * shuffled order (full batches only, since BatchNorm needs two values per channel), the test set,
 * and checks that a model file fits the data set.
 */
final class BnData {
  /** Seed of the shuffled order of the statistics batches and of the fixed test batch. */
  static final long ORDER_SEED = 2021;

  @Option(
      names = "--batches",
      description = "Training batches averaged (default: ${DEFAULT-VALUE}).",
      defaultValue = "200")
  int batches;

  @Option(
      names = "--batch-size",
      description = "Images per batch (default: ${DEFAULT-VALUE}).",
      defaultValue = "128")
  int batchSize;

  @Option(
      names = "--model",
      description = "Model name (default: from the metadata or the file name).")
  String model;

  @Option(
      names = "--dataset",
      description = "cifar10 or fashion-mnist (default: ${DEFAULT-VALUE}).",
      defaultValue = "cifar10")
  String dataset;

  @Option(names = "--data", description = "Folder or archive with the data set.")
  Path data;

  @Option(
      names = "--subset",
      description = "Use N training images chosen at random (the training runs' --subset).")
  Integer subset;

  @Option(names = "--test-subset", description = "Test on N test images chosen at random.")
  Integer testSubset;

  /** The opened data set, checked against {@code f}. */
  Datasets.Pair open(ModelFile f) {
    if (batches < 1) {
      throw new UserError("--batches must be at least 1, got " + batches);
    }
    if (batchSize < 2) {
      throw new UserError("--batch-size must be at least 2 (BatchNorm needs two values)");
    }
    Datasets.Pair pair = Datasets.open(dataset, data, subset, testSubset);
    Dataset test = pair.test();
    int[] shape = Datasets.itemShape(test);
    if (!Arrays.equals(shape, f.itemShape()) || test.classes().size() != f.classes().size()) {
      throw new UserError(
          f.file()
              + " holds a model for "
              + Arrays.toString(f.itemShape())
              + " inputs and "
              + f.classes().size()
              + " classes, but "
              + dataset
              + " has "
              + Arrays.toString(shape)
              + " images in "
              + test.classes().size()
              + " classes; choose the matching --dataset");
    }
    if (pair.train().size() < batchSize) {
      throw new UserError(
          "--batch-size " + batchSize + " is larger than the " + pair.train().size() + " images");
    }
    return pair;
  }

  /** Training batches in a fixed shuffled order, full ones only. */
  DataLoader trainBatches(Datasets.Pair pair) {
    return Datasets.loader(pair.train(), batchSize).shuffle(ORDER_SEED).dropLast(true);
  }

  /** The test loader of eval-mode accuracy. */
  static DataLoader testLoader(Datasets.Pair pair) {
    return Datasets.loader(pair.test(), 250);
  }

  /** A fixed batch of test images (the first of a fixed shuffled order), copied. */
  record Fixed(Tensor x, int[] labels) {}

  Fixed fixedBatch(Datasets.Pair pair) {
    int n = Math.min(batchSize, pair.test().size());
    DataLoader l = Datasets.loader(pair.test(), n).shuffle(ORDER_SEED).dropLast(true).prefetch(0);
    try (DataLoader.Epoch it = l.epoch(0)) {
      Batch b = it.next();
      return new Fixed(b.x().copy(), b.labels().clone());
    }
  }
}
