package bnlab.lab;

import bnlab.data.BatchOrder;
import bnlab.nn.Module;
import bnlab.optim.SGD;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import bnlab.train.CrossEntropy;
import bnlab.train.Dataset;

/**
 * One configuration of the small-batch study: a model trained with SGD on a fixed number of samples
 * in batches of one size (i.i.d. shuffled, or class-clustered so that each batch holds few
 * classes), then tested in eval mode (running statistics) and in train mode (each test batch of the
 * same size normalized with its own statistics).
 */
final class SmallBatchRun {
  /** Accuracies in [0, 1]; NaN when training diverged (non-finite loss). */
  record Result(double evalAccuracy, double trainModeAccuracy, long steps, double seconds) {}

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
    Dataset train = data.train();
    int[] item = train.itemShape();
    int itemSize = train.itemShape()[0] * item[1] * item[2];
    Tensor x = Tensor.zeros(batchSize, item[0], item[1], item[2]);
    int[] labels = new int[batchSize];
    SGD sgd = new SGD(model.parameters(), lr, momentum);
    CrossEntropy ce = new CrossEntropy();
    long steps = samples / batchSize;
    int perEpoch = train.size() / batchSize; // drop_last: no batch of 1 for BatchNorm
    int[] order = null;
    model.train();
    for (long step = 0; step < steps; step++) {
      int b = (int) (step % perEpoch);
      if (b == 0) {
        order = order((int) (step / perEpoch) + 1, train.size());
      }
      fill(train, order, b * batchSize, x, labels, itemSize);
      model.zeroGrad();
      float loss = ce.forward(model.forward(x), labels, batchSize);
      if (!Float.isFinite(loss)) {
        return new Result(Double.NaN, Double.NaN, step + 1, seconds(t0));
      }
      model.backward(ce.backward());
      sgd.step();
    }
    double evalAcc = accuracy(model, false, 100);
    double trainModeAcc = accuracy(model, true, batchSize);
    return new Result(evalAcc, trainModeAcc, steps, seconds(t0));
  }

  private int[] order(int epoch, int n) {
    if (classesPerBatch > 0) {
      return BatchOrder.classClustered(data.trainImages(), batchSize, classesPerBatch, seed, epoch);
    }
    int[] o = new int[n];
    for (int i = 0; i < n; i++) {
      o[i] = i;
    }
    new Rng(seed * 0x9E3779B97F4A7C15L + epoch).shuffle(o);
    return o;
  }

  private static void fill(
      Dataset ds, int[] order, int from, Tensor x, int[] labels, int itemSize) {
    for (int i = 0; i < labels.length; i++) {
      ds.copyItem(order[from + i], x.data(), i * itemSize);
      labels[i] = ds.label(order[from + i]);
    }
  }

  /**
   * Test accuracy over full batches of {@code size} in a fixed shuffled order; in train mode each
   * batch is normalized with its own statistics (running statistics change, which no longer
   * matters: this is the configuration's last use of the model).
   */
  private double accuracy(Module model, boolean trainMode, int size) {
    Dataset test = data.test();
    int[] item = test.itemShape();
    int itemSize = item[0] * item[1] * item[2];
    int[] order = new int[test.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    new Rng(12345).shuffle(order);
    int batches = trainMode ? test.size() / size : (test.size() + size - 1) / size;
    model.train(trainMode);
    long correct = 0;
    long count = 0;
    for (int b = 0; b < batches; b++) {
      int n = Math.min(size, test.size() - b * size);
      Tensor x = Tensor.zeros(n, item[0], item[1], item[2]);
      int[] labels = new int[n];
      fill(test, order, b * size, x, labels, itemSize);
      Tensor logits = model.forward(x);
      for (int i = 0; i < n; i++) {
        correct += CrossEntropy.argmax(logits, i) == labels[i] ? 1 : 0;
      }
      count += n;
    }
    return (double) correct / count;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
