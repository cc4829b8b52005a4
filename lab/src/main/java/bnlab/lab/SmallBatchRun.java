package bnlab.lab;

import bnlab.data.Batch;
import bnlab.data.DataLoader;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Module;
import bnlab.nn.NonFiniteException;
import bnlab.optim.SGD;
import bnlab.tensor.Tensor;

/**
 * One configuration of the small-batch study: a model trained with SGD on a fixed number of samples
 * in batches of one size (i.i.d. shuffled, or class-clustered so that each batch holds few
 * classes), then tested in eval mode (running statistics) and in train mode (each test batch of the
 * same size normalized with its own statistics).
 */
final class SmallBatchRun {
  /** Accuracies in [0, 1]; NaN when training diverged (non-finite loss). */
  record Result(double evalAccuracy, double trainModeAccuracy, long steps, double seconds) {}

  /** Seed of the fixed shuffled order of the train-mode test batches. */
  private static final long TEST_ORDER_SEED = 12345;

  private final Datasets.Pair data;
  private final int batchSize;
  private final int classesPerBatch;
  private final long seed;

  /** classesPerBatch 0 means i.i.d. batches. */
  SmallBatchRun(Datasets.Pair data, int batchSize, int classesPerBatch, long seed) {
    this.data = data;
    this.batchSize = batchSize;
    this.classesPerBatch = classesPerBatch;
    this.seed = seed;
  }

  Result run(Module model, double lr, double momentum, long samples) {
    long t0 = System.nanoTime();
    // drop_last: a last batch of one image would stop BatchNorm in training
    DataLoader train =
        Datasets.loader(data.train(), batchSize)
            .shuffle(seed)
            .classClustered(classesPerBatch)
            .dropLast(true);
    SGD sgd = new SGD(model.parameters(), lr, momentum);
    CrossEntropyLoss ce = new CrossEntropyLoss();
    long steps = samples / batchSize;
    long step = 0;
    model.train();
    for (int epoch = 0; step < steps; epoch++) {
      try (DataLoader.Epoch it = train.epoch(epoch)) {
        while (it.hasNext() && step < steps) {
          Batch b = it.next();
          step++;
          model.zeroGrad();
          try {
            ce.forward(model.forward(b.x()), b.labels());
          } catch (NonFiniteException diverged) {
            return new Result(Double.NaN, Double.NaN, step, seconds(t0));
          }
          model.backward(ce.backward());
          sgd.step();
        }
      }
    }
    double evalAcc = accuracy(model, false, Datasets.loader(data.test(), 100));
    DataLoader trainModeTest =
        Datasets.loader(data.test(), batchSize).shuffle(TEST_ORDER_SEED).dropLast(true);
    double trainModeAcc = accuracy(model, true, trainModeTest);
    return new Result(evalAcc, trainModeAcc, steps, seconds(t0));
  }

  /**
   * Test accuracy over {@code loader}'s batches; in train mode each batch is normalized with its
   * own statistics (running statistics change, which no longer matters: this is the configuration's
   * last use of the model).
   */
  private static double accuracy(Module model, boolean trainMode, DataLoader loader) {
    model.train(trainMode);
    long correct = 0;
    long count = 0;
    try (DataLoader.Epoch it = loader.epoch(0)) {
      while (it.hasNext()) {
        Batch b = it.next();
        Tensor logits = model.forward(b.x());
        for (int i = 0; i < b.size(); i++) {
          correct += argmax(logits, i) == b.labels()[i] ? 1 : 0;
        }
        count += b.size();
      }
    }
    return (double) correct / count;
  }

  // index of the largest logit of row i
  private static int argmax(Tensor logits, int i) {
    int k = logits.dim(1);
    float[] z = logits.data();
    int best = 0;
    for (int j = 1; j < k; j++) {
      if (z[i * k + j] > z[i * k + best]) {
        best = j;
      }
    }
    return best;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
